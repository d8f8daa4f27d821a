"""Per-page CPU timing for the per-page scripts; stdlib only, as it runs in every tool's venv.

Each page is run once per pass, in the listing's order (the dev sites one after the other),
for ``passes`` passes. Two figures per page come out of it:

- ``first``: its time in the first pass, when the tool's caches hold only what the pages before
  it left there, as in a crawl (the same site's template, not the page itself);
- ``best``: its fastest pass, caches warm from its own earlier runs and noise (which only ever
  adds time) filtered out.

One page is run first as a warm-up, so that one-time initialisation is in neither.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

Page = tuple[str, str]  # (html, url)


def load_pages(listing: Path) -> list[Page]:
    """The pages of a JSON listing of ``[path, url]`` pairs."""
    return [(Path(path).read_bytes().decode("utf-8", "replace"), url)
            for path, url in json.loads(listing.read_text())]  # fmt: skip


def page_passes(
    run: Callable[[str, str], object], pages: list[Page], passes: int
) -> dict[str, list[float]]:
    """``{"first": [...], "best": [...]}``: CPU milliseconds per page (see the module doc)."""
    if pages:
        run(*pages[0])
    runs = [[0.0] * len(pages) for _ in range(passes)]
    for times in runs:
        for index, (html, url) in enumerate(pages):
            begin = time.process_time()
            run(html, url)
            times[index] = (time.process_time() - begin) * 1000
    return {"first": runs[0], "best": [min(column) for column in zip(*runs, strict=True)]}
