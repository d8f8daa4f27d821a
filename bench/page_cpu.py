"""Per-page CPU of the default page pipeline over every HTML page of the evaluation kit's sites.

For a before/after comparison in one sitting, run it once per checkout, alternating:

    PYTHONPATH=/path/to/old/checkout python bench/page_cpu.py
    python bench/page_cpu.py

The pipeline is the one ``bench/quality.py`` times (parse, clean, sections, Markdown,
items and their categories); each page runs ``--passes`` times and counts its fastest pass.

This VM's speed drifts by 10-40 % over minutes; instruction counts do not. For those, run
one pass over every 4th page under callgrind, then the same with ``--every 0`` (no page:
start-up, reading the files and the first page's caches), and divide the difference by
the number of pages printed:

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
        "$(python -c 'import sys; print(sys.executable)')" bench/page_cpu.py --every 4 --passes 1
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchkit import EVAL

from sitelore.core.chunks import split_chunks
from sitelore.core.document import parse_document
from sitelore.core.knowledge import PageContext, page_items

CONTENT_ZONES = frozenset({"main", "aside"})
MAX_PAGE_BYTES = 2_000_000


def page_pipeline(html: str, url: str) -> int:
    document = parse_document(html, url)
    blocks = [block for block in document.blocks if block.zone in CONTENT_ZONES]
    return len(page_items(split_chunks(blocks), PageContext(url=url, purpose="other")))


def pages(root: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(root.glob("*/site/**/*.html")):
        if path.stat().st_size <= MAX_PAGE_BYTES:
            site = path.relative_to(root).parts[0]
            found.append((path.read_text("utf-8", errors="replace"), f"http://{site}.test/"))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--every", type=int, default=1, help="every Nth page; 0: none")
    args = parser.parse_args()
    everything = pages(EVAL / "sites")
    page_pipeline(*everything[0])  # loads the vocabularies, as a crawl's first page does
    corpus = everything[:: args.every] if args.every else []
    best = [float("inf")] * len(corpus)
    for _ in range(args.passes):
        for index, (html, url) in enumerate(corpus):
            begin = time.process_time()
            page_pipeline(html, url)
            best[index] = min(best[index], time.process_time() - begin)
    millis = sorted(seconds * 1000 for seconds in best)
    if not millis:
        print("0 pages")
        return 0
    p90 = millis[int(0.9 * (len(millis) - 1))]
    print(
        f"{len(millis)} pages: median {statistics.median(millis):.2f} ms, "
        f"mean {statistics.fmean(millis):.2f} ms, p90 {p90:.2f} ms, "
        f"total {sum(millis) / 1000:.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
