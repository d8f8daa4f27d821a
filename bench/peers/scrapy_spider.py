"""Peer: a Scrapy ``CrawlSpider`` that stores trafilatura's Markdown of every page.

Runs in the peers' virtualenv. One ``Rule(LinkExtractor(allow_domains=[host]), follow=True)``,
breadth-first (``DEPTH_PRIORITY`` 1 with FIFO queues). Fairness settings: ``DOWNLOAD_DELAY`` 0,
no AutoThrottle, ``CONCURRENT_REQUESTS`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` =
``--concurrency``, ``ROBOTSTXT_OBEY`` off, ``CLOSESPIDER_PAGECOUNT`` = ``--max-pages`` (and no
page past it is stored; the start URL, which Scrapy fetches again when a page links to
it, is stored once). Writes one JSON line per page to ``--out`` and prints
``{"pages": distinct pages stored, "fetches": responses seen}``.

    python bench/peers/scrapy_spider.py URL --max-pages N --concurrency C --out FILE
"""

from __future__ import annotations

import importlib
import json
from typing import Any, TextIO
from urllib.parse import urlsplit

from crawl_cli import crawl_arguments, report


def crawl(start: str, max_pages: int, concurrency: int, out: TextIO) -> tuple[int, int]:
    trafilatura: Any = importlib.import_module("trafilatura")
    crawler: Any = importlib.import_module("scrapy.crawler")
    spiders: Any = importlib.import_module("scrapy.spiders")
    linkextractors: Any = importlib.import_module("scrapy.linkextractors")
    host = urlsplit(start).hostname or ""
    stored: set[str] = set()
    fetches = 0

    def store(self: Any, response: Any) -> list[Any]:
        nonlocal fetches
        fetches += 1
        kind = response.headers.get("Content-Type", b"").decode()
        if len(stored) < max_pages and "html" in kind and response.url not in stored:
            markdown = trafilatura.extract(
                response.text, url=response.url, output_format="markdown"
            )
            out.write(json.dumps({"url": response.url, "markdown": markdown or ""}) + "\n")
            stored.add(response.url)
        return []

    rule = spiders.Rule(linkextractors.LinkExtractor(allow_domains=[host]), "store", follow=True)
    spider = type(
        "PeerSpider",
        (spiders.CrawlSpider,),
        {
            "name": "peer",
            "allowed_domains": [host],
            "start_urls": [start],
            "rules": (rule,),
            "store": store,
            "parse_start_url": store,
        },
    )
    process = crawler.CrawlerProcess(
        settings={
            "LOG_LEVEL": "ERROR",
            "ROBOTSTXT_OBEY": False,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CLOSESPIDER_PAGECOUNT": max_pages,
            "DEPTH_PRIORITY": 1,
            "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
            "TELNETCONSOLE_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
        }
    )
    process.crawl(spider)
    process.start()
    return len(stored), fetches


def main() -> int:
    args = crawl_arguments(__doc__ or "")
    with open(args.out, "w", encoding="utf-8") as out:
        return report(*crawl(args.url, args.max_pages, args.concurrency, out))


if __name__ == "__main__":
    raise SystemExit(main())
