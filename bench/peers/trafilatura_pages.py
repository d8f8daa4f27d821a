"""Peer side of the per-page figures: ``trafilatura.extract`` on given HTML, in the peers' venv.

``times LIST``: LIST is a JSON file of ``[path, url]`` pairs; prints a JSON list of the CPU
milliseconds (``time.process_time``, fastest of ``--repeat`` runs) of
``trafilatura.extract(html, url=url, output_format="markdown")`` per page, after one warm-up
page. ``articles DIR OUT``: the article benchmark's ``DIR/html/<id>.html.gz`` through
``trafilatura.extract(html)`` with its defaults (plain text), written to OUT as ``{id: text}``.

    python bench/peers/trafilatura_pages.py times pages.json --repeat 3
    python bench/peers/trafilatura_pages.py articles ../shared/eval/articles out.json
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import time
from pathlib import Path
from typing import Any


def page_times(listing: Path, repeat: int) -> list[float]:
    trafilatura: Any = importlib.import_module("trafilatura")
    pages = [(Path(path).read_bytes().decode("utf-8", "replace"), url)
             for path, url in json.loads(listing.read_text())]  # fmt: skip
    if pages:
        trafilatura.extract(pages[0][0], url=pages[0][1], output_format="markdown")
    times = []
    for html, url in pages:
        best = float("inf")
        for _ in range(repeat):
            begin = time.process_time()
            trafilatura.extract(html, url=url, output_format="markdown")
            best = min(best, time.process_time() - begin)
        times.append(best * 1000)
    return times


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
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.mode == "times":
        print(json.dumps(page_times(args.source, args.repeat)))
    else:
        articles(args.source, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
