"""Small builders shared by the core tests: HTML in, documents, chunks and items out."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitelore.core.chunks import split_chunks
from sitelore.core.document import Document, parse_document
from sitelore.core.knowledge import PageContext, page_items
from sitelore.models import ItemCategory, KnowledgeItem

# The evaluation kit of real sites, beside the repository as the benchmarks find it
# (``bench/benchkit.py``): ``../shared/eval``.
EVAL_SITES = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "sites"


def eval_pages() -> list[tuple[str, str]]:
    """(path under ``sites/``, HTML) of every page of the evaluation kit's sites; fails the
    test when the kit is not there (CI has it beside the repository)."""
    paths = sorted(EVAL_SITES.glob("*/site/**/*.html"))
    if not paths:
        pytest.fail(f"the evaluation kit's sites are missing: no HTML page under {EVAL_SITES}")
    return [
        (path.relative_to(EVAL_SITES).as_posix(), path.read_text("utf-8", errors="replace"))
        for path in paths
    ]


def page(body: str, *, title: str = "", head: str = "", lang: str = "en") -> str:
    """A whole HTML page around ``body``."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title>{head}</head><body>{body}</body></html>"
    )


def doc(body: str, url: str = "https://acme.test/", *, title: str = "", head: str = "") -> Document:
    """The parsed document of a page made of ``body``."""
    return parse_document(page(body, title=title, head=head), url)


def items_of(
    body: str,
    url: str,
    purpose: str,
    *,
    title: str = "",
    offer: ItemCategory = ItemCategory.FEATURE,
) -> list[KnowledgeItem]:
    """The knowledge items one page yields, as the assembler would cut them (for a business
    whose ``offer`` is features of software, unless it is said)."""
    document = doc(body, url, title=title)
    context = PageContext(url=url, purpose=purpose, title=title, offer=offer)
    return page_items(split_chunks(document.blocks), context)


def item_titled(items: list[KnowledgeItem], title: str) -> KnowledgeItem:
    """The one item with ``title``; fails with the titles there are."""
    found = [item for item in items if item.title == title]
    assert len(found) == 1, f"want one item {title!r}, got titles {[i.title for i in items]}"
    return found[0]
