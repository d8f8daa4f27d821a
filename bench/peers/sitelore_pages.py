"""sitelore's side of the per-page figures, in sitelore's venv (see ``page_timing``).

``LIST`` is a JSON file of ``[path, url]`` pairs; prints ``{"pipeline": ..., "parse": ...}``,
each ``{"first": [...], "best": [...]}`` in CPU milliseconds per page: the page pipeline
(parse, clean, sections, Markdown, items: what ``bench/quality.py``'s ``page_pipeline`` runs)
and a bare selectolax parse.

    python bench/peers/sitelore_pages.py pages.json --passes 5
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from page_timing import load_pages, page_passes
from selectolax.lexbor import LexborHTMLParser

from sitelore.core.assemble import CONTENT_ZONES
from sitelore.core.chunks import split_chunks
from sitelore.core.document import parse_document
from sitelore.core.knowledge import PageContext, page_items


def page_pipeline(html: str, url: str) -> int:
    document = parse_document(html, url)
    blocks = [block for block in document.blocks if block.zone in CONTENT_ZONES]
    return len(page_items(split_chunks(blocks), PageContext(url=url, purpose="other")))


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
