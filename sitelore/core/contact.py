"""Contact details and locations, gathered from the whole site including its footer.

The template that boilerplate removal drops often holds the only address and
phone number of a local business, so this harvest reads every block of every page
(and JSON-LD) before the template is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sitelore.core.categories import mentions_hours
from sitelore.core.document import Document
from sitelore.core.lexicon import alternation, fold, languages, text_of, words_of
from sitelore.core.metadata import jsonld_types
from sitelore.core.text import EMAIL, PHONE, clean_text, looks_like_phone, words
from sitelore.models import ItemCategory, KnowledgeItem

# "221 Baker Street", "742 Evergreen Terrace": the number first, then an English street word.
ENGLISH_STREET = (
    r"\d+[a-z]?\s+([A-Z][\w.'-]*\s+){0,4}(street|st\.?|avenue|ave\.?|road|rd\.?|lane|ln\.?"
    r"|boulevard|blvd\.?|drive|dr\.?|way|place|pl\.?|square|sq\.?|court|ct\.?|terrace|parkway"
    r"|highway|hwy\.?)\b"
)
# "Berliner Straße 12", "Lange Laan 3": a street word of its own after a capitalised name.
SEPARATE_SUFFIX = (
    r"(?-i:\b[A-ZÄÖÜ][\wäöüß-]+\s(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Damm|Laan))"
    r"\s*\d+"
)
POSTCODE = re.compile(
    r"\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b|\b[A-Z]{2}\s+\d{5}(-\d{4})?\b"
    r"|\b(?!19\d\d\b|20\d\d\b)\d{4,5}\s+[A-ZÄÖÜÅÆØ][a-zäöüßåæø]+"
    # "4050-126 Porto", "11-710 Piecki", "5351 KA Berghem"
    r"|\b(?:\d{4}-\d{3}|\d{2}-\d{3}|\d{4}\s?[A-Z]{2}\b,?)\s+[A-ZĄĆĘŁŃÓŚŹŻ][\w-]+"
)
LOCALITIES = (
    re.compile(r"([A-Z][A-Za-z .'-]{1,40}),\s*([A-Z]{2})\s+\d{5}"),
    re.compile(r"\b(?!19\d\d\b|20\d\d\b)\d{4,5}\s+([A-ZÄÖÜ][\wäöüß.-]+(?:\s[A-ZÄÖÜ][\wäöüß.-]+)?)"),
    re.compile(r"\b([A-Z][a-z]+),?\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
    re.compile(r"\b(?:\d{4}-\d{3}|\d{2}-\d{3})\s+([A-ZĄĆĘŁŃÓŚŹŻ][\w.-]+(?:\s[A-Z][\w.-]+)?)"),
)
PHONE_HINT = re.compile(r"(tel|tlf|tfn|phone|fon|call|fax|mobil|☎|📞|\+)", re.IGNORECASE)
# The unambiguous form of LOCALITIES ("Austin, TX 78701"), found inside any line.
TOWN_WITH_POSTCODE = re.compile(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+)?), ([A-Z]{2}) \d{5}\b")
DATE_LIKE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
MAX_LINE = 160
MAX_TIMED_LINE = 80
TEMPLATE_ZONES = frozenset({"header", "footer"})
CLOCK_TIME = re.compile(r"(?<![\d.:])(?:[01]?\d|2[0-3])[:.h][0-5]\d(?![\d.:])")
LETTERS = re.compile(r"[^\W\d_]{3,}")
MAX_ADDRESS_LINE = 100
MAX_EACH = 8
PHONE_KEY_DIGITS = 8  # the shortest national numbers (Norway, Denmark) have eight digits
MAX_LABEL = 60
LABEL_REACH = 2  # lines after a label where its hours start
# "Address: 12 Main St": the line's own label, which the item says in its own words.
FIELD_LABEL = re.compile(r"^[^\W\d_]{2,}\s?:\s*")


@dataclass
class ContactFacts:
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)
    schema_hours: list[str] = field(default_factory=list)  # JSON-LD's "Mo-Fr 08:00-18:00"
    registrations: list[str] = field(default_factory=list)  # "VAT no. GB 123 4567 89"
    localities: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def locality(self) -> str | None:
        """The town of the first address, for the one-line description of a local business."""
        if self.localities:
            return self.localities[0]
        for pattern in LOCALITIES:
            for address in self.addresses:
                found = pattern.search(address)
                if found and not _street().search(found.group()):
                    return ", ".join(group for group in found.groups() if group)
        return None

    def add_hours(self, line: str, source: str) -> None:
        """A line of hours, unless another says it already: "Mon–Fri | 9:00–17:00" (a table
        row) and "Phone 555 0134 Mon–Fri: 9:00–17:00" (a header bar) are "Mon–Fri: 9:00–
        17:00" once, in its shortest form. A label ("Kitchen:") is always its own line."""
        line = clean_text(line)
        key = _said(line)
        for index, known in enumerate(self.hours):
            if line.endswith(":") or known.endswith(":"):
                continue
            if _said(known) in key:
                return
            if key in _said(known):
                self.hours[index] = line
                return
        self.add(self.hours, line, source)

    def add(self, kind: list[str], value: str, source: str) -> None:
        value = clean_text(value)
        key = _phone_key(value) if kind is self.phones else value.casefold()
        known = [_phone_key(v) if kind is self.phones else v.casefold() for v in kind]
        if value and key in known and kind is self.phones:
            # Keep the number as people read it: "+1 (866) 429-6424" over "+18664296424".
            index = known.index(key)
            if _separators(value) > _separators(kind[index]):
                kind[index] = value
            return
        if value and key not in known and len(kind) < MAX_EACH:
            kind.append(value)
            if source not in self.sources:
                self.sources.append(source)


