"""sitelore's side of the per-page figures, in sitelore's venv (see ``page_timing``).

``LIST`` is a JSON file of ``[path, url]`` pairs; prints ``{"pipeline": ..., "parse": ...}``,
each ``{"first": [...], "best": [...]}`` in CPU milliseconds per page: the page pipeline
(``bench/quality.py``'s ``page_pipeline``: parse, clean, sections, Markdown, items)
and a bare selectolax parse.

    python bench/peers/sitelore_pages.py pages.json --passes 5
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from page_timing import load_pages, page_passes
from selectolax.lexbor import LexborHTMLParser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/, for quality.py

from quality import page_pipeline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("listing", type=Path)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    pages = load_pages(args.listing)
    print(json.dumps({
        "pipeline": page_passes(page_pipeline, pages, args.passes),
        "parse": page_passes(lambda html, _url: LexborHTMLParser(html), pages, args.passes),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
