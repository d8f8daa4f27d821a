"""Pages → the result's business profile and knowledge items (the pure end of the pipeline).

Steps: drop what the site's template repeats on many pages, cut every page into
chunks and items, add the contact and location items harvested site-wide, then
merge near-duplicate items across pages.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import chain

from sitelore.core.blocktypes import Block
from sitelore.core.chunks import split_chunks
from sitelore.core.contact import contact_items, harvest_contacts
from sitelore.core.document import Document
from sitelore.core.knowledge import PageContext, page_items
from sitelore.core.pagetypes import classify_page
from sitelore.core.profile import LOCAL_INDUSTRIES, build_profile, offer_category, strip_brand
from sitelore.core.structured import structured_items
from sitelore.core.text import (
    URL,
    fingerprint,
    visible_length,
    word_shingles,
    words,
    words_fingerprint,
)
from sitelore.core.urls import url_path
from sitelore.models import BusinessProfile, ItemCategory, ItemWhy, KnowledgeItem

CONTENT_ZONES = frozenset({"main", "aside"})
BOILERPLATE_SHARE = 0.5
DUPLICATE_JACCARD = 0.7
SHORT_UNIT_TEXT = 40
MIN_PROSE = 80
MIN_SENTENCE_ITEM = 40  # characters a list item has on average when it is prose
MIN_CONTENT = 40  # no item under a sentence of text, whatever made it
TEMPLATE_JUNK = ("©", "all rights reserved", "cookie", "newsletter", "subscribe", "javascript")
# Tag, category and author listings repeat the teasers of pages that say it themselves.
LISTING_PURPOSES = frozenset({"archive"})
SERVICE_INDUSTRIES = LOCAL_INDUSTRIES - {"Retail & Online Stores", "Food & Beverage"}
# How --explain tells the items that no one section of a page made.
GATHERED_REASON = (
    "{} details gathered from every page (e-mail and phone links, addresses, opening hours, "
    "JSON-LD)"
)
GATHERED_TITLE = "the fixed title of these details, in the site's language"
TEMPLATE_REASON = "prose of the site's template (header or footer), said once for the site"


@dataclass(frozen=True)
class CrawledPage:
    """A fetched page with what the crawl knew about it (link labels say what it is)."""

    document: Document
    labels: tuple[str, ...] = ()
    is_start: bool = False
    yields_items: bool = True

    @property
    def purpose(self) -> str:
        return self.purpose_for("")

    def purpose_for(self, brand: str, language: str | None = None) -> str:
        """The page's kind, read in the site's ``language``; with the ``brand`` known, its
        title is read without it ("Chef Tony – The Bottle Room" says nothing of rooms)."""
        title = strip_brand(self.document.title, brand) if brand else self.document.title
        return classify_page(url_path(self.document.url), (*self.labels, title), language)


@dataclass(frozen=True)
class Assembled:
    business: BusinessProfile
    items: tuple[KnowledgeItem, ...]


def assemble(pages: Sequence[CrawledPage]) -> Assembled:
    """Build the profile and the items of a site from its fetched pages (at least one)."""
    documents = [page.document for page in pages]
    home = home_document(pages)
    ordered = profile_order(pages, home)
    contacts = harvest_contacts(documents)
    business = build_profile(ordered, home, contacts.locality)
    default = ItemCategory.ABOUT if business.category in SERVICE_INDUSTRIES else None
    language = (home or documents[0]).language()
    template = boilerplate(documents)
    items: list[KnowledgeItem] = []
    # Each page's kind, its title read without the brand; classified once.
    kinds = [page.purpose_for(business.name, language) for page in pages]
    for page, purpose in zip(pages, kinds, strict=True):
        if page.yields_items and purpose not in LISTING_PURPOSES:
            items.extend(_items_of(page, purpose, template, default, business, language))
    for page in pages:
        if page.yields_items:
            items.extend(structured_items(page.document.jsonld, page.document.url))
    yielding = [page for page in pages if page.yields_items]
    if yielding:
        # Site-wide items name a page whose items the request admits.
        items.extend(_template_items(yielding, template, business.name))
        contact_page = _contact_page(pages, kinds)
        contacts.hours = _unsaid(contacts.hours, items)
        gathered = contact_items(contacts, contact_page.document.url, business.name, language)
        items.extend(_explained(gathered, GATHERED_REASON, GATHERED_TITLE))
    substantial = [item for item in items if visible_length(item.content) >= MIN_CONTENT]
    return Assembled(business=business, items=tuple(deduplicate(substantial)))


def _contact_page(pages: Sequence[CrawledPage], kinds: Sequence[str]) -> CrawledPage:
    """The page the site-wide contact items name: the contact page, else the directions
    page, else the first page whose items the request admits."""
    yielding = [(page, kind) for page, kind in zip(pages, kinds, strict=True) if page.yields_items]
    for wanted in ("contact", "location"):
        for page, kind in yielding:
            if kind == wanted:
                return page
    return yielding[0][0]


def _unsaid(hours: list[str], items: Sequence[KnowledgeItem]) -> list[str]:
    """The opening hours that no location item of a page gives already: said once, where
    the site says them ("Sprechzeiten" on the contact page). A contact card that mentions
    them does not count: hours are looked for with the location."""
    located = [item for item in items if item.category is ItemCategory.LOCATION]
    said = [" ".join(words(item.content)) for item in located]
    return [line for line in hours if not any(" ".join(words(line)) in text for text in said)]


def home_document(pages: Sequence[CrawledPage]) -> Document | None:
    """The start page, else the page at the site's root, if either was fetched."""
    home = next((page.document for page in pages if page.is_start), None)
    if home is None:
        home = next((p.document for p in pages if url_path(p.document.url) == "/"), None)
    return home


