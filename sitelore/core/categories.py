"""The category of one knowledge item, from the strongest evidence to the weakest.

1. What the item is: a question with its answer is FAQ; a plan with a price is PRICING.
2. What its own heading and the headings above it say ("Pricing", "FAQ", "Our team").
3. What its text is made of: contact details, opening hours, a testimonial.
4. What the page is (its URL, title and the links to it), else the site-wide default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from sitelore.core.lexicon import alternation, cue_phrases, fold, words_of
from sitelore.core.pagetypes import CATEGORY, text_purpose
from sitelore.core.text import AMOUNT, EMAIL, PRICE
from sitelore.models import ItemCategory

# Purposes a heading may name that override the page's own type ...
STRONG_HEADINGS = frozenset(
    {
        "pricing",
        "faq",
        "integrations",
        "security",
        "customers",
        "team",
        "contact",
        "location",
        "careers",
        "legal",
    }
)
# ... and those that only override a page of no particular type.
WEAK_HEADINGS = frozenset({"use_cases", "features", "services", "about", "menu", "product"})
GENERAL_PAGES = frozenset({"home", "other", "about", "product"})
# Pages whose type says more than their headings: a "Fees" clause in terms of service is policy.
LOCKED_PAGES: dict[str, frozenset[str]] = {
    "legal": frozenset({"security", "contact", "location"}),
    "news": frozenset({"faq"}),
    "careers": frozenset({"faq"}),
}


@cache
def _hours_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A time range, a day followed by one, and a clock mark; built from every language's
    day names, clock words ("uhr", "pm") and range words ("bis", "to", "à"), on folded text."""
    clock = alternation(words_of("clock_words"))
    joins = alternation(words_of("range_words"))
    days = alternation(words_of("days"))
    time = rf"\d{{1,2}}(?:[:.h]\d{{2}})?\s*(?:(?:{clock})(?!\w)\.?)?"
    time_range = rf"{time}\s*(?:[-–—]|(?:{joins})(?!\w))\s*{time}"
    hours = re.compile(rf"(?<!\w)(?:{days})(?!\w)\.?(.{{0,40}}?)({time_range})")
    # A clock word may follow a digit ("11am") but not a letter ("cham"), or stand before
    # the range ("kl. 9-17", "godz. 10-18").
    clock_mark = re.compile(rf"[:.h]\d{{2}}|(?<![^\W\d_])(?:{clock})(?!\w)")
    return re.compile(time_range), hours, clock_mark


def mentions_hours(text: str) -> bool:
    """Opening hours: a day (or "daily") and a time range that is clearly a time of day:
    written as one ("9:00", "9h", "5pm", "kl. 9-17") or right after the day ("Lørdag 10-14")."""
    time_range, hours, clock_mark = _hours_patterns()
    folded = fold(text)
    if time_range.search(folded) is None:
        return False  # the cheap half first: most texts have no time range at all
    for match in hours.finditer(folded):
        gap, found = match.groups()
        if clock_mark.search(found) or clock_mark.search(gap):
            return True
        if _DAY_GAP.fullmatch(gap) and _business_hours(found):
            return True
    return False


def _business_hours(time_range: str) -> bool:
    """A bare range that reads as hours of a working day ("10-14", "8 - 18"), not "1-3"."""
    numbers = [int(number) for number in re.findall(r"\d{1,2}", time_range)]
    start, end = numbers[0], numbers[-1]
    return OPENS_FROM <= start <= OPENS_UNTIL and start < end <= LAST_HOUR


