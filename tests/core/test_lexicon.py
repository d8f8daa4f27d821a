"""The per-language vocabularies: every file complete, folding, language detection."""

from __future__ import annotations

import json
import unicodedata
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitelore.core.categories import cue_category, mentions_hours
from sitelore.core.lexicon import LANGUAGES, detect_language, fold, language, text_of
from sitelore.core.pagetypes import classify_page, path_language, text_purpose
from sitelore.models import ItemCategory


def _raw(code: str) -> dict[str, object]:
    text = resources.files("sitelore.lexicon").joinpath(f"{code}.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def _shape(data: object) -> object:
    if isinstance(data, dict):
        return {key: _shape(value) for key, value in data.items()}
    return type(data).__name__


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_file_has_the_english_files_keys_and_no_empty_list(code: str) -> None:
    english, other = _raw("en"), _raw(code)
    # Every key of the English file; industries only name labels of the English file.
    english_industries, industries = english.pop("industries"), other.pop("industries")
    assert isinstance(english_industries, dict) and isinstance(industries, dict)
    assert set(industries) <= set(english_industries)
    assert _shape(other) == _shape(english)
    assert other["language"] == code
    lang = language(code)
    lists = [
        *lang.pages.values(),
        *lang.cues.values(),
        lang.days,
        lang.stopwords,
        *lang.script_shell.values(),
        lang.bot_challenge,
    ]
    assert set(lang.script_shell) == {"noscript", "loading"}
    assert all(lists)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Équipe", "equipe"),
        ("Öffnungszeiten", "offnungszeiten"),
        ("Straße", "strasse"),
        ("Åbningstider", "abningstider"),
        ("Ødegård", "odegard"),
        ("Łódź", "lodz"),
        ("PRICING", "pricing"),
    ],
)
def test_fold_drops_case_and_accents(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("fr-BE", "", "fr"),
        ("nb", "", "no"),
        ("en-US", "Bienvenue chez nous", "en"),  # the attribute wins
        ("", "Wij zijn een klein gastenverblijf met een tuin en een terras voor u.", "nl"),
        ("", "Nous sommes une petite équipe et nous aimons les projets de nos clients.", "fr"),
        ("", "Wir sind eine kleine Praxis und wir freuen uns auf Ihren Besuch bei uns.", "de"),
        ("", "12 34 56", None),
        ("xx", "", None),
    ],
)
def test_detect_language(lang: str, text: str, expected: str | None) -> None:
    assert detect_language(lang, text) == expected


@pytest.mark.parametrize(
    ("path", "purpose"),
    [
        ("/tarieven/", "pricing"),
        ("/preisliste", "pricing"),
        ("/zimmerpreise/", "pricing"),  # a compound ending in a page word
        ("/öffnungszeiten", "location"),
        ("/horaires-et-acces/", "location"),
        ("/mentions-legales/", "legal"),
        ("/de/leistungen/", "services"),
        ("/fr/", "home"),
        ("/about_us", "about"),
    ],
)
def test_page_kind_in_any_language(path: str, purpose: str) -> None:
    assert classify_page(path) == purpose


@pytest.mark.parametrize(
    ("label", "purpose"),
    [
        ("Chi siamo", "about"),  # two words as one slug
        ("Qui sommes-nous ?", "about"),
        ("Get in touch", "contact"),
        ("Lire la suite", None),  # a call to action names no page
    ],
)
def test_link_labels_in_any_language(label: str, purpose: str | None) -> None:
    assert text_purpose(label) == purpose


@pytest.mark.parametrize(
    ("path", "code"), [("/de/kontakt", "de"), ("/pt-br/", "pt"), ("/pricing", None), ("/", None)]
)
def test_path_language(path: str, code: str | None) -> None:
    assert path_language(path) == code


@pytest.mark.parametrize(
    "text",
    [
        "Ouvert du mardi au samedi 9h-18h",
        "Mo–Fr 8–12 Uhr",
        "Horario: lunes a domingo de 9:00 a 19:00",
        "Open daily 11am - 10pm",
        "Åbent mandag til fredag 8.00-16.00",
        "Lørdag 10-14",  # a bare range right after the day
        "Godziny otwarcia: pon.-pt. godz. 9-17",  # the clock word before the range
    ],
)
def test_opening_hours_in_any_language(text: str) -> None:
    assert mentions_hours(text)


@pytest.mark.parametrize(
    "text", ["Monday 1-3 players join the league", "Version 2 - 3 of the app", "Sunday 2018-2019"]
)
def test_no_opening_hours(text: str) -> None:
    assert not mentions_hours(text)


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("Huisdieren zijn niet toegestaan.", "nl", ItemCategory.POLICY),
        ("Les animaux ne sont pas admis.", "fr", ItemCategory.POLICY),
        ("Pets are not allowed in the rooms.", "en", ItemCategory.POLICY),
        ("A bright room with a view of the garden.", "en", None),
    ],
)
def test_cue_category(text: str, code: str, expected: ItemCategory | None) -> None:
    assert cue_category(text, code) is expected


def test_generated_texts_in_the_sites_language_else_english() -> None:
    assert text_of("contact_details", "en") == "Contact details"
    assert text_of("contact_details", "fr") != "Contact details"
    assert text_of("how_to_reach", None, name="Acme") == "How to reach Acme:"
    assert "Acme" in text_of("how_to_reach", "de", name="Acme")


@pytest.mark.parametrize(
    ("heading", "language", "purpose"),
    [
        ("Route optimisation", "en", None),  # "route" is Dutch for directions
        ("Route en parkeren", "nl", "location"),
        ("Route optimisation", None, "location"),  # no language known: every vocabulary
        ("Blog", "pl", "news"),  # English words count on every site
    ],
)
def test_headings_are_read_in_the_sites_language(
    heading: str, language: str | None, purpose: str | None
) -> None:
    assert text_purpose(heading, language) == purpose


_SPECIAL: dict[str, str | int | None] = {
    "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "ı": "i"
}  # fmt: skip


def _reference_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.translate(str.maketrans(_SPECIAL))


LATIN = st.sampled_from(
    [chr(code) for code in [*range(0x41, 0x5B), *range(0x61, 0x7B), 0x20, *range(0xC0, 0x250)]]
)


@given(st.text(alphabet=LATIN, max_size=40))
def test_fold_with_its_table_is_the_unicode_decomposition_on_latin_text(text: str) -> None:
    # The table is a shortcut for speed; on the letters it covers it must say the same.
    assert fold(text) == _reference_fold(text)
