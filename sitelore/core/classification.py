"""A business classified from its key pages (home, about), in the shape of the hosted
anchor's ``POST /v1/classify``: each field from a signal the pages carry, or ``None``.

* ``businessName``, ``description``, ``logo``: the profile an extraction builds
  (:mod:`sitelore.core.profile`), from these pages only.
* ``industrySector``: the profile's industry label; ``None`` where it is ``Other`` (no
  label won: there is no sector to tell).
* ``confidenceScore``: how sure that label is (:func:`~sitelore.core.profile.category_verdict`:
  0.95 for a schema.org type the site declares, else the lexicon's strength × share, at most
  0.9); ``None`` with the sector.
* ``businessType``: the schema.org organisation type the pages' JSON-LD declares, the most
  specific one, in words ("CafeOrCoffeeShop" → "Cafe or coffee shop"); else ``None``.
* ``targetAudience``: JSON-LD ``audience`` (``audienceType`` or ``name``); else ``None``:
  an audience is never guessed from the words of a page.
* ``valueProposition``: the home page's first ``<h1>``, else its ``og:title``, without the
  brand, when it says more than the name (a greeting plus the name does not); else ``None``.
* ``uniqueSellingPoints``: the short titles of repeated cards (a feature grid) on the key
  pages, at most five; groups of priced cards (plans, a menu) and of people (a team) are
  not selling points. ``None`` when there are none, as for every field we cannot tell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sitelore.core.assemble import CrawledPage, home_document, profile_order
from sitelore.core.categories import names_role
from sitelore.core.chunks import Chunk, split_chunks
from sitelore.core.document import Document
from sitelore.core.industry import SCHEMA_TYPES
from sitelore.core.knowledge import looks_like_name
from sitelore.core.metadata import jsonld_types
from sitelore.core.profile import GENERIC_NAMES, TITLE_SEPARATORS, category_verdict, strip_brand
from sitelore.core.text import AMOUNT, clean_text, words
from sitelore.models import BusinessProfile

NO_SECTOR = "Other"
# Types that say a node is an organisation but not which kind: any subtype beats them.
BROAD_ORGANIZATIONS = frozenset({"Organization", "Corporation", "LocalBusiness", "OnlineBusiness"})
# Kinds of organisation that the industry table leaves out (they name no single industry).
NAMED_ORGANIZATIONS = frozenset(
    {
        "NewsMediaOrganization",
        "SportsOrganization",
        "ProfessionalService",
        "PerformingGroup",
        "ResearchOrganization",
        "Consortium",
        "Cooperative",
        "FundingScheme",
        "LibrarySystem",
        "PoliticalParty",
        "WorkersUnion",
        "Library",
        "ChildCare",
        "EmploymentAgency",
        "TouristInformationCenter",
    }
)
MAX_TAGLINE = 160  # characters: longer is a paragraph set in a heading, not a tagline
MIN_TAGLINE_WORDS = 2  # beyond the name's own words ...
MIN_NAMED_TAGLINE_WORDS = 3  # ... and when it names the business ("Welcome to Acme": no)
MIN_NAME_WORD = 3
MAX_SELLING_POINTS = 5
MAX_POINT_CHARS = 80
MAX_POINT_WORDS = 10
MAX_AUDIENCE = 200
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+")


@dataclass(frozen=True)
class Classification:
    url: str
    domain: str
    business_name: str | None
    business_type: str | None
    industry_sector: str | None
    target_audience: str | None
    description: str | None
    value_proposition: str | None
    unique_selling_points: tuple[str, ...] | None
    confidence_score: float | None
    logo: str | None
    pages: tuple[str, ...]  # the URLs read, the home page first

    def to_dict(self) -> dict[str, Any]:
        """The answer's JSON: the SDK's camelCase names, then ours."""
        points = self.unique_selling_points
        return {
            "businessName": self.business_name,
            "businessType": self.business_type,
            "industrySector": self.industry_sector,
            "targetAudience": self.target_audience,
            "description": self.description,
            "valueProposition": self.value_proposition,
            "uniqueSellingPoints": None if points is None else list(points),
            "confidenceScore": self.confidence_score,
            "url": self.url,
            "domain": self.domain,
            "logo": self.logo,
            "pages": list(self.pages),
        }


def classify(url: str, pages: Sequence[CrawledPage], business: BusinessProfile) -> Classification:
    """The classification of the site of ``url`` from its key ``pages`` (at least one) and
    the profile the pipeline built from them."""
    home = home_document(pages)
    ordered = profile_order(pages, home)
    verdict = category_verdict(ordered, home)
    # The sector is the profile's; the verdict only says how sure it is (the same pages in
    # the same order give the same label).
    known = business.category != NO_SECTOR and verdict.label == business.category
    sector = business.category if business.category != NO_SECTOR else None
    return Classification(
        url=url,
        domain=business.domain,
        business_name=business.name or None,
        business_type=declared_type(ordered),
        industry_sector=sector,
        target_audience=declared_audience(ordered),
        description=business.description or None,
        value_proposition=value_proposition(home or ordered[0], business.name),
        unique_selling_points=tuple(selling_points(ordered)) or None,
        confidence_score=verdict.confidence if known else None,
        logo=business.logo,
        pages=tuple(page.document.url for page in pages),
    )


# --- business type ------------------------------------------------------------------------


def declared_type(documents: Sequence[Document]) -> str | None:
    """The most specific organisation type the documents' JSON-LD declares, in words; the
    first of the most specific when they declare several (the home page's first)."""
    best, rank = "", 0
    for document in documents:
        for node in document.jsonld:
            for name in jsonld_types(node):
                level = _specificity(name)
                if level > rank:
                    best, rank = name, level
    return humanised(best) if best else None


def _specificity(type_name: str) -> int:
    """3 for a type of the industry table (Dentist), 2 for another kind of organisation,
    1 for a plain one, 0 for a type that is no organisation (WebSite, Product)."""
    if type_name in SCHEMA_TYPES:
        return 3
    if type_name in NAMED_ORGANIZATIONS:
        return 2
    return 1 if type_name in BROAD_ORGANIZATIONS else 0


def humanised(type_name: str) -> str:
    """A schema.org type name in words: "BarOrPub" → "Bar or pub", "HVACBusiness" →
    "HVAC business" (acronyms keep their capitals)."""
    parts = _CAMEL.findall(type_name)
    if not parts:
        return type_name
    rest = [part if part.isupper() and len(part) > 1 else part.lower() for part in parts[1:]]
    return " ".join([parts[0], *rest])


# --- audience -----------------------------------------------------------------------------


def declared_audience(documents: Sequence[Document]) -> str | None:
    """The audience the JSON-LD declares (``audience.audienceType``, else its ``name``)."""
    found: list[str] = []
    for document in documents:
        for node in document.jsonld:
            found.extend(_audience_names(node.get("audience")))
    named = list(dict.fromkeys(name for name in found if name))
    text = ", ".join(named)
    return text if named and len(text) <= MAX_AUDIENCE else None


def _audience_names(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield clean_text(value)
    elif isinstance(value, list):
        for entry in value[:10]:
            yield from _audience_names(entry)
    elif isinstance(value, dict):
        kind = value.get("audienceType")
        if isinstance(kind, str | list) and kind:
            yield from _audience_names(kind)
        elif isinstance(value.get("name"), str):
            yield clean_text(value["name"])


# --- value proposition --------------------------------------------------------------------


def value_proposition(home: Document, name: str) -> str | None:
    """The home page's first ``<h1>``, else its ``og:title``, when it is a tagline."""
    heading = next(
        (
            block.text
            for block in home.blocks
            if block.kind == "heading" and block.level == 1 and block.zone not in ("nav", "footer")
        ),
        "",
    )
    for candidate in (heading, home.metadata.og.get("og:title", "")):
        tagline = _tagline(candidate, name)
        if tagline is not None:
            return tagline
    return None


def _tagline(text: str, name: str) -> str | None:
    text = clean_text(text)
    segments = [s for s in TITLE_SEPARATORS.split(text) if s.strip()]
    if len(segments) > 1 and any(words(s) == words(name) for s in segments):
        text = strip_brand(text, name)  # "Acme | Scheduling, simplified"
    said = words(text)
    if not said or len(text) > MAX_TAGLINE or " ".join(said) in GENERIC_NAMES:
        return None
    own = set(words(name))
    beyond = [word for word in said if word not in own]
    # A heading that names the business ("Welcome to Acme", "Acme Plumbing Co") must say
    # more than a greeting or a suffix; a word of two letters ("de", "la") names nothing.
    named = any(len(word) >= MIN_NAME_WORD and word in own for word in said)
    needed = MIN_NAMED_TAGLINE_WORDS if named else MIN_TAGLINE_WORDS
    return text if len(beyond) >= needed else None


# --- selling points -----------------------------------------------------------------------


def selling_points(documents: Sequence[Document]) -> list[str]:
    """Titles of the repeated cards of the documents, in order, at most five."""
    points: dict[str, str] = {}
    for document in documents:
        main = [block for block in document.blocks if block.zone == "main"]
        for group in _card_groups(split_chunks(main)):
            if _is_offer_grid(group):
                for chunk in group:
                    points.setdefault(" ".join(words(chunk.title)), clean_text(chunk.title))
    return [title for key, title in points.items() if key][:MAX_SELLING_POINTS]


def _card_groups(chunks: Iterable[Chunk]) -> Iterator[list[Chunk]]:
    """Runs of sibling cards: card chunks in a row under the same headings."""
    run: list[Chunk] = []
    for chunk in chunks:
        if chunk.kind == "card" and run and chunk.parents == run[0].parents:
            run.append(chunk)
            continue
        if len(run) >= 2:
            yield run
        run = [chunk] if chunk.kind == "card" else []
    if len(run) >= 2:
        yield run


def _is_offer_grid(group: Sequence[Chunk]) -> bool:
    """Cards with short titles of their own that start with a word (not figures), none
    priced (plans, a menu), not people (a team)."""
    if not all(_is_short_title(chunk.title) for chunk in group):
        return False
    if any(AMOUNT.search(chunk.body_text) or AMOUNT.search(chunk.title) for chunk in group):
        return False
    people = all(looks_like_name(chunk.title) for chunk in group) and (
        sum(names_role(chunk.body_text) for chunk in group) * 2 >= len(group)
    )
    return not people


def _is_short_title(title: str) -> bool:
    title = clean_text(title)
    return (
        title[:1].isalpha()  # "12,000+", "9 days": a band of figures, not what is offered
        and len(title) <= MAX_POINT_CHARS
        and len(title.split()) <= MAX_POINT_WORDS
        and not title.endswith("?")
    )