OPENS_FROM, OPENS_UNTIL, LAST_HOUR = 5, 20, 24
_DAY_GAP = re.compile(r"[\s:,]{0,3}")  # "Lørdag 10-14", "Sa: 10-14"
PHONE_LINE = re.compile(
    r"(^|\n)[-*\s]*(?:(?:tel|phone|fon|telefon|fax|mobil)\w*\.?[-:\s]*)?\+?\(?\d[\d\s/().-]{6,}\d\s*($|\n)",
    re.IGNORECASE,
)
DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
QUOTING_PAGES = frozenset({"news", "legal", "support"})
MAX_HEADING_WORDS = 4  # "Our team", "Opening hours and location"; longer is a title
MAX_PARENT_HEADING_WORDS = 3
TESTIMONIAL = re.compile(r"^\s*[\"“„«]")
MENU_PURPOSES = frozenset({"menu"})
UNTYPED_PAGES = frozenset({"home", "other"})
# Pages whose question-shaped headings are no FAQ: a privacy policy ("What data do we
# keep?"), a blog interview.
UNASKED_PAGES = frozenset({"legal", "news"})
# Pages whose items may take their category from the phrases they use: the general ones,
# where a house rule or a price sits among descriptions of the offer, and the contact page
# (how a booking works, where to park).
CUED_PAGES = frozenset({"home", "other", "about", "product", "pricing", "location", "contact"})
CUED_CATEGORIES = (
    ItemCategory.POLICY,
    ItemCategory.PRICING,
    ItemCategory.LOCATION,
    ItemCategory.TEAM,
    ItemCategory.CUSTOMER,
)
SHORT_CUED_TEXT = 400
MAX_CUED_TEXT = 700  # the part of a text whose phrases are read
LONG_TEXT_OPENING, LONG_TEXT_CUES = 300, 3
LEAD_CHARS = 40
ROLE_CHARS = 200  # a card gives the role next to the name, before the bio
_CUE_WORD = re.compile(r"[^\W_]+")
_OFFER_REASONS = {
    ItemCategory.PRICING: "it has a price",
    ItemCategory.PRODUCT: "it has a price",
    ItemCategory.FEATURE: "without a price: a feature",
}


@dataclass(frozen=True)
class Verdict:
    """An item's category and, in a few words, why (for ``--explain``)."""

    category: ItemCategory
    reason: str


def judge(
    title: str,
    parents: tuple[str, ...],
    text: str,
    kind: str,
    page_purpose: str,
    default: ItemCategory | None,
    from_table: bool = False,
    language: str | None = None,
) -> Verdict:
    """The category of one item and the evidence that decided it."""
    if page_purpose not in UNASKED_PAGES and (
        kind == "faq" or (title.rstrip().endswith("?") and page_purpose == "faq")
    ):
        return Verdict(ItemCategory.FAQ, "a question with its answer")
    # A blockquote is a client's only with its author; a pull quote of the business's own
    # motto or a notice has none. A testimonial is one by its markup.
    said = kind == "testimonial" or (kind == "quote" and bool(title))
    if said and page_purpose not in QUOTING_PAGES:
        return Verdict(ItemCategory.CUSTOMER, "a quotation with its author, or a testimonial")
    if kind == "person" and page_purpose not in QUOTING_PAGES:
        return Verdict(ItemCategory.TEAM, "cards of people with their roles")
    if kind == "plan" and page_purpose not in MENU_PURPOSES:
        return Verdict(ItemCategory.PRICING, "one of plans side by side, most of them priced")
    offered = (from_table or kind == "card") and page_purpose not in MENU_PURPOSES
    # "Free" prices a plan as its name ("Free", "Gratis"), not inside a sentence ("you are
    # free to withdraw your consent"); a quotation that names a sum is a customer's word.
    quoted = TESTIMONIAL.match(title) or TESTIMONIAL.match(text)
    if offered and not quoted and (AMOUNT.search(f"{title}\n{text}") or PRICE.search(title)):
        # A plan, whatever it is called ("Team", "Business").
        return Verdict(ItemCategory.PRICING, "a card or table column with a price")
    found = _heading_verdict((title,), page_purpose, "its heading", language)
    found = found or _travel_verdict(title)
    # A legal text gives the address to write to about your data: it stays a policy.
    found = found or (None if page_purpose == "legal" else _text_verdict(text, language))
    # A heading above names a section only when it is short ("Our team", not "Your lawyers
    # in Freiburg" over everything the home page says).
    above = tuple(h for h in reversed(parents) if len(h.split()) <= MAX_PARENT_HEADING_WORDS)
    found = found or _heading_verdict(above, page_purpose, "the heading above", language)
    if found is None and page_purpose in CUED_PAGES:
        cued = cue_category(f"{title}\n{text}", language)
        found = Verdict(cued, f"its words are {cued.value} words") if cued else None
    return found or _page_verdict(title, text, page_purpose, default, language)


