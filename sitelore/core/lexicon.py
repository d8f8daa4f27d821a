"""The per-language vocabularies (``sitelore/lexicon/<lang>.json``), loaded once, and folding.

Words are data: every language has one file with the words that name kinds of page,
the days and clock words of opening hours, the ways of travelling ("on foot"), the
phrases that hint at a category and the texts of the items sitelore writes itself.
Code holds no word lists; a language without a file still gets every structure-based
result.

Matching is done on *folded* text: case and accents removed (``Équipe`` = ``equipe``,
``Öffnungszeiten`` = ``offnungszeiten``), so a page that drops its accents matches too.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

# The files shipped; English first, as the fallback for generated texts.
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "da", "no", "sv")
# Languages that write compounds as one word ("Zimmerpreise", "gastenverblijf").
COMPOUNDING = ("de", "nl", "da", "no", "sv")
# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED_CHARS = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                       "þ": "th", "ß": "ss", "ı": "i"}  # fmt: skip
_UNDECOMPOSED = str.maketrans(_UNDECOMPOSED_CHARS)
_WORDS = re.compile(r"[^\W_]+")
_ACCENTED = re.compile("[\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff]")  # what _fold_table maps
MIN_STOPWORD_HITS = 3
STOPWORD_SAMPLE = 4000


@dataclass(frozen=True)
class Language:
    """One language's vocabulary, every word folded."""

    code: str
    name: str
    stopwords: frozenset[str]
    pages: dict[str, tuple[str, ...]]
    label_noise: frozenset[str]
    days: tuple[str, ...]
    clock_words: tuple[str, ...]
    range_words: tuple[str, ...]
    closed_words: tuple[str, ...]  # "Sunday: *closed*"
    travel_words: tuple[str, ...]  # how one gets somewhere: "10 min *by bike*"
    registration_labels: tuple[str, ...]  # "VAT no", "KvK", "Org.nr": a company's numbers
    # Street words as written, with their accents (matched on the address as it stands):
    street_prefixes: tuple[str, ...]  # "Rua", "ul.", "Via": before the name
    street_suffixes: tuple[str, ...]  # "-straße", "-vegen", "-straat": the end of the name
    cues: dict[str, tuple[str, ...]]
    roles: tuple[str, ...]  # what people do ("instructor", "tannlege"): cards of a team
    texts: dict[str, str]
    industries: dict[str, tuple[str, ...]]
    # What a page that is only a script shell says: "noscript" (asking for JavaScript) and
    # "loading" (a placeholder until the script has run).
    script_shell: dict[str, tuple[str, ...]]
    bot_challenge: tuple[str, ...]  # what a bot check says: "verify you are human"


def fold(text: str) -> str:
    """Lower case without accents: the form every vocabulary match is made on."""
    if text.isascii():
        return text.lower()
    lowered = text.casefold()
    if _ACCENTED.search(lowered) is None:
        return lowered  # curly quotes, dashes, "€": nothing to fold, no pass over a table
    return lowered.translate(_fold_table())


@cache
def _fold_table() -> dict[int, str]:
    """Every accented Latin letter (U+00C0 to U+024F and the Latin Extended Additional
    block) → its base letters, and combining marks → nothing, for ``str.translate`` (one
    pass in C, not a decomposition per character); other scripts keep their letters."""
    table: dict[int, str] = dict.fromkeys(range(0x300, 0x370), "")  # combining marks
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = "".join(
            part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
        ).translate(_UNDECOMPOSED)
        if base != char:
            table[code] = base
    table.update({ord(char): folded for char, folded in _UNDECOMPOSED_CHARS.items()})
    return table


def _folded(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fold(word) for word in words))


def _language(data: dict[str, Any]) -> Language:
    return Language(
        code=data["language"],
        name=data["name"],
        stopwords=frozenset(_folded(data["stopwords"])),
        pages={purpose: _folded(words) for purpose, words in data["pages"].items()},
        label_noise=frozenset(_folded(data["label_noise"])),
        days=_folded(data["days"]),
        clock_words=_folded(data["clock_words"]),
        range_words=_folded(data["range_words"]),
        closed_words=_folded(data["closed_words"]),
        travel_words=_folded(data["travel_words"]),
        registration_labels=_folded(data["registration_labels"]),
        street_prefixes=tuple(data["street_prefixes"]),
        street_suffixes=tuple(data["street_suffixes"]),
        cues={category: _folded(phrases) for category, phrases in data["cues"].items()},
        roles=_folded(data["roles"]),
        texts=dict(data["texts"]),
        industries={label: _folded(terms) for label, terms in data["industries"].items()},
        script_shell={kind: _folded(words) for kind, words in data["script_shell"].items()},
        bot_challenge=_folded(data["bot_challenge"]),
    )