def profile_order(pages: Sequence[CrawledPage], home: Document | None) -> list[Document]:
    """The pages the profile reads, in the order it trusts them: home, about, the rest."""
    about = [p.document for p in pages if p.purpose == "about" and p.document is not home]
    rest = [p.document for p in pages if p.document is not home and p.document not in about]
    return [*([home] if home else []), *about, *rest]


def boilerplate(documents: Sequence[Document]) -> frozenset[str]:
    """Fingerprints of blocks that appear on many pages: the site's template."""
    if len(documents) < 2:
        return frozenset()
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update({fingerprint(block.text) for block in document.blocks})
    needed = max(2, math.ceil(BOILERPLATE_SHARE * len(documents)))
    return frozenset(key for key, count in counts.items() if count >= needed)


def _items_of(
    page: CrawledPage,
    purpose: str,
    template: frozenset[str],
    default: ItemCategory | None,
    business: BusinessProfile,
    language: str | None,
) -> list[KnowledgeItem]:
    document = page.document
    path = url_path(document.url)
    # An article's comments, share bars and teasers are not what the site says.
    article = purpose == "news" and _is_article(path, document)
    candidates = document.main_blocks() if article else document.blocks
    blocks = [block for block in candidates if _is_content(block, template)]
    context = PageContext(
        url=document.url,
        purpose="home" if page.is_start and path == "/" else purpose,
        title=strip_brand(document.title, business.name),
        default=default,
        industry=business.category,
        offer=offer_category(business.category),
        language=language,
    )
    return page_items(split_chunks(blocks), context)


def _is_article(path: str, document: Document) -> bool:
    """A news page that is a post, not a list of posts (an events page): below its section
    (/blog/x) or declared an article."""
    return "/" in path.strip("/") or document.declares_article