def _page_verdict(
    title: str,
    text: str,
    page_purpose: str,
    default: ItemCategory | None,
    language: str | None,
) -> Verdict:
    if page_purpose in ("pricing", "product"):
        category = _offer_category(page_purpose, title, text, language)
        return Verdict(category, f"on a {page_purpose} page, {_OFFER_REASONS[category]}")
    if page_purpose in UNTYPED_PAGES:
        # A page of no known kind is about what the business offers, as its home page is:
        # OTHER tells a reader nothing.
        category = default if default is not None else ItemCategory.FEATURE
        what = "the business itself" if category is ItemCategory.ABOUT else "the business's offer"
        return Verdict(category, f"on a page of kind {page_purpose}: {what}")
    category = CATEGORY.get(page_purpose, ItemCategory.OTHER)
    return Verdict(category, f"on a page of kind {page_purpose}")


@cache
def _cues(language: str | None) -> dict[str, tuple[tuple[tuple[str, ...], ItemCategory], ...]]:
    """First word → (the words of a phrase that hints at a category, its category), for
    ``language`` (every language when it is unknown). Texts are matched word by word: one
    dictionary look-up per word, not a pattern of hundreds of phrases tried at each letter."""
    starts: dict[str, list[tuple[tuple[str, ...], ItemCategory]]] = {}
    for category in CUED_CATEGORIES:
        for phrase in cue_phrases(category.value, language):
            words = tuple(_CUE_WORD.findall(phrase))
            if words:
                starts.setdefault(words[0], []).append((words, category))
    return {word: tuple(phrases) for word, phrases in starts.items()}


def _cue_hits(text: str, language: str | None) -> dict[ItemCategory, int]:
    """Category → how many distinct phrases of it the text uses (its first part only)."""
    return _opening_cue_hits(text[:MAX_CUED_TEXT], language)


@lru_cache(maxsize=256)
def _opening_cue_hits(opening: str, language: str | None) -> dict[ItemCategory, int]:
    """:func:`_cue_hits`, remembered: one item's text is asked about several categories."""
    starts = _cues(language)
    words = _CUE_WORD.findall(fold(opening))
    found: dict[tuple[str, ...], ItemCategory] = {}
    for index in [i for i, word in enumerate(words) if word in starts]:
        for phrase, category in starts[words[index]]:
            if tuple(words[index : index + len(phrase)]) == phrase:
                found[phrase] = category
    hits: dict[ItemCategory, int] = {}
    for category in found.values():
        hits[category] = hits.get(category, 0) + 1
    return hits


def cue_category(text: str, language: str | None = None) -> ItemCategory | None:
    """The category whose phrases the text uses most ("pets are not allowed": POLICY), when
    it uses them clearly: two distinct phrases, or one rule in a short text."""
    if len(text) > MAX_CUED_TEXT:
        return _opening_category(text, language)
    ranked = list(_cue_hits(text, language).items())
    if not ranked:
        return None
    best = min(ranked, key=lambda pair: (-pair[1], CUED_CATEGORIES.index(pair[0])))
    # One phrase decides only for a rule in a short text ("pets are not allowed"); a price
    # word or a "minutes from" in a description of the offer needs company.
    single = best[0] is ItemCategory.POLICY and len(text) <= SHORT_CUED_TEXT
    return best[0] if best[1] >= (1 if single else 2) else None


def _opening_category(text: str, language: str | None) -> ItemCategory | None:
    """A longer text is decided by its headings and its page, unless it opens with three
    phrases of one kind of content (a privacy notice in a popup); only its opening is read."""
    hits = _cue_hits(text[:LONG_TEXT_OPENING], language)
    return next((category for category, count in hits.items() if count >= LONG_TEXT_CUES), None)


