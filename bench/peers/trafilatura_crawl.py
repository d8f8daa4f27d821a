"""Peer: trafilatura's focused crawler, then ``trafilatura.extract`` (Markdown) on every page.

Runs in the peers' virtualenv. trafilatura's crawler (``trafilatura.spider.focused_crawler``)
is sequential by design: one request at a time, so ``--concurrency`` does not apply. Fairness
settings: ``SLEEP_TIME`` 0 (no delay between requests; default 5 s), ``SSRF_PROTECTION`` off
(the sites are on 127.0.0.1), robots.txt off (an allow-all rule set, so none is fetched).
Every page the crawler fetches is extracted once, as it arrives (the crawler itself keeps only
links, so the fetch is wrapped instead of fetching twice). It follows ``#fragment`` links as URLs
of their own, so it fetches (and extracts) some pages several times. Writes one JSON line per
fetched page to ``--out`` and prints ``{"pages": distinct final URLs, "fetches": n}``.

    python bench/peers/trafilatura_crawl.py URL --max-pages N --out FILE
"""

from __future__ import annotations

import importlib
import json
from typing import Any, TextIO
from urllib.robotparser import RobotFileParser

from crawl_cli import crawl_arguments, report


def crawl(start: str, max_pages: int, out: TextIO) -> tuple[int, int]:
    trafilatura: Any = importlib.import_module("trafilatura")
    spider: Any = importlib.import_module("trafilatura.spider")
    settings: Any = importlib.import_module("trafilatura.settings")
    utils: Any = importlib.import_module("trafilatura.utils")
    config = settings.use_config()
    config.set("DEFAULT", "SLEEP_TIME", "0")
    config.set("DEFAULT", "SSRF_PROTECTION", "off")
    rules = RobotFileParser()
    rules.parse(["User-agent: *", "Disallow:"])  # allow everything, fetch no robots.txt
    pages: list[str] = []
    fetch = spider.fetch_response

    def fetch_and_extract(url: str, **kwargs: Any) -> Any:
        response = fetch(url, **kwargs)
        if response and response.status == 200 and len(pages) < max_pages:
            html = utils.decode_file(response.data)
            markdown = trafilatura.extract(
                html, url=response.url, output_format="markdown", config=config
            )
            out.write(json.dumps({"url": response.url, "markdown": markdown or ""}) + "\n")
            pages.append(response.url)
        return response

    spider.fetch_response = fetch_and_extract
    spider.focused_crawler(start, max_seen_urls=max_pages, config=config, rules=rules)
    return len(set(pages)), len(pages)


def main() -> int:
    args = crawl_arguments(__doc__ or "", concurrency_help="ignored: sequential")
    with open(args.out, "w", encoding="utf-8") as out:
        return report(*crawl(args.url, args.max_pages, out))


if __name__ == "__main__":
    raise SystemExit(main())
