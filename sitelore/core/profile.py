"""The business profile: name, domain, industry, one-line description, logo.

The name is what several independent signals agree on: ``og:site_name``, JSON-LD
names, the logo's alt text, the part every page title shares ("Pricing | Acme",
"About | Acme") and the domain's own label.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sitelore.core.document import Document
from sitelore.core.industry import (
    industry_confidence,
    industry_evidence,
    industry_from_schema,
    industry_label,
    industry_scores,
)
from sitelore.core.metadata import jsonld_types
from sitelore.core.text import clean_text, first_sentence
from sitelore.core.urls import registrable_domain
from sitelore.models import BusinessProfile, ItemCategory

TITLE_SEPARATORS = re.compile(r"\s+[|\-–—•·:»/]\s+|\s*[|–—•·»]\s*")
ORG_TYPES = frozenset({"Organization", "Corporation", "LocalBusiness", "Brand", "WebSite"})
GENERIC_NAMES = frozenset(
    {
        "home",
        "homepage",
        "home page",
        "welcome",
        "index",
        "startseite",
        "accueil",
        "inicio",
        "start",
        "main",
        "untitled",
        "website",
        "official website",
        "page not found",
        "404",
    }
)
MAX_NAME_WORDS = 6
DECLARED_CONFIDENCE = 0.95  # the site's JSON-LD names a business type of the taxonomy
MIN_EVIDENCE = 2
# Industries whose businesses serve a place: where they are is part of what they are.
LOCAL_INDUSTRIES = frozenset(
    {
        "Healthcare",
        "Legal Services",
        "Real Estate",
        "Travel & Hospitality",
        "Restaurants & Food Service",
        "Food & Beverage",
        "Construction & Home Services",
        "Beauty & Personal Care",
        "Professional Services & Consulting",
        "Sports & Fitness",
        "Photography",
        "Automotive",
        "Education & E-learning",
        "Financial Services & Insurance",
        "Retail & Online Stores",
        "Logistics & Transportation",
    }
)


# Businesses whose offer is a thing (a room, a dish, a car), not work done for the customer.
PRODUCT_INDUSTRIES = frozenset(
    {
        "Travel & Hospitality",
        "Restaurants & Food Service",
        "Food & Beverage",
        "Retail & Online Stores",
        "Real Estate",
        "Automotive",
        "Manufacturing & Industrial",
    }
)
# Organisations that are not local but whose offer is work done, not software.
WORK_INDUSTRIES = frozenset({"Nonprofit & Government", "Energy & Utilities"})


def offer_category(industry: str) -> ItemCategory:
    """What a page about the offer of a business of this industry describes: a product,
    a service (a nonprofit's programmes too), or (software and everything else) a feature."""
    if industry in PRODUCT_INDUSTRIES:
        return ItemCategory.PRODUCT
    if industry in LOCAL_INDUSTRIES or industry in WORK_INDUSTRIES:
        return ItemCategory.SERVICE
    return ItemCategory.FEATURE


_MARKS = str.maketrans("", "", "®™℠©")  # signs beside a name, never part of it


def build_profile(
    documents: Sequence[Document], home: Document | None, locality: str | None = None
) -> BusinessProfile:
    """The profile from every page fetched; ``home`` is the start page when it was fetched.

    ``locality`` (the town of the business's address) completes the description of a
    local business that does not say where it is.
    """
    reference = home or documents[0]
    domain = registrable_domain(_host(reference.url))
    name = business_name(documents, home, domain)
    category = business_category(documents, home)
    return BusinessProfile(
        name=name,
        domain=domain,
        category=category,
        description=_placed(
            business_description(documents, home, name, category, locality).translate(_MARKS),
            locality,
            category,
        ),
        logo=next((logo for doc in _home_first(documents, home) for logo in doc.logos), None),
    )


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def _home_first(documents: Sequence[Document], home: Document | None) -> list[Document]:
    return [home, *(d for d in documents if d is not home)] if home else list(documents)


# --- name ---------------------------------------------------------------------------------


def business_name(documents: Sequence[Document], home: Document | None, domain: str) -> str:
    votes: dict[str, float] = defaultdict(float)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)

    def vote(name: str, weight: float) -> None:
        name = _clean_name(name)
        key = _name_key(name)
        if not key or key in GENERIC_NAMES or len(name.split()) > MAX_NAME_WORDS:
            return
        votes[key] += weight
        spellings[key][name] += 1

    read = _home_first(documents, home)[:12]
    # The template repeats its logo and metadata on every page: a source counts once, by
    # the share of pages that carry it, as the title affixes below do.
    share = 1 / len(read)
    for document in read:
        vote(document.metadata.site_name, 3.0 * share)
        for alt in document.logo_alts[:1]:
            vote(alt, 1.5 * share)
        for node in document.jsonld:
            if ORG_TYPES & set(jsonld_types(node)) or _is_business(node):
                name = node.get("name")
                if isinstance(name, str):
                    vote(name, (2.0 if "WebSite" in jsonld_types(node) else 3.0) * share)
    for name, weight in _title_affixes(documents, home):
        vote(name, weight)
    label = domain.split(".", 1)[0]
    for key in list(votes):
        if _related(key, label):
            votes[key] += 2.5
    if not votes:
        return label.capitalize()
    best = max(votes, key=lambda key: (votes[key], -len(key)))
    return spellings[best].most_common(1)[0][0]


