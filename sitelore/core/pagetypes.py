"""Page types: what a page is about, from its URL path, the text of links to it and its title.

The type is the crawl budget's prior (pricing before blog posts) and the default
category of the page's knowledge items. The words that name each kind of page are
per-language data (``sitelore/lexicon``), matched with accents and case folded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import unquote

from sitelore.core.lexicon import (
    LANGUAGES,
    compound_heads,
    cta_words,
    fold,
    page_words,
    primary_subtag,
)
from sitelore.models import ItemCategory

PRIORITY: dict[str, float] = {
    "home": 100,
    "pricing": 95,
    "menu": 90,
    "features": 90,
    "product": 88,
    "services": 88,
    "contact": 86,  # where a local business gives its address, phone and hours
    "about": 85,
    "location": 84,
    "faq": 80,
    "integrations": 72,
    "team": 70,
    "security": 68,
    "legal": 62,
    "use_cases": 60,
    "customers": 58,
    "support": 50,
    "other": 40,
    "careers": 55,
    "news": 20,
    "archive": 5,
}

CATEGORY: dict[str, ItemCategory] = {
    "home": ItemCategory.FEATURE,
    "pricing": ItemCategory.PRICING,
    "menu": ItemCategory.PRODUCT,
    "features": ItemCategory.FEATURE,
    "product": ItemCategory.PRODUCT,
    "services": ItemCategory.SERVICE,
    "about": ItemCategory.ABOUT,
    "team": ItemCategory.TEAM,
    "faq": ItemCategory.FAQ,
    "contact": ItemCategory.CONTACT,
    "location": ItemCategory.LOCATION,
    "integrations": ItemCategory.INTEGRATION,
    "security": ItemCategory.SECURITY,
    "legal": ItemCategory.POLICY,
    "use_cases": ItemCategory.USE_CASE,
    "customers": ItemCategory.CUSTOMER,
    "support": ItemCategory.SUPPORT,
    "careers": ItemCategory.CAREERS,
    "news": ItemCategory.NEWS,
    "archive": ItemCategory.NEWS,
    "other": ItemCategory.OTHER,
}

# Purposes that, as the first path segment, own everything below them (/blog/pricing-tips).
CONTAINERS = ("news", "archive", "support", "careers", "customers", "legal", "integrations")

ARTICLE_SLUG_WORDS = 4  # "commencer-carriere-freelance-patron" is a post, not a section
MIN_COMPOUND_HEAD = 5  # "preise", "praxis": shorter words end too many unrelated ones
MIN_COMPOUND_PART = 3
MIN_COMPOUND = MIN_COMPOUND_HEAD + MIN_COMPOUND_PART
_LANGUAGE_SEGMENT = re.compile(r"[a-z]{2}(?:[-_][a-z]{2})?", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_DATE_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/|$)|/(19|20)\d\d-\d\d-\d\d")
_PAGINATION = re.compile(r"/page/\d+|[?&](page|p|paged|offset|start)=\d+", re.IGNORECASE)


@dataclass(frozen=True)
class _Vocabulary:
    """The page words of some languages, indexed for one dictionary look-up per length."""

    exact: dict[str, str]  # folded word or slug → purpose
    stems: tuple[tuple[int, dict[str, str]], ...]  # (length, stem → purpose), longest first
    noise: frozenset[str]  # call-to-action words
    heads: tuple[tuple[int, dict[str, str]], ...]  # (length, compound end → purpose)


def _by_length(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[int, dict[str, str]], ...]:
    sized: dict[int, dict[str, str]] = {}
    for word, purpose in sorted(pairs):
        sized.setdefault(len(word), {}).setdefault(word, purpose)
    return tuple(sorted(sized.items(), reverse=True))  # the most specific decides


@cache
def _index(language: str | None = None) -> _Vocabulary:
    """The words that name kinds of page.

    With a ``language``, its words and English ones (which sites of every language use:
    "FAQ", "Blog"); without, every language's: a heading of an English page must not be
    read with Dutch words ("Route optimisation" is no directions page).
    """
    codes = None if language is None else tuple(dict.fromkeys((language, "en")))
    exact: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    for purpose, words in page_words(codes).items():
        for word in words:
            if word.endswith("*"):
                stems.append((word[:-1], purpose))
            else:
                exact.setdefault(word, purpose)
    heads = [
        (word, purpose)
        for word, purpose in compound_heads(codes)
        if len(word) >= MIN_COMPOUND_HEAD and purpose not in ("archive", "news")
    ]
    return _Vocabulary(exact, _by_length(stems), cta_words(), _by_length(heads))


def _stem_purpose(word: str, language: str | None) -> str | None:
    for length, stems in _index(language).stems:
        found = stems.get(word[:length]) if len(word) >= length else None
        if found is not None:
            return found
    return None


def _compound_purpose(word: str, language: str | None) -> str | None:
    """German, Dutch and Nordic words join nouns: "Zimmerpreise", "gastenverblijf" and
    "åbningstider" end with a word that names the kind of page."""
    if len(word) < MIN_COMPOUND:
        return None
    for length, heads in _index(language).heads:
        if len(word) - length >= MIN_COMPOUND_PART:
            found = heads.get(word[-length:])
            if found is not None:
                return found
    return None


def _one_word_purpose(word: str, language: str | None) -> str | None:
    return (
        _index(language).exact.get(word)
        or _stem_purpose(word, language)
        or _compound_purpose(word, language)
    )


@lru_cache(maxsize=8192)
def word_purpose(word: str, language: str | None = None) -> str | None:
    """The purpose one word or hyphenated slug names, if any (accents and case folded).

    A slug of many words is an article's title ("how-to-start-a-freelance-career"): only
    its first word can name a section ("pricing-for-small-teams")."""
    word = fold(word)
    found = _one_word_purpose(word, language)
    if found is not None:
        return found
    parts = word.split("-")
    for part in parts[:1] if len(parts) >= ARTICLE_SLUG_WORDS else parts:
        found = _one_word_purpose(part, language)
        if found is not None and found != "archive":
            return found
    return None


@lru_cache(maxsize=8192)
def text_purpose(text: str, language: str | None = None) -> str | None:
    """The purpose of a short text such as a link label or a title, first match wins, in
    ``language`` (and English) when it is known.

    Two or three words in a row are tried as one slug first ("Chi siamo" = ``chi-siamo``).
    """
    vocabulary = _index(language if language in LANGUAGES else None)
    exact, noise = vocabulary.exact, vocabulary.noise
    tokens = [t for t in _WORD.findall(fold(text)) if t not in noise]
    for index, token in enumerate(tokens):
        for size in (3, 2):
            phrase = "-".join(tokens[index : index + size])
            if phrase.count("-") == size - 1 and exact.get(phrase) not in (None, "archive"):
                return exact[phrase]
        found = word_purpose(token, language if language in LANGUAGES else None)
        if found is not None and found != "archive":
            return found
    return None


def path_purpose(path: str, language: str | None = None) -> str | None:
    """The purpose a URL path names, read in the language of its prefix (/de/), else in
    ``language`` (the site's) and English, else in every language."""
    segments = [s.replace("_", "-") for s in unquote(path).lower().split("/") if s]
    prefix = language_prefix(segments[0]) if segments else None
    if prefix is not None:
        segments = segments[1:]  # /de/leistungen/ is a services page, /fr/ a home page
    if not segments:
        return "home"
    read_in = _known(prefix) or _known(language)
    segments[-1] = re.sub(r"\.(html?|php|aspx?)$", "", segments[-1])
    first = _segment_purpose(segments[0], read_in)
    if first in CONTAINERS and len(segments) > 1:
        return first
    for segment in reversed(segments):
        found = _segment_purpose(segment, read_in)
        if found is not None:
            return found
    return None


def _segment_purpose(segment: str, language: str | None) -> str | None:
    """A path segment in the site's words, else a whole word of another language: sites
    keep some slugs of their home country ("/impressum/" on an English page), but a
    French "productivite" is no Dutch "product*"."""
    found = word_purpose(segment, language)
    if found is None and language is not None:
        found = _index(None).exact.get(fold(segment))
    return found


def language_prefix(segment: str) -> str | None:
    """The language a first path segment names (``de``, ``fr-be``, ``pt_BR``), if any."""
    if _LANGUAGE_SEGMENT.fullmatch(segment) is None:
        return None
    return primary_subtag(segment)


def path_language(path: str) -> str | None:
    """The language of a page's URL path prefix (/de/kontakt → de), if it has one."""
    first = unquote(path).lower().strip("/").split("/", 1)[0]
    return language_prefix(first) if first else None


def _known(language: str | None) -> str | None:
    return language if language in LANGUAGES else None


def classify_page(path: str, labels: Iterable[str] = (), language: str | None = None) -> str:
    """The page's purpose from its path, else from the labels of links to it (or its title),
    read in the site's ``language`` (and English) when it is known."""
    return page_kind(path, labels, language)[0]


def page_kind(
    path: str, labels: Iterable[str] = (), language: str | None = None
) -> tuple[str, str | None]:
    """:func:`classify_page` and what told it (for ``--explain``): ``""`` the path, else the
    label that named the kind, else None (nothing did: the kind is ``other``)."""
    found = path_purpose(path, language)
    if found is not None:
        return found, ""
    for label in labels:
        found = text_purpose(label, language)
        if found is not None:
            return found, label
    return "other", None


def is_low_value_path(url: str) -> bool:
    """Dated paths, pagination and listings: the last things a small budget should buy."""
    return bool(_DATE_PATH.search(url) or _PAGINATION.search(url))
