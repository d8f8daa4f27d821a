"""Helpers of the quality tests (issue 11): crawl a fixture site once, find items by their facts.

The sites are ``tests/sitekit.py``'s :class:`~tests.sitekit.FolderSite` folders. A full crawl
of a site is pure data once it is done, so it is kept for the session and shared by the tests
that only read the result; tests about the crawl plan or the requests run their own crawl.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from sitelore.models import ExtractRequest, ItemCategory, KnowledgeItem, PageStatus
from tests.sitekit import FolderSite, Run, extract
from tests.webserver import StaticResolver, WebServer

FULL = 20  # pages: more than any of the sites has, except tallybird's blog
_RUNS: dict[tuple[str, int], Run] = {}

_SPACES = re.compile(r"[ \t\u00a0\u202f\u2009]+")


def crawl(web: WebServer, resolver: StaticResolver, site: FolderSite, max_pages: int = FULL) -> Run:
    """The whole-site extraction of ``site`` from its home page (kept for the session)."""
    key = (site.folder, max_pages)
    if key not in _RUNS:
        site.serve(web)
        _RUNS[key] = extract(resolver, ExtractRequest(site.home, max_pages=max_pages))
    return _RUNS[key]


def fresh_crawl(
    web: WebServer, resolver: StaticResolver, site: FolderSite, request: ExtractRequest
) -> Run:
    """A new extraction (for tests that look at the requests or the events)."""
    site.serve(web)
    return extract(resolver, request)


def norm(text: str) -> str:
    """Text as a reader sees it: no-break spaces are spaces, Markdown bold marks dropped."""
    return _SPACES.sub(" ", text.replace("**", "").replace("__", ""))


def full_text(item: KnowledgeItem) -> str:
    return norm(f"{item.title}\n{item.description}\n{item.content}")


def path_of(url: str) -> str:
    return urlsplit(url).path or "/"


def items_on(run: Run, path: str) -> list[KnowledgeItem]:
    """The items whose source is the page at ``path``."""
    return [item for item in run.result.knowledge_items if path_of(item.source) == path]


def holders(
    items: Iterable[KnowledgeItem], facts: Sequence[str], *, casefold: bool = False
) -> list[KnowledgeItem]:
    """The items whose title, description and content hold every one of ``facts``."""
    found = []
    for item in items:
        text = full_text(item)
        if casefold:
            text = text.casefold()
        if all((fact.casefold() if casefold else fact) in text for fact in facts):
            found.append(item)
    return found


def price_pattern(price: str) -> re.Pattern[str]:
    """``38 €`` that is not part of ``138 €`` or ``38,50 €``; ``$12`` that is not ``$120``."""
    return re.compile(rf"(?<![\d.,]){re.escape(price)}(?!\d|[.,]\d)")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def has_phone(item: KnowledgeItem, phone: str) -> bool:
    """The number is in the item however it is written (``04 78 …``, ``+33 4 78 …``)."""
    return digits(phone).lstrip("0")[-8:] in digits(full_text(item))


def done_paths(run: Run) -> set[str]:
    """Paths of the pages extracted."""
    return {path_of(e.url) for e in run.scraped if e.status == PageStatus.DONE}


def describe(items: Iterable[KnowledgeItem]) -> list[tuple[str, str, str]]:
    """A short view of items for assertion messages."""
    return [(item.category.value, item.title, path_of(item.source)) for item in items]


def categories(names: str) -> frozenset[ItemCategory]:
    """``"PRICING SERVICE"`` → the set of those categories."""
    return frozenset(ItemCategory(name) for name in names.split())


def param_id(value: object) -> str | None:
    """A readable ASCII test id: a site's folder, a path, facts joined by ``+``."""
    if isinstance(value, FolderSite):
        return value.folder
    if isinstance(value, list | tuple):
        value = "+".join(str(part) for part in value)
    if isinstance(value, str):
        value = value.replace("€", "EUR").replace("–", "-")
        folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        return re.sub(r"\s+", "_", folded.strip())
    return None


def assert_category(run: Run, path: str, facts: Sequence[str], accepted: str) -> None:
    """The items of the page at ``path`` that hold ``facts`` exist and each has one of the
    ``accepted`` categories (``"PRICING SERVICE"``)."""
    page = items_on(run, path)
    found = holders(page, facts)
    assert found, (facts, describe(page))
    wrong = [item for item in found if item.category not in categories(accepted)]
    assert not wrong, describe(wrong)
