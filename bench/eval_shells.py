"""Which pages of the evaluation kit are script shells, and what a browser makes of them.

Runs :func:`sitelore.core.shells.needs_rendering` on every HTML page of
``../shared/eval/sites``, prints how many pages it read and each page it would render,
then renders those pages in Chromium (served by the kit's own ``serve_sites.py`` as an
HTTP proxy on loopback) and prints their visible text length over HTTP and rendered.

    python bench/eval_shells.py
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from benchkit import EVAL, free_port, stop, wait_port
from quality import start_proxy

from sitelore.core.shells import INVISIBLE, needs_rendering, visible_text
from sitelore.crawl.sources.rendering import browser_for
from sitelore.models import CrawlOptions


def shells() -> tuple[int, list[tuple[str, Path, int, str]]]:
    """Pages read, and each shell as (site, file, visible text length, reason)."""
    pages = sorted((EVAL / "sites").glob("*/site/**/*.html"))
    found = []
    for page in pages:
        verdict = needs_rendering(page.read_text("utf-8", errors="replace"))
        if verdict.render:
            site = page.relative_to(EVAL / "sites").parts[0]
            found.append((site, page, verdict.text_length, verdict.reason))
    return len(pages), found


def page_url(site: str, page: Path) -> str:
    manifest = json.loads((EVAL / "sites" / site / "manifest.json").read_text())
    domain = manifest.get("domain") or manifest["domains"][0]
    path = page.relative_to(EVAL / "sites" / site / "site").as_posix()
    path = path.removesuffix("index.html")
    return f"http://{domain}/{path}"


async def rendered_lengths(urls: list[str], proxy: str) -> list[int]:
    from selectolax.lexbor import LexborHTMLParser

    options = CrawlOptions(proxy=proxy, trust_env=False)
    lengths = []
    async with browser_for(None, options, None, None) as renderer:
        if renderer is None:
            raise SystemExit("no Chromium: apt-get install chromium-headless-shell")
        for url in urls:
            html = (await renderer.render(url)).html
            tree = LexborHTMLParser(html)
            tree.strip_tags(INVISIBLE)
            lengths.append(len(visible_text(tree)))
    return lengths


def main() -> int:
    read, found = shells()
    print(f"{read} pages of the evaluation kit read; {len(found)} are script shells:")
    port = free_port()
    server = start_proxy(port)
    try:
        if not wait_port(port):
            raise SystemExit("the evaluation kit's server did not start")
        urls = [page_url(site, page) for site, page, _, _ in found]
        lengths = asyncio.run(rendered_lengths(urls, f"http://127.0.0.1:{port}"))
    finally:
        stop(server)
    for (_, _, raw, reason), url, rendered in zip(found, urls, lengths, strict=True):
        print(f"  {url}: {raw} characters over HTTP, {rendered} rendered ({reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
