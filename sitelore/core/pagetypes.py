"""Page types: what a page is about, from its URL path, the text of links to it and its title.

The type is the crawl budget's prior (pricing before blog posts) and the default
category of the page's knowledge items. The lexicon covers English, German,
French, Spanish, Italian and Dutch words for the same kinds of page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote

from sitelore.models import ItemCategory

# purpose -> words; a trailing "*" matches any word that starts with the stem.
# fmt: off
LEXICON: dict[str, tuple[str, ...]] = {
    "pricing": (
        "pricing", "price", "prices", "plans", "plan", "tarif*", "preis*", "precio*", "prix",
        "prezzi", "prijzen", "kosten", "fees", "fee", "rates", "cost", "costs", "honorar*", "buy",
        "subscription*", "packages", "abonnement*",
    ),
    "menu": (
        "menu", "menus", "speisekarte", "karte", "carte", "food", "drinks", "beer*", "wine*",
        "cocktail*", "brunch", "lunch", "dinner", "carta", "bier*", "getränke",
    ),
    "features": (
        "feature*", "funktion*", "fonctionnalit*", "caracter*", "how-it-works", "tour",
        "capabilit*", "why", "benefits", "vorteile",
    ),
    "product": ("product*", "produkt*", "produit*", "producto*", "platform", "software", "app"),
    "services": (
        "service*", "leistung*", "dienstleistung*", "servicio*", "servizi", "diensten",
        "treatment*", "therap*", "behandlung*", "offer*", "angebot*", "what-we-do", "solutions",
    ),
    "about": (
        "about*", "company", "unternehmen", "über", "ueber", "uber", "story", "mission",
        "who-we-are", "quienes", "chi-siamo", "qui-sommes", "over-ons", "praxis", "philosophy",
    ),
    "team": (
        "team", "our-team", "the-team", "unser-team", "people", "staff", "leadership", "founders",
        "equipe", "équipe", "ärzte",
    ),
    "faq": ("faq*", "questions", "fragen", "preguntas", "domande", "vragen"),
    "contact": (
        "contact*", "kontakt*", "contacto", "contatti", "get-in-touch", "emergency*", "notfall*",
        "notdienst*", "urgent*",
    ),
    "location": (
        "location*", "find-us", "anfahrt", "directions", "hours", "opening-hours",
        "öffnungszeiten", "sprechzeit*", "visit-us", "standort*", "horaires", "horario*",
        "address", "adresse", "map",
    ),
    "integrations": (
        "integration*", "connector*", "apps", "marketplace", "plugins", "extensions", "partners",
        "schnittstelle*",
    ),
    "security": ("security", "trust", "compliance", "sicherheit", "gdpr", "dsgvo", "soc2"),
    "legal": (
        "legal", "terms*", "tos", "privacy", "policy", "policies", "cookie*", "impressum",
        "datenschutz*", "agb", "imprint", "disclaimer", "refund*", "shipping", "returns", "sla",
        "mentions-legales", "aviso-legal", "privacidad", "condizioni", "voorwaarden",
    ),
    "use_cases": ("use-case*", "usecase*", "industries", "industry", "for-*"),
    "customers": (
        "customers", "customer-stories", "customer-story", "case-stud*", "casestud*",
        "testimonial*", "stories", "success", "clients", "kunden", "referenzen", "showcase",
        "review*",
    ),
    "support": (
        "support", "help*", "docs", "documentation", "guide*", "tutorial*", "learn", "hilfe",
        "ayuda", "aide", "kb", "knowledge-base", "resources",
    ),
    "careers": ("career*", "jobs", "join-us", "hiring", "karriere", "stellen*", "empleo"),
    "news": (
        "blog*", "news*", "press", "presse", "article*", "posts", "post", "events", "event",
        "aktuelles", "noticias", "actualit*", "updates", "changelog", "webinar*", "podcast*",
    ),
    "archive": ("tag", "tags", "category", "categories", "author", "authors", "archive*", "page"),
}
# fmt: on

PRIORITY: dict[str, float] = {
    "home": 100,
    "pricing": 95,
    "menu": 90,
    "features": 90,
    "product": 88,
    "services": 88,
    "about": 85,
    "faq": 80,
    "contact": 80,
    "location": 78,
    "integrations": 72,
    "team": 70,
    "security": 68,
    "legal": 62,
    "use_cases": 60,
    "customers": 58,
    "support": 50,
    "other": 40,
    "careers": 35,
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

# Words that name a kind of page in a URL path but are mere calls to action in link text.
LABEL_NOISE = frozenset({"learn", "more", "read", "see", "view", "get", "start", "try"})

# Purposes that, as the first path segment, own everything below them (/blog/pricing-tips).
CONTAINERS = ("news", "archive", "support", "careers", "customers", "legal")

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_DATE_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/|$)|/(19|20)\d\d-\d\d-\d\d")
_PAGINATION = re.compile(r"/page/\d+|[?&](page|p|paged|offset|start)=\d+", re.IGNORECASE)


def _build_index() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    exact: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    for purpose, words in LEXICON.items():
        for word in words:
            if word.endswith("*"):
                stems.append((word[:-1], purpose))
            else:
                exact.setdefault(word, purpose)
    return exact, tuple(stems)


_EXACT, _STEMS = _build_index()


@lru_cache(maxsize=8192)
def word_purpose(word: str) -> str | None:
    """The purpose one word or hyphenated slug names, if any."""
    word = word.lower()
    found = _EXACT.get(word)
    if found is not None:
        return found
    for stem, purpose in _STEMS:
        if word.startswith(stem):
            return purpose
    for part in word.split("-"):
        found = _EXACT.get(part)
        if found is not None and found not in ("archive",):
            return found
        for stem, purpose in _STEMS:
            if part.startswith(stem):
                return purpose
    return None


@lru_cache(maxsize=8192)
def text_purpose(text: str) -> str | None:
    """The purpose of a short text such as a link label or a title, first match wins."""
    for match in _WORD.finditer(text.lower()):
        if match.group() in LABEL_NOISE:
            continue
        found = word_purpose(match.group())
        if found is not None and found != "archive":
            return found
    return None


def path_purpose(path: str) -> str | None:
    segments = [s for s in unquote(path).lower().split("/") if s]
    if not segments:
        return "home"
    segments[-1] = re.sub(r"\.(html?|php|aspx?)$", "", segments[-1])
    first = word_purpose(segments[0])
    if first in CONTAINERS and len(segments) > 1:
        return first
    for segment in reversed(segments):
        found = word_purpose(segment)
        if found is not None:
            return found
    return None


def classify_page(path: str, labels: Iterable[str] = ()) -> str:
    """The page's purpose from its path, else from the labels of links to it (or its title)."""
    found = path_purpose(path)
    if found is not None:
        return found
    for label in labels:
        found = text_purpose(label)
        if found is not None:
            return found
    return "other"


def is_low_value_path(url: str) -> bool:
    """Dated paths, pagination and listings: the last things a small budget should buy."""
    return bool(_DATE_PATH.search(url) or _PAGINATION.search(url))
