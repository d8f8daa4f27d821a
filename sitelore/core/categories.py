"""The category of one knowledge item, from the strongest evidence to the weakest.

1. What the item is: a question with its answer is FAQ; a plan with a price is PRICING.
2. What its own heading and the headings above it say ("Pricing", "FAQ", "Our team").
3. What its text is made of: contact details, opening hours, a testimonial.
4. What the page is (its URL, title and the links to it), else the site-wide default.
"""

from __future__ import annotations

import re

from sitelore.core.pagetypes import CATEGORY, text_purpose
from sitelore.core.text import EMAIL, PRICE
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
_DAY = (
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs"
    r"|fri|sat|sun|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|di|mi|do|fr|sa"
    r"|so|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|weekdays|weekends"
    r"|daily|täglich|every day)"
)
_RANGE = (
    r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h)?\s*(?:[-–—]|bis|to|until)\s*"
    r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h)?"
)
HOURS = re.compile(rf"\b{_DAY}\b\.?.{{0,40}}?({_RANGE})", re.IGNORECASE)
_CLOCK = re.compile(r"[:.]\d{2}|am|pm|a\.m|p\.m|uhr|h\b", re.IGNORECASE)


_TIME_RANGE = re.compile(_RANGE, re.IGNORECASE)


def mentions_hours(text: str) -> bool:
    """Opening hours: a day (or "daily") and a time range that is clearly a time of day."""
    if _TIME_RANGE.search(text) is None:
        return False  # the cheap half first: most texts have no time range at all
    return any(_CLOCK.search(match.group(2)) for match in HOURS.finditer(text))


PHONE_LINE = re.compile(
    r"(^|\n)[-*\s]*(?:(?:tel|phone|fon|telefon|fax|mobil)\w*\.?[-:\s]*)?\+?\(?\d[\d\s/().-]{6,}\d\s*($|\n)",
    re.IGNORECASE,
)
QUOTING_PAGES = frozenset({"news", "legal", "support"})
MAX_HEADING_WORDS = 5
PRICE_WORDS = re.compile(r"\b(price[sd]?|pricing|billed|per (month|year|user)|/mo\b|vat)\b", re.I)
CASE_STUDY = re.compile(r"^\W*(case study|customer story|success story)\b", re.IGNORECASE)
TESTIMONIAL = re.compile(r"^\s*[\"“„«]")
MENU_PURPOSES = frozenset({"menu"})


def categorize(
    title: str,
    parents: tuple[str, ...],
    text: str,
    kind: str,
    page_purpose: str,
    default: ItemCategory | None,
    from_table: bool = False,
) -> ItemCategory:
    if kind == "faq" or (title.rstrip().endswith("?") and page_purpose == "faq"):
        return ItemCategory.FAQ
    if kind == "quote" and page_purpose not in QUOTING_PAGES and title:
        return ItemCategory.CUSTOMER  # a quotation with its author: a testimonial
    offered = (from_table or kind == "card") and page_purpose not in MENU_PURPOSES
    if offered and PRICE.search(f"{title}\n{text}"):
        return ItemCategory.PRICING  # a plan, whatever it is called ("Team", "Business")
    headed = _heading_category((title,), page_purpose)
    if headed is not None:
        return headed
    cued = _text_category(text)
    if cued is not None:
        return cued
    headed = _heading_category(tuple(reversed(parents)), page_purpose)
    if headed is not None:
        return headed
    if page_purpose in ("pricing", "product"):
        return _offer_category(page_purpose, title, text)
    if page_purpose == "home" and default is not None:
        return default
    return CATEGORY.get(page_purpose, ItemCategory.OTHER)


def _offer_category(page_purpose: str, title: str, text: str) -> ItemCategory:
    """On pricing and product pages, what has no price is a feature of the offer."""
    both = f"{title}\n{text}"
    if PRICE.search(both) or text_purpose(title) == "pricing" or PRICE_WORDS.search(both):
        return ItemCategory.PRICING if page_purpose == "pricing" else ItemCategory.PRODUCT
    return ItemCategory.FEATURE


def _heading_category(headings: tuple[str, ...], page_purpose: str) -> ItemCategory | None:
    """The category the nearest heading that names a kind of content says."""
    allowed = LOCKED_PAGES.get(page_purpose, STRONG_HEADINGS)
    if page_purpose in GENERAL_PAGES:
        allowed = allowed | WEAK_HEADINGS
    for heading in headings:
        if len(heading.split()) > MAX_HEADING_WORDS:
            continue  # a tagline, not a section name: "... but your team doesn't"
        purpose = text_purpose(heading)
        if purpose in allowed:
            return CATEGORY[purpose]
    return None


def _text_category(text: str) -> ItemCategory | None:
    if len(text) > 700:
        return None
    if mentions_hours(text):
        return ItemCategory.LOCATION
    if len(text) < 400 and (EMAIL.search(text) or PHONE_LINE.search(text)):
        return ItemCategory.CONTACT
    if TESTIMONIAL.match(text) or CASE_STUDY.match(text):
        return ItemCategory.CUSTOMER
    return None