def _said(line: str) -> str:
    """What a line says, for comparing lines: its words, folded, between spaces."""
    return f" {' '.join(words(fold(line)))} "


def _separators(number: str) -> int:
    return sum(not char.isdigit() for char in number)


def _phone_key(number: str) -> str:
    """The same number written "+1 (866) 429-6424" or "1-866-429-6424", "+4791538204" or
    "915 38 204", has one key."""
    digits = "".join(char for char in number if char.isdigit())
    return digits[-PHONE_KEY_DIGITS:]


def harvest_contacts(documents: Iterable[Document]) -> ContactFacts:
    facts = ContactFacts()
    # A text read once can add nothing when read again (adding is idempotent), and the
    # template repeats its blocks, the footer's address above all, on every page.
    read: set[str] = set()
    for document in documents:
        for email in document.emails:
            facts.add(facts.emails, email, document.url)
        for phone in document.phones:
            facts.add(facts.phones, phone, document.url)
        for node in document.jsonld:
            _from_jsonld(node, facts, document.url)
        blocks = document.blocks
        for index, block in enumerate(blocks):
            if block.text not in read:
                read.add(block.text)
                # A label in one block ("Opening hours:") heads the list of hours in the next.
                after = blocks[index + 1].text if index + 1 < len(blocks) else ""
                template = block.zone in TEMPLATE_ZONES
                _from_text(block.text, facts, document.url, template, after)
    # JSON-LD's notation ("Mo-Fr 08:00-18:00") only where the pages say nothing in words.
    facts.hours = facts.hours or facts.schema_hours
    return facts


def _from_jsonld(node: dict[str, Any], facts: ContactFacts, source: str) -> None:
    points = node.get("contactPoint")
    for point in [node, *(points if isinstance(points, list) else [points])]:
        if not isinstance(point, dict):
            continue
        for key, kind in (("email", facts.emails), ("telephone", facts.phones)):
            value = point.get(key)
            if isinstance(value, str):
                facts.add(kind, value.removeprefix("mailto:").removeprefix("tel:"), source)
    address = node.get("address")
    if isinstance(address, dict) or "PostalAddress" in jsonld_types(node):
        postal = address if isinstance(address, dict) else node
        text = _postal_text(postal)
        if text:
            facts.add(facts.addresses, text, source)
        if isinstance(postal.get("addressLocality"), str):
            facts.add(facts.localities, postal["addressLocality"], source)
    elif isinstance(address, str):
        facts.add(facts.addresses, address, source)
    hours = node.get("openingHours")
    for line in hours if isinstance(hours, list) else [hours]:
        if isinstance(line, str):
            facts.add(facts.schema_hours, line, source)


def _postal_text(address: dict[str, Any]) -> str:
    keys = ("streetAddress", "postalCode", "addressLocality", "addressRegion", "addressCountry")
    parts = [address.get(key) for key in keys]
    return ", ".join(str(part) for part in parts if isinstance(part, str | int) and part)


