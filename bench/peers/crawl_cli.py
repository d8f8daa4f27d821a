"""The command line every crawl of ``bench/peers.py`` shares (stdlib only: it runs in every
tool's venv): ``URL --max-pages N --concurrency C [--out FILE]`` in, one JSON summary line
``{"pages": distinct final URLs, "fetches": HTML responses}`` out."""

from __future__ import annotations

import argparse
import json


def crawl_arguments(
    doc: str, *, writes_pages: bool = True, concurrency_help: str | None = None
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--max-pages", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4, help=concurrency_help)
    if writes_pages:
        parser.add_argument("--out", required=True)
    return parser.parse_args()


def report(pages: int, fetches: int) -> int:
    print(json.dumps({"pages": pages, "fetches": fetches}))
    return 0
