"""Peer: Crawl4AI's BFS deep crawl with its browser-free HTTP strategy, Markdown per page.

Runs in the peers' virtualenv. ``AsyncWebCrawler(crawler_strategy=AsyncHTTPCrawlerStrategy())``
(aiohttp, no browser) and ``BFSDeepCrawlStrategy(max_depth=1000, max_pages=N)``; each page's
``result.markdown`` (Crawl4AI's default Markdown generator) is stored. Fairness settings:
``semaphore_count`` = ``--concurrency`` (pages at once), ``mean_delay`` and ``max_range`` 0 (the
dispatcher's rate limiter otherwise waits 0.1-0.4 s between requests to a host), cache
bypassed, ``check_robots_txt`` off. Crawl4AI's BFS fetches one depth level at a time. Its
home folder (``CRAWL4_AI_BASE_DIRECTORY``) should point at a temp folder. Writes one JSON line
per page to ``--out`` and prints ``{"pages": distinct URLs, "fetches": successful results}``.

    python bench/peers/crawl4ai_bfs.py URL --max-pages N --concurrency C --out FILE
"""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import Any, TextIO

from crawl_cli import crawl_arguments, report


async def crawl(start: str, max_pages: int, concurrency: int, out: TextIO) -> tuple[int, int]:
    c4: Any = importlib.import_module("crawl4ai")
    strategies: Any = importlib.import_module("crawl4ai.async_crawler_strategy")
    http = strategies.AsyncHTTPCrawlerStrategy(
        browser_config=c4.HTTPCrawlerConfig(), max_connections=concurrency
    )
    config = c4.CrawlerRunConfig(
        deep_crawl_strategy=c4.BFSDeepCrawlStrategy(
            max_depth=1000, max_pages=max_pages, include_external=False
        ),
        cache_mode=c4.CacheMode.BYPASS,
        check_robots_txt=False,
        semaphore_count=concurrency,
        mean_delay=0.0,
        max_range=0.0,
        stream=False,
        verbose=False,
    )
    pages: list[str] = []
    async with c4.AsyncWebCrawler(crawler_strategy=http, verbose=False) as crawler:
        for result in await crawler.arun(start, config=config):
            if result.success:
                markdown = str(result.markdown or "")
                out.write(json.dumps({"url": result.url, "markdown": markdown}) + "\n")
                pages.append(result.redirected_url or result.url)
    return len(set(pages)), len(pages)


def main() -> int:
    args = crawl_arguments(__doc__ or "")
    with open(args.out, "w", encoding="utf-8") as out:
        return report(*asyncio.run(crawl(args.url, args.max_pages, args.concurrency, out)))


if __name__ == "__main__":
    raise SystemExit(main())