def _is_business(node: dict[str, object]) -> bool:
    return industry_from_schema(jsonld_types(node)) is not None


def _title_affixes(documents: Sequence[Document], home: Document | None) -> list[tuple[str, float]]:
    counts: Counter[str] = Counter()
    forms: dict[str, str] = {}
    titled = [d for d in documents if d.title]
    for document in titled:
        for segment in {_clean_name(s) for s in TITLE_SEPARATORS.split(document.title)}:
            key = _name_key(segment)
            if key:
                counts[key] += 1
                forms.setdefault(key, segment)
    found: list[tuple[str, float]] = []
    if len(titled) >= 2:
        for key, count in counts.items():
            if count >= 2:
                found.append((forms[key], 4.0 * count / len(titled)))
    if home is not None and home.title:
        segments = [s for s in TITLE_SEPARATORS.split(home.title) if s.strip()]
        if segments:
            found.append((segments[0], 1.0))
            found.append((segments[-1], 0.8))
    return found


def _clean_name(name: str) -> str:
    name = clean_text(name).translate(_MARKS)
    name = re.sub(r"\b(logo|homepage|home page)\b", "", name, flags=re.IGNORECASE)
    return name.strip(" -|:,.")


def _name_key(name: str) -> str:
    return re.sub(r"[\W_]+", " ", name.casefold()).strip()


def _related(key: str, label: str) -> bool:
    compact = key.replace(" ", "")
    label = label.lower().replace("-", "")
    if not compact or not label:
        return False
    return compact == label or compact.startswith(label) or label.startswith(compact)


# --- description --------------------------------------------------------------------------


def business_description(
    documents: Sequence[Document],
    home: Document | None,
    name: str,
    category: str,
    locality: str | None = None,
) -> str:
    """What the business says it does, in one sentence: its own summary first, else its words."""
    reference = home or documents[0]
    tagline = strip_brand(reference.title, name)
    sentences = _telling_sentences(_home_first(documents, home)[:2], category)
    telling = [s for s in sentences if industry_evidence(s, category) >= MIN_EVIDENCE]
    candidates = [
        reference.metadata.description,
        reference.metadata.og.get("og:description", ""),
        reference.metadata.og.get("twitter:description", ""),
        *(_jsonld_description(d) for d in _home_first(documents, home)[:3]),
        f"{name}: {tagline}." if len(tagline) >= 20 and tagline != reference.title else "",
        *telling,
        f"{name} ({locality})." if locality and industry_evidence(name, category) else "",
        *sentences,
    ]
    for candidate in candidates:
        sentence = first_sentence(candidate, 300)
        if len(sentence) >= 40 and sentence.casefold() not in GENERIC_NAMES:
            return sentence
    fallback = next((c for c in candidates if len(clean_text(c)) >= 20), "")
    return first_sentence(fallback or reference.title or "", 300)


