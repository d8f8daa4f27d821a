"""Small text helpers shared by the core: whitespace, sentences, fingerprints, patterns."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_LINES = re.compile(r"\s*\n\s*")
_ODD_SPACE = re.compile("[\x1c-\x1f\x85\u1680\u200b\u2028\u2029]")
_ALL_SPACE = re.compile(r"\s+")
# A full stop before a figure ends an abbreviation ("kl. 16", "art. 6", "Org.nr. 912"), not a
# sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+(?=[\"“'(\[]?[A-ZÄÖÜÀ-ÝĄĆĘŁŃŚŹŻ])")
_WORD = re.compile(r"[^\W_]+")
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}\b")
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w/.-])(?:\+|00)?\(?\d{1,4}\)?(?:[\s./-]?\(?\d{1,5}\)?){2,6}(?![\w/-])")
PRICE = re.compile(
    r"(?:[$€£¥₹]\s?\d[\d.,]*|\d[\d.,]*\s?(?:[$€£¥₹]|(?:EUR|USD|GBP|CHF)\b)|\bfree\b|\bkostenlos\b"
    r"|\bgratis\b)",
    re.IGNORECASE,
)
# An amount of money, not the word "free" (which feature copy uses as much as price lists).
AMOUNT = re.compile(
    r"[$€£¥₹]\s?\d[\d.,]*|\d[\d.,]*\s?(?:[$€£¥₹]|(?:EUR|USD|GBP|CHF)\b)", re.IGNORECASE
)


def clean_text(text: str) -> str:
    """One line: every run of whitespace becomes one space."""
    # str.split() splits on exactly what ``\s`` matches in a str pattern, faster.
    return " ".join(text.split())


def clean_lines(text: str) -> str:
    """Whitespace collapsed within lines; line breaks kept (addresses, poems, menus)."""
    if _has_odd_space(text):
        spaced = _SPACE.sub(" ", text)
        return (_LINES.sub("\n", spaced) if "\n" in spaced else spaced).strip()
    # Without those, the regexes above do what str.split() does line by line, at twice the
    # cost: a run of whitespace with a line break in it is one line break, any other one space.
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _has_odd_space(text: str) -> bool:
    """Characters where ``_SPACE`` and ``str.split()`` disagree: white space that is not
    a space to ``_SPACE`` (separators, U+2028...) and the zero-width space that is."""
    if text.isascii():
        return "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text
    return _ODD_SPACE.search(text) is not None


ABBREVIATIONS = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "inc",
        "ltd",
        "co",
        "corp",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "no",
        "nr",
        "str",
        "approx",
        "dipl",
        "ing",
        "med",
        "jr",
        "sr",
        "mt",
        "ave",
        "bzw",
        "ca",
        "vgl",
        "z.b",
        "u.a",
        "d.h",
    }
)


def first_sentence(text: str, limit: int = 300) -> str:
    """The first sentence of ``text``, cut at a word boundary under ``limit`` characters.

    A full stop after an abbreviation ("Dr.") or an initial ("A.") ends no sentence.
    """
    text = clean_text(text)
    sentence = text
    for boundary in _SENTENCE_END.finditer(text):
        before = text[: boundary.start()].rsplit(" ", 1)[-1].rstrip(".").lower()
        if before not in ABBREVIATIONS and not (len(before) == 1 and before.isalpha()):
            sentence = text[: boundary.start()]
            break
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–")
    return cut + "…"


@lru_cache(maxsize=16_384)
def fingerprint(text: str) -> str:
    """Case, punctuation and spacing forgotten: equal for the same words.

    Cached: assembly asks for the same block's key several times (template counting, then
    filtering), and a site's template repeats the same texts on every page.
    """
    return words_fingerprint(words(text))


def words_fingerprint(tokens: list[str]) -> str:
    """:func:`fingerprint` of a text from its :func:`words`."""
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=12).hexdigest()


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    return word_shingles(words(text), size)


def word_shingles(tokens: list[str], size: int = 5) -> set[tuple[str, ...]]:
    """Every run of ``size`` consecutive words; fewer words are one shingle."""
    if len(tokens) < size:
        return {tuple(tokens)} if tokens else set()
    # zip over shifted views: the windows without one slice per position
    return set(zip(*(tokens[offset:] for offset in range(size)), strict=False))


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def visible_length(text: str) -> int:
    """Characters that are not whitespace."""
    return len("".join(text.split()))


def looks_like_phone(candidate: str) -> bool:
    digits = sum(char.isdigit() for char in candidate)
    return 7 <= digits <= 15
