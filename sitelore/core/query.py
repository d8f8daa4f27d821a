"""A search query as words and phrases: the one meaning every store backend searches for.

Every word of the query is required; a "quoted phrase" is matched as a phrase; accents and
case do not matter; nothing else is an operator. Punctuation, emoji, ``*``, ``-x``, ``OR``,
``NEAR(a b)`` are words or separators like any other text, so no input can make a backend's
query syntax fail: the stores build their own query from the terms, never from the text.

A word is a run of letters and digits (what SQLite's ``unicode61`` tokenizer and
PostgreSQL's parser both call a token), folded: accents removed, lower case.
"""

from __future__ import annotations

import re
import unicodedata

from sitelore.errors import InvalidRequest

MAX_TERMS = 32  # words or phrases; a longer query keeps its first ones (it finds less anyway)
MAX_PHRASE_WORDS = 32
MAX_WORD_LENGTH = 200  # longer "words" are no text a page holds: the query finds nothing
_WORD = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"([^"]*)"?')

Term = tuple[str, ...]  # one word, or the words of a phrase in order


class EmptyQuery(InvalidRequest):
    """The query has no word to search for (blank, or only punctuation and symbols)."""


def fold(text: str) -> str:
    """``text`` without accents and in lower case: ``Crème BRÛLÉE`` → ``creme brulee``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.lower()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def parse_query(text: str) -> tuple[Term, ...]:
    """The terms of ``text``: each unquoted word a term, each quoted phrase one term (an
    unclosed quote runs to the end). Raises :class:`EmptyQuery` when there is no word."""
    terms: list[Term] = []
    for index, part in enumerate(_split_quotes(text)):
        found = words(part)
        if index % 2 == 1 and len(found) > 1:  # inside quotes
            terms.append(tuple(found[:MAX_PHRASE_WORDS]))
        else:
            terms.extend((word,) for word in found)
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    if not unique:
        raise EmptyQuery(
            "the search query has no words: give at least one word or number to search for",
            field="query",
        )
    return tuple(unique)


def can_match(terms: tuple[Term, ...]) -> bool:
    """False when a word is longer than any stored text's word can be (nothing matches)."""
    return all(len(word) <= MAX_WORD_LENGTH for term in terms for word in term)


def _split_quotes(text: str) -> list[str]:
    """Alternating outside/inside-quotes parts of ``text`` (odd indexes were quoted)."""
    parts: list[str] = []
    position = 0
    for match in _QUOTED.finditer(text):
        parts.append(text[position : match.start()])
        parts.append(match.group(1))
        position = match.end()
    parts.append(text[position:])
    return parts