def _offer_category(page_purpose: str, title: str, text: str, language: str | None) -> ItemCategory:
    """On pricing and product pages, what has no price is a feature of the offer."""
    both = f"{title}\n{text}"
    if _priced(both, language) or text_purpose(title, language) == "pricing":
        return ItemCategory.PRICING if page_purpose == "pricing" else ItemCategory.PRODUCT
    return ItemCategory.FEATURE


def _heading_verdict(
    headings: tuple[str, ...], page_purpose: str, which: str, language: str | None
) -> Verdict | None:
    """The category the nearest heading that names a kind of content says."""
    allowed = LOCKED_PAGES.get(page_purpose, STRONG_HEADINGS)
    if page_purpose in GENERAL_PAGES:
        allowed = allowed | WEAK_HEADINGS
    for heading in headings:
        if len(heading.split()) > MAX_HEADING_WORDS:
            continue  # a tagline, not a section name: "... but your team doesn't"
        purpose = text_purpose(heading, language)
        if purpose in allowed:
            return Verdict(CATEGORY[purpose], f"{which} {heading!r} names {purpose}")
    return None


def _travel_verdict(title: str) -> Verdict | None:
    """ "Pancake house, 10 min by bike": a place near the business and how to get there
    (a guesthouse's surroundings), whatever the page calls it."""
    if _travel_time().search(fold(title)) is None:
        return None
    return Verdict(ItemCategory.LOCATION, "its heading says how far it is and how to get there")


@cache
def _travel_time() -> re.Pattern[str]:
    """A time or distance and a way of travelling, in every language: "10 min fietsen",
    "5 minutes à pied", "2 km on foot" (folded)."""
    units = r"\w*minut\w*|mins?|km|kilomet\w*|miles?|mi"
    ways = alternation(words_of("travel_words"))
    return re.compile(rf"\b\d+(?:[.,]\d+)?\s?(?:{units})\.?(?:\s+\S+)??\s+(?:{ways})\b")


def _priced(text: str, language: str | None) -> bool:
    return bool(PRICE.search(text)) or _cued(text, ItemCategory.PRICING, language)


def _text_verdict(text: str, language: str | None) -> Verdict | None:
    if len(text) > 700:
        return None
    if mentions_hours(text):
        return Verdict(ItemCategory.LOCATION, "its text gives opening hours")
    # "Email sales@… for bulk pricing" under a price is pricing, not a contact card.
    if len(text) < 400 and (EMAIL.search(text) or _phone_line(text)) and not PRICE.search(text):
        return Verdict(ItemCategory.CONTACT, "its text gives an e-mail address or phone number")
    # "Case study: …" says so at its very start.
    lead = text.lstrip()[:LEAD_CHARS].split("\n", 1)[0]
    if TESTIMONIAL.match(text) or _cued(lead, ItemCategory.CUSTOMER, language):
        return Verdict(ItemCategory.CUSTOMER, "a quotation or a customer story")
    return None


def _phone_line(text: str) -> bool:
    """A line that is a phone number, not a date on a line of its own ("19/04/2018")."""
    return any(DATE.fullmatch(found.group().strip()) is None for found in PHONE_LINE.finditer(text))


def names_role(text: str, language: str | None = None) -> bool:
    """The text gives someone's role ("Founder", "Geschäftsführerin", "instruktor")."""
    if ItemCategory.TEAM in _cue_hits(text, language):
        return True
    words, stems, phrases = _roles()
    tokens = _CUE_WORD.findall(fold(text[:ROLE_CHARS]))
    if any(token in words or token.startswith(stems) for token in tokens):
        return True
    spaced = f" {' '.join(tokens)} "
    return any(phrase in spaced for phrase in phrases)


@cache
def _roles() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    """Every language's roles: whole words, stems ("instruktor*") and phrases (" szef kuchni ")."""
    roles = words_of("roles")
    words = frozenset(role for role in roles if " " not in role and not role.endswith("*"))
    stems = tuple(role[:-1] for role in roles if role.endswith("*"))
    phrases = tuple(f" {role} " for role in roles if " " in role)
    return words, stems, phrases


def _cued(text: str, category: ItemCategory, language: str | None) -> bool:
    """The text uses one of the phrases that hint at ``category``."""
    return category in _cue_hits(text, language)
