"""An item's title and its one-sentence description.

The title is the item's own heading, unless that is a figure or a step ("12,000+",
"Step #3"); then the heading above it, the page's title or kind, or its first sentence.
The description is one sentence that says what the item is.
"""

from __future__ import annotations

import re

from sitelore.core.text import clean_text, first_sentence

MAX_TITLE = 120
MAX_STEP_LABEL = 16
MAX_DESCRIPTION = 300
SHORT_SENTENCE = 40  # "Yes." says little alone
DESCRIBED_LINES = 6
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_NUMBER = re.compile(r"\d+")
_SENTENCE = re.compile(r"\S+(?:\s+\S+){3,}.*[.!?]$")  # four words or more, ended
_YEAR = re.compile(r"(?:19|20)\d\d")


def item_title(
    heading: str, parents: tuple[str, ...], text: str, page_title: str, purpose: str
) -> tuple[str, str]:
    """The item's title and, for ``--explain``, where it came from."""
    title, told = clean_text(heading).lstrip("#").strip(), "its own heading"
    if title and not is_title(title):
        # "12,000+", "Step #2", "/": a label, not what the item is about
        label, (title, told) = title, _borrowed_title(parents, text, page_title, purpose)
        told += f" (its own heading {label!r} is a figure or a step, not a title)"
    elif not title:
        title, told = _borrowed_title(parents, text, page_title, purpose)
    if len(title) > MAX_TITLE:
        title = first_sentence(title, MAX_TITLE)
        told += ", cut to its first sentence"
    return title, told


def _borrowed_title(
    parents: tuple[str, ...], text: str, page_title: str, purpose: str
) -> tuple[str, str]:
    """A title for an item without a heading of its own, and where it came from."""
    if parents:
        title, told = parents[-1], "the heading above it"
    elif page_title:
        title, told = page_title, "the page's title"
    else:
        title, told = _purpose_title(purpose), f"the page's kind ({purpose})"
    if not title:
        title, told = first_sentence(text, MAX_TITLE), "its first sentence"
    return title, told


def is_title(text: str) -> bool:
    """Words that name something: not a bare figure, price or symbol, nor a numbered step
    ("Step #3", "Schritt 2", "2."), whose number is all it says. A number before the word
    numbers a section ("§ 2. Equipment"), and a year dates it ("Easter opening 2025")."""
    words = _LETTERS.findall(text)
    if not words:
        return False
    if len(words) > 1 or len(text) > MAX_STEP_LABEL:
        return True
    number = _NUMBER.search(text)
    if number is None or number.start() < text.find(words[0]):
        return True
    return _YEAR.fullmatch(number.group()) is not None


def _purpose_title(purpose: str) -> str:
    if purpose in ("home", "other"):
        return ""
    return purpose.replace("_", " ").capitalize()


def item_description(text: str, title: str) -> str:
    """One sentence that says what the item is, from the first lines of its ``text``."""
    # Only the first lines can be said: clean those, not a whole long text.
    lines = [_unpiped(clean_text(line)) for line in _first_lines(text, DESCRIBED_LINES)]
    if lines and title and lines[0].startswith(f"{title}:") and len(lines[0]) > len(title) + 1:
        lines[0] = lines[0][len(title) + 1 :].strip()  # "Hours: Mo–Fr 8–12" under "Hours"
    first = lines[0] if lines else title
    sentence = first_sentence(first)
    rest = first[len(sentence) :].strip()
    if len(sentence) < SHORT_SENTENCE and rest:
        # "Yes." says little alone: take the next sentence too.
        sentence = f"{sentence} {first_sentence(rest, MAX_DESCRIPTION - len(sentence) - 1)}"
    if len(sentence) >= SHORT_SENTENCE or len(lines) < 2:
        return sentence
    if _SENTENCE.match(lines[1]):
        # A role, a date or a price over a paragraph ("Chair of the board" / "Has hosted
        # ..."): the label, then the paragraph's first sentence.
        return first_sentence(f"{first.rstrip('.;:,')}: {lines[1]}", MAX_DESCRIPTION)
    # Short lines (a menu card, a list of features): the first of them, as one sentence.
    parts = [line.rstrip(".;:,") for line in lines]
    return first_sentence(", ".join(part for part in parts if part) + ".", MAX_DESCRIPTION)


def _first_lines(text: str, count: int) -> list[str]:
    lines: list[str] = []
    for line in text.split("\n", count * 4):
        if line.strip():
            lines.append(line)
            if len(lines) == count:
                break
    return lines


def _unpiped(line: str) -> str:
    """A table row as words: "Kayak transport | 15 zł" → "Kayak transport: 15 zł"."""
    if " | " not in line:
        return line
    first, rest = line.split(" | ", 1)
    return f"{first}: {rest.replace(' | ', ', ')}"
