"""The floor: a bare BFS that only fetches (httpx) and parses (selectolax), nothing else.

Same-origin links only, ``--concurrency`` requests at once, stops at ``--max-pages`` HTML
pages; no robots.txt, no sitemaps, no extraction, no output but a JSON summary line
(``{"pages": distinct final URLs, "fetches": HTML responses}``).

Like the ``sitelore`` command, it keeps httpx from importing its own command line (click, rich
and pygments, ~60 ms, whenever they are installed, as they are beside sitelore): a floor pays
for fetching and parsing only.

    python bench/peers/floor.py URL --max-pages N --concurrency C
"""

from __future__ import annotations

import asyncio
import sys
import types
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

from crawl_cli import crawl_arguments, report
from selectolax.lexbor import LexborHTMLParser

sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))  # as sitelore.cli does

import httpx  # noqa: E402  (after the stub above)


async def crawl(start: str, max_pages: int, concurrency: int) -> tuple[int, int]:
    origin = urlsplit(start)[:2]
    seen = {start}
    todo: deque[str] = deque([start])
    pages: list[str] = []
    running: set[asyncio.Task[httpx.Response]] = set()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        limits=limits, timeout=30, follow_redirects=True, trust_env=False
    ) as client:
        while todo or running:
            while todo and len(running) < concurrency and len(pages) + len(running) < max_pages:
                running.add(asyncio.create_task(client.get(todo.popleft())))
            if not running:
                break
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            running -= done
            for task in done:
                if task.exception() is not None:
                    continue
                response = task.result()
                kind = response.headers.get("content-type", "")
                if response.status_code != 200 or "html" not in kind:
                    continue
                base = str(response.url)
                pages.append(base)
                for node in LexborHTMLParser(response.text).css("a[href]"):
                    href = node.attributes.get("href") or ""
                    url = urldefrag(urljoin(base, href.strip()))[0]
                    if urlsplit(url)[:2] == origin and url not in seen:
                        seen.add(url)
                        todo.append(url)
    return len(set(pages)), len(pages)


def main() -> int:
    args = crawl_arguments(__doc__ or "", writes_pages=False)
    return report(*asyncio.run(crawl(args.url, args.max_pages, args.concurrency)))


if __name__ == "__main__":
    raise SystemExit(main())
