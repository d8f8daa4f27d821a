"""Peer side of the per-page figures: ``trafilatura.extract`` on given HTML, in the peers' venv.

``times LIST``: LIST is a JSON file of ``[path, url]`` pairs; prints ``{"first": [...],
"best": [...]}``, the CPU milliseconds per page of ``trafilatura.extract(html, url=url,
output_format="markdown")`` (see ``page_timing``). ``articles DIR OUT``: the article
benchmark's ``DIR/html/<id>.html.gz`` through ``trafilatura.extract(html)`` with its defaults
(plain text), written to OUT as ``{id: text}``.

    python bench/peers/trafilatura_pages.py times pages.json --passes 5
    python bench/peers/trafilatura_pages.py articles ../shared/eval/articles out.json
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
from pathlib import Path
from typing import Any

from page_timing import load_pages, page_passes


def extract_markdown(html: str, url: str) -> object:
    trafilatura: Any = importlib.import_module("trafilatura")
    return trafilatura.extract(html, url=url, output_format="markdown")


def articles(folder: Path, out: Path) -> None:
    trafilatura: Any = importlib.import_module("trafilatura")
    texts = {}
    for path in sorted((folder / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        texts[path.name.removesuffix(".html.gz")] = trafilatura.extract(html) or ""
    out.write_text(json.dumps(texts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["times", "articles"])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    if args.mode == "times":
        print(json.dumps(page_passes(extract_markdown, load_pages(args.source), args.passes)))
    else:
        articles(args.source, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