def _from_text(
    text: str, facts: ContactFacts, source: str, template: bool = False, after: str = ""
) -> None:
    """``template``: the text is the site's header or footer, where a time of day is when to
    come ("Check-in from 15:00"), whatever words go with it. ``after``: the text that follows
    (where the hours under a label at the end of this one are)."""
    if len(text) > 4000:
        return
    for email in EMAIL.findall(text):
        facts.add(facts.emails, email, source)
    lines = [line.strip() for line in text.split("\n")]
    ahead = [*lines, *after.split("\n", LABEL_REACH)[:LABEL_REACH]]
    for index, line in enumerate(lines):
        if not line or len(line) > MAX_LINE or "©" in line:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _is_hours_label(line, ahead[index + 1 : index + 1 + LABEL_REACH]):
            facts.add(facts.hours, line, source)
        elif _day_only().match(fold(line)) and mentions_hours(f"{line} {following}"):
            facts.add_hours(f"{line.rstrip(':')}: {following}", source)
        elif mentions_hours(line) or (template and _is_timed(line)) or _is_closed(line):
            facts.add_hours(line, source)
        elif address := _address_in(line):
            facts.add(facts.addresses, address, source)
        elif _registration().search(fold(line)):
            facts.add(facts.registrations, line, source)
        else:
            # "Whittier, CA 90601 Phone: …": a town with its postcode inside a longer line.
            town = TOWN_WITH_POSTCODE.search(line)
            if town is not None:
                facts.add(facts.localities, ", ".join(town.groups()), source)
        if PHONE_HINT.search(line):
            for match in PHONE.finditer(line):
                number = match.group().strip()
                if looks_like_phone(number) and not DATE_LIKE.search(number):
                    facts.add(facts.phones, number, source)


def _is_hours_label(line: str, following: list[str]) -> bool:
    """The site's own heading of the hours below it, with what it adds ("Opening hours (by
    appointment only):", "Kitchen:"), kept so that the note is not lost."""
    if not line.endswith(":") or len(line) > MAX_LABEL or CLOCK_TIME.search(line):
        return False
    if _day_only().match(fold(line)):
        return False  # "Monday:" is the first half of a line of hours
    return any(mentions_hours(" ".join(following[: size + 1])) for size in range(len(following)))


@cache
def _registration() -> re.Pattern[str]:
    """A company's registered number with its label, in any language ("VAT: GB 123 4567 89",
    "KvK 12345678", "BCE : BE 0564.725.585"), folded."""
    labels = alternation(words_of("registration_labels"))
    number = r"(?:n[or°º]\.?\s*)?[:#]?\s*(?:[a-z]{1,3}[\s.-]?)?\d[\d\s./-]{5,}"
    return re.compile(rf"(?<!\w)(?:{labels})(?!\w)\.?\s*{number}")


def _is_closed(line: str) -> bool:
    """A day the business is closed ("Sunday and holidays: closed", "So. geschlossen")."""
    return len(line) <= MAX_TIMED_LINE and _closed_day().search(fold(line)) is not None


@cache
def _closed_day() -> re.Pattern[str]:
    days = alternation(words_of("days"))
    closed = alternation(words_of("closed_words"))
    return re.compile(rf"^(?:{days})(?!\w)\.?[^:]{{0,30}}:?\s*(?:{closed})(?!\w)")


def _is_timed(line: str) -> bool:
    """A short line with words and a time of day ("Inchecken vanaf 15:00")."""
    return len(line) <= MAX_TIMED_LINE and bool(CLOCK_TIME.search(line) and LETTERS.search(line))


@cache
def _day_only() -> re.Pattern[str]:
    """A line that is only a day or a range of days ("Mo–Fr:", "Lundi au vendredi"), folded."""
    days = alternation(words_of("days"))
    joins = alternation(words_of("range_words"))
    day = rf"(?:{days})\w*\.?"
    return re.compile(rf"^{day}(?:\s*(?:-|–|&|,|{joins})\s*{day})?:?$")


def _address_in(line: str) -> str:
    """The address a line gives: the whole line, or from its street on when a name and a
    company come first ("Jana Roth Design GmbH Berliner Straße 12, 10115 Berlin")."""
    if len(line) <= MAX_ADDRESS_LINE:
        return FIELD_LABEL.sub("", line) if _is_address(line) else ""
    street = _street().search(line)
    rest = line[street.start() :] if street else ""
    return rest if len(rest) <= MAX_ADDRESS_LINE and POSTCODE.search(rest) else ""