def _template_items(
    pages: Sequence[CrawledPage], template: frozenset[str], brand: str
) -> list[KnowledgeItem]:
    """What the template says in prose (an "about us" blurb in the footer), said once."""
    page = next((p for p in pages if p.is_start), pages[0])
    blocks = [
        block
        for block in page.document.blocks
        if block.zone != "nav"
        and (block.zone not in CONTENT_ZONES or fingerprint(block.text) in template)
        and (block.kind == "heading" or _is_prose(block.text))
        and (block.kind != "list" or _is_sentence_list(block.text))
    ]
    context = PageContext(url=page.document.url, purpose="about", title=brand)
    return [_from_template(item) for item in page_items(split_chunks(blocks), context)]


def _from_template(item: KnowledgeItem) -> KnowledgeItem:
    """Its explanation says where it was found: no page of its own (``--explain``)."""
    why = item.why or ItemWhy("", "")
    title = "the business's name" if why.title_reason == "the page's title" else why.title_reason
    return replace(item, why=ItemWhy(f"{TEMPLATE_REASON}; {why.category_reason}", title))


def _explained(items: list[KnowledgeItem], reason: str, title: str) -> list[KnowledgeItem]:
    return [replace(item, why=ItemWhy(reason.format(item.category.value), title)) for item in items]


def _is_prose(text: str) -> bool:
    """Sentences (a one-line blurb "X is a 400 m² space for ..." too), not a list of links."""
    sentence_end = text.rstrip().endswith((".", "!")) or any(m in text for m in (". ", ".\n"))
    if len(text) < MIN_PROSE or not sentence_end:
        return False
    lowered = URL.sub("", text.lower())  # "…/privacy-notice-and-cookies" is no cookie banner
    return not any(marker in lowered for marker in TEMPLATE_JUNK)


def _is_sentence_list(text: str) -> bool:
    """A list of sentences (what a consent form covers), not of links ("Home", "Blog")."""
    lines = [line for line in text.split("\n") if line.strip()]
    return sum(len(line) for line in lines) >= MIN_SENTENCE_ITEM * len(lines)


def _is_content(block: Block, template: frozenset[str]) -> bool:
    if block.zone not in CONTENT_ZONES or block.is_call_to_action():
        return False
    if block.unit and len(block.text) < SHORT_UNIT_TEXT:
        return True  # "20 GB" in a plan card is content even if other pages repeat it
    return fingerprint(block.text) not in template


def deduplicate(items: Sequence[KnowledgeItem]) -> list[KnowledgeItem]:
    """Drop items whose content repeats an earlier one's, exactly or nearly."""
    kept: list[KnowledgeItem] = []
    seen: set[str] = set()
    index = ShingleIndex()
    for item in items:
        tokens = words(item.content)  # once, for the exact key and the shingles
        key = words_fingerprint(tokens)
        if key in seen or visible_length(item.content) == 0:
            continue
        if index.add_unless_similar(word_shingles(tokens), DUPLICATE_JACCARD):
            continue
        seen.add(key)
        kept.append(item)
    return kept


class ShingleIndex:
    """Shingle sets by shingle: the most similar earlier set without comparing every pair
    (a set that shares no shingle has Jaccard similarity 0).

    The work per shingle is done by set and dict operations in C: most of an item's shingles
    are new to the index, and only the shared ones need a Python step.
    """

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.postings: dict[tuple[str, ...], tuple[int, ...]] = {}

    def add_unless_similar(self, shingle_set: set[tuple[str, ...]], threshold: float) -> bool:
        """True when an indexed set is at least ``threshold`` similar; else index this one."""
        known = shingle_set & self.postings.keys()
        if self._most_similar(shingle_set, known) >= threshold:
            return True
        number = len(self.sizes)
        self.sizes.append(len(shingle_set))
        for shingle in known:
            self.postings[shingle] += (number,)
        self.postings.update(dict.fromkeys(shingle_set - known, (number,)))
        return False

    def _most_similar(
        self, shingle_set: set[tuple[str, ...]], known: set[tuple[str, ...]]
    ) -> float:
        shared = Counter(chain.from_iterable(map(self.postings.__getitem__, known)))
        size = len(shingle_set)
        return max(
            (both / (size + self.sizes[number] - both) for number, both in shared.items()),
            default=0.0,
        )