def _placed(description: str, locality: str | None, category: str) -> str:
    if not locality or category not in LOCAL_INDUSTRIES:
        return description
    town = locality.split(",")[0].strip().casefold()
    if town in description.casefold():
        return description
    placed = f"{description.rstrip('. ')} ({locality})."
    return placed if len(placed) <= 300 else description


def strip_brand(title: str, name: str) -> str:
    """A page title without the brand: "Pricing | Acme" → "Pricing"."""
    key = _name_key(name)
    segments = [s for s in TITLE_SEPARATORS.split(title) if s.strip()]
    kept = [s.strip() for s in segments if _name_key(_clean_name(s)) != key]
    return kept[0] if kept else ""


def _jsonld_description(document: Document) -> str:
    for node in document.jsonld:
        if ORG_TYPES & set(jsonld_types(node)) or _is_business(node):
            text = node.get("description")
            if isinstance(text, str):
                return text
    return ""


def _telling_sentences(documents: Sequence[Document], category: str) -> list[str]:
    """First sentences of the opening paragraphs, those that use the industry's words first."""
    sentences = [
        first_sentence(block.text)
        for document in documents
        for block in document.blocks
        if block.zone == "main" and block.kind == "text" and len(block.text) >= 60
    ][:12]
    sentences = [s for s in sentences if _is_prose(s)]
    return sorted(sentences, key=lambda s: -industry_evidence(s, category))


def _is_prose(sentence: str) -> bool:
    """A real sentence, not a schedule, a list of numbers or a greeting cut at a comma."""
    if not 40 <= len(sentence) <= 250 or not sentence.endswith((".", "!", "…")):
        return False
    digits = sum(char.isdigit() for char in sentence)
    return digits <= len(sentence) * 0.08


# --- industry -----------------------------------------------------------------------------


def business_category(documents: Sequence[Document], home: Document | None) -> str:
    return category_verdict(documents, home).label


@dataclass(frozen=True)
class CategoryVerdict:
    """The industry label and how sure of it the evidence makes us (0..1)."""

    label: str
    confidence: float


def category_verdict(documents: Sequence[Document], home: Document | None) -> CategoryVerdict:
    """The industry: a schema.org type the pages declare (``DECLARED_CONFIDENCE``: only the
    table from type to label can be wrong), else the lexicon's scores of their words
    (:func:`~sitelore.core.industry.industry_confidence`)."""
    ordered = _home_first(documents, home)
    for document in ordered:
        for node in document.jsonld:
            label = industry_from_schema(jsonld_types(node))
            if label is not None:
                return CategoryVerdict(label, DECLARED_CONFIDENCE)
    scores = industry_scores(_category_texts(ordered))
    label = industry_label(scores)
    return CategoryVerdict(label, industry_confidence(scores, label))


def _category_texts(ordered: Sequence[Document]) -> list[tuple[str, float]]:
    texts: list[tuple[str, float]] = []
    for rank, document in enumerate(ordered[:10]):
        # The home page speaks for the business; other pages add evidence, less of it each.
        weight = 1.0 if rank == 0 else 0.6 if rank == 1 else 0.3
        meta = document.metadata
        texts += [(meta.title, 3 * weight), (meta.description, 3 * weight)]
        texts.append((meta.og.get("og:description", ""), 1.5 * weight))
        headings = " \n".join(b.text for b in document.blocks if b.kind == "heading")
        texts.append((headings[:2000], 2 * weight))
        body = " \n".join(b.text for b in document.blocks if b.zone == "main")
        texts.append((body[:4000], 0.5 * weight))
    return texts