@cache
def _street() -> re.Pattern[str]:
    """A street and its house number in any language: "221 Baker Street", "Rua do Breiner
    148", "ul. Leśna 4", "14 rue des Capucins", "Ravnåsvegen 210", "Kerkstraat 5". A word that
    is also a preposition ("via Slack", "via la E411") names a street only with its number."""
    prefixes = _spellings("street_prefixes")
    suffixes = _spellings("street_suffixes")
    named = rf"\b(?:{prefixes})\s+[\w' .-]+?(?:,\s*|\s+)\d+[a-z]?\b"
    numbered = rf"\b\d+[a-z]?,?\s+(?:{prefixes})\s+\w"
    compound = rf"\b[\w'-]+?(?:{suffixes})\s*\d+[a-z]?\b"
    forms = (ENGLISH_STREET, SEPARATE_SUFFIX, named, numbered, compound)
    return re.compile("|".join(f"(?:{form})" for form in forms), re.IGNORECASE)


def _spellings(attribute: str) -> str:
    """The words of every language as written and without their accents ("Straße",
    "Strasse"), as one alternation."""
    written = {word for lang in languages() for word in getattr(lang, attribute)}
    return alternation(written | {fold(word) for word in written})


def _is_address(line: str) -> bool:
    """A street line, or a line that is a postcode and town ("53797 Lohmar", "Austin, TX
    78701", "London EC2M 4NS"), not a sentence that has a number in it."""
    if _street().search(line):
        return True
    found = POSTCODE.search(line)
    if found is None:
        return False
    return found.start() == 0 or found.end() >= len(line.rstrip(" .")) - 1


def contact_items(
    facts: ContactFacts,
    preferred_source: str | None,
    business: str = "",
    language: str | None = None,
) -> list[KnowledgeItem]:
    """One CONTACT item (e-mail, phone, address) and one LOCATION item (address, hours),
    written in the site's ``language`` (English when it has no vocabulary file).

    Each names the business, so that the item stands alone in a search index ("How to
    reach Crumb Bakery: ...").
    """
    source = preferred_source or (facts.sources[0] if facts.sources else None)
    if source is None:
        return []

    def say(key: str) -> str:
        return text_of(key, language, name=business)

    items: list[KnowledgeItem] = []
    contact_lines = [say("how_to_reach")] if business else []
    contact_lines += [f"- {say('email')}: {e}" for e in facts.emails]
    contact_lines += [f"- {say('phone')}: {p}" for p in facts.phones]
    contact_lines += [f"- {say('address')}: {a}" for a in facts.addresses[:3]]
    contact_lines += [f"- {number}" for number in facts.registrations]
    if facts.emails or facts.phones or facts.addresses:
        items.append(_item(say("contact_details"), contact_lines, ItemCategory.CONTACT, source))
    location_lines = [say("where_to_find")] if business else []
    location_lines += [f"- {a}" for a in facts.addresses]
    if facts.hours:
        location_lines += ["", *_hours_lines(facts.hours, say("opening_hours"))]
    if facts.addresses or facts.hours:
        title = say("location_and_hours") if facts.hours else say("location")
        items.append(_item(title, location_lines, ItemCategory.LOCATION, source))
    return items


def _hours_lines(hours: list[str], heading: str) -> list[str]:
    """The hours under the site's own labels where it has them, else under ``heading``."""
    lines = [] if hours[0].endswith(":") else [f"**{heading}**"]
    for line in hours:
        if line.endswith(":"):
            lines += [""] if lines else []
            lines.append(f"**{line.rstrip(':')}**")
        else:
            lines.append(f"- {line}")
    return lines


def _item(title: str, lines: list[str], category: ItemCategory, source: str) -> KnowledgeItem:
    body = "\n".join(lines).strip()
    facts = [line for line in lines if line.strip() and not line.endswith(":")]
    description = ", ".join(line.lstrip("- *").rstrip("*") for line in facts) + "."
    return KnowledgeItem(
        title=title,
        description=description[:300],
        content=f"## {title}\n\n{body}",
        category=category,
        source=source,
    )
