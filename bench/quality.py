"""Extraction quality on the evaluation kit's real sites, plus per-page CPU time.

Serves ``../shared/eval/sites`` with the kit's own ``serve_sites.py`` as an HTTP
proxy on loopback, runs ``sitelore`` on every dev site with ``maxPages`` 10 through
it, writes the results to ``bench/out/pred/<site>.json``, runs the kit's
``score.py sites`` and prints its table, then the per-page CPU time of the pure
page pipeline (parse, clean, sections, Markdown, items) over every page fetched.

    python bench/quality.py [--max-pages 10] [--site mover-io ...] [--gold DIR] [--pred DIR]
                            [--render auto|never|always] [-v]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchkit import EVAL, OUT, free_port, stop, wait_port

from sitelore.core.assemble import CONTENT_ZONES
from sitelore.core.chunks import split_chunks
from sitelore.core.document import parse_document
from sitelore.core.knowledge import PageContext, page_items
from sitelore.crawl.sources.rendering import browser_for
from sitelore.models import CrawlOptions, Event, ExtractRequest, PageScraped, RenderMode
from sitelore.pipeline import extract_site


def start_proxy(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        str(EVAL / "serve_sites.py"),
        "--port",
        str(port),
        "--rewrite-absolute",
        "--quiet",
    ]
    process = subprocess.Popen(command)
    if wait_port(port):
        return process
    stop(process)
    raise SystemExit("serve_sites.py did not start")


def gold_sites(gold_dir: Path, selected: list[str]) -> dict[str, str]:
    sites = {}
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text())
        if not selected or gold["site"] in selected:
            sites[gold["site"]] = gold["start_url"]
    return sites


async def run_site(
    start_url: str, max_pages: int, proxy: str, render: RenderMode
) -> tuple[dict[str, Any], list[str]]:
    """The result, and the URLs of the pages a browser rendered (``render``: auto renders
    script shells only, with the browser installed here)."""
    options = CrawlOptions(proxy=proxy, trust_env=False)
    request = ExtractRequest(url=start_url, max_pages=max_pages, render=render)
    events: list[Event] = []
    async with browser_for(None, options, None, None) as renderer:
        result = await extract_site(request, events.append, options=options, renderer=renderer)
    rendered = [e.url for e in events if isinstance(e, PageScraped) and e.rendered]
    return result.to_dict(), rendered


def page_pipeline(html: str, url: str) -> int:
    """The per-page work: parse, clean, sections, Markdown, items (site-wide steps excluded)."""
    document = parse_document(html, url)
    blocks = [block for block in document.blocks if block.zone in CONTENT_ZONES]
    return len(page_items(split_chunks(blocks), PageContext(url=url, purpose="other")))


def page_cpu_times(pred_dir: Path, proxy: str) -> list[float]:
    """CPU ms per page of the page pipeline, re-run on the pages each result came from."""
    import httpx

    times: list[float] = []
    with httpx.Client(proxy=proxy, timeout=10) as client:
        for path in sorted(pred_dir.glob("*.json")):
            result = json.loads(path.read_text())
            for url in sorted({item["source"] for item in result["knowledgeItems"]}):
                html = client.get(url).text
                begin = time.process_time()
                for _ in range(5):
                    page_pipeline(html, url)
                times.append((time.process_time() - begin) / 5 * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-pages", type=int, default=10)
    parser.add_argument("--site", action="append", default=[])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--gold",
        type=Path,
        default=EVAL / "gold",
        help="a folder of gold files to run and score (e.g. a subset set aside)",
    )
    parser.add_argument("--pred", type=Path, default=OUT / "pred", help="where results go")
    parser.add_argument("--render", choices=[str(mode) for mode in RenderMode], default="auto")
    args = parser.parse_args()
    if not EVAL.is_dir():
        raise SystemExit(f"no evaluation kit at {EVAL}")
    pred_dir = args.pred
    pred_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proxy = f"http://127.0.0.1:{port}"
    server = start_proxy(port)
    try:
        for site, start_url in gold_sites(args.gold, args.site).items():
            begin = time.monotonic()
            run = run_site(start_url, args.max_pages, proxy, RenderMode(args.render))
            result, rendered = asyncio.run(run)
            (pred_dir / f"{site}.json").write_text(json.dumps(result, indent=1))
            print(
                f"{site:16} {time.monotonic() - begin:6.2f} s  pages={result['pagesScraped']}"
                f"  items={len(result['knowledgeItems'])}  rendered={rendered}",
                file=sys.stderr,
            )
        score = [
            sys.executable,
            str(EVAL / "score.py"),
            "sites",
            "--gold",
            str(args.gold),
            "--pred",
            str(pred_dir),
        ] + (["-v"] if args.verbose else [])
        subprocess.run(score, check=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        times = sorted(page_cpu_times(pred_dir, proxy))
        if times:
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            print(
                f"\nper-page CPU (parse, clean, sections, Markdown, items), {len(times)} pages: "
                f"median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms"
            )
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