@cache
def language(code: str) -> Language:
    """The vocabulary of one shipped language (``KeyError`` for another code)."""
    if code not in LANGUAGES:
        raise KeyError(code)
    text = resources.files("sitelore.lexicon").joinpath(f"{code}.json").read_text("utf-8")
    return _language(json.loads(text))


def languages() -> tuple[Language, ...]:
    return tuple(language(code) for code in LANGUAGES)


def words_of(attribute: str) -> tuple[str, ...]:
    """One list (``days``, ``clock_words`` …) of every language, merged, without repeats."""
    merged: dict[str, None] = {}
    for lang in languages():
        merged.update(dict.fromkeys(getattr(lang, attribute)))
    return tuple(merged)


@cache
def cta_words() -> frozenset[str]:
    """The words of calls to action in every language ("read", "more", "savoir")."""
    return frozenset(words_of("label_noise"))


@cache
def shell_words(kind: str) -> tuple[str, ...]:
    """What a script shell says in every language: ``kind`` is ``"noscript"`` (asking for
    JavaScript) or ``"loading"`` (a placeholder), folded."""
    return _merged_map(languages(), "script_shell").get(kind, ())


@cache
def challenge_phrases() -> tuple[str, ...]:
    """What a bot check says in every language ("verify you are human"), folded."""
    return words_of("bot_challenge")


def alternation(words: Iterable[str]) -> str:
    """A regular-expression alternation of ``words``, longest first ("tues" before "tue")."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _chosen(codes: tuple[str, ...] | None) -> tuple[Language, ...]:
    if codes is None:
        return languages()
    return tuple(language(code) for code in codes if code in LANGUAGES)


def _merged_map(chosen: Iterable[Language], attribute: str) -> dict[str, tuple[str, ...]]:
    """One ``key → words`` attribute (``pages``, ``industries``) of several languages merged,
    keys in the first language's order, words without repeats."""
    merged: dict[str, dict[str, None]] = {}
    for lang in chosen:
        for key, words in getattr(lang, attribute).items():
            merged.setdefault(key, {}).update(dict.fromkeys(words))
    return {key: tuple(words) for key, words in merged.items()}


def page_words(codes: tuple[str, ...] | None = None) -> dict[str, tuple[str, ...]]:
    """Purpose → the words that name it in the languages ``codes`` (every language when
    ``None``), in the English file's order of purposes."""
    return _merged_map(_chosen(codes), "pages")


def industry_terms() -> dict[str, tuple[str, ...]]:
    """Industry label → the words of every language that speak of it (folded)."""
    return _merged_map(languages(), "industries")


def compound_heads(codes: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(word, purpose) of the compounding languages' whole page words (no stems, no slugs),
    among ``codes`` when given."""
    return [
        (word, purpose)
        for code in COMPOUNDING
        if code in LANGUAGES and (codes is None or code in codes)
        for purpose, words in language(code).pages.items()
        for word in words
        if not word.endswith("*") and "-" not in word
    ]


def cue_phrases(category: str, code: str | None = None) -> tuple[str, ...]:
    """The phrases that hint at ``category`` in one language, or in all when ``code`` is
    ``None`` or has no vocabulary."""
    chosen = _chosen((code,)) if code in LANGUAGES else languages()
    return _merged_map(chosen, "cues").get(category, ())


def text_of(key: str, code: str | None, **values: str) -> str:
    """A generated text (an item title, a label) in the site's language, else English."""
    lang = language(code) if code in LANGUAGES else language("en")
    return lang.texts.get(key, language("en").texts[key]).format(**values)


@lru_cache(maxsize=1024)
def primary_subtag(lang_attribute: str) -> str | None:
    """``fr-BE`` → ``fr`` when it is a shipped language; ``nb``/``nn`` are Norwegian."""
    code = lang_attribute.strip().lower().replace("_", "-").split("-", 1)[0]
    code = "no" if code in ("nb", "nn") else code
    return code if code in LANGUAGES else None


def detect_language(lang_attribute: str, text: str) -> str | None:
    """The page's language: its ``lang`` attribute, else the language whose most frequent
    words its text uses most (``None`` when the text shows none clearly)."""
    declared = primary_subtag(lang_attribute) if lang_attribute else None
    if declared is not None:
        return declared
    tokens = _WORDS.findall(fold(text[:STOPWORD_SAMPLE]))
    best, hits = None, 0
    for lang in languages():
        count = sum(token in lang.stopwords for token in tokens)
        if count > hits:
            best, hits = lang.code, count
    return best if hits >= MIN_STOPWORD_HITS else None
