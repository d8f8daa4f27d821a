"""The search query's meaning (:mod:`sitelore.core.query`): words, phrases, folding, and no
operators, whatever the input."""

from __future__ import annotations

import pytest

from sitelore.core.query import MAX_TERMS, EmptyQuery, can_match, fold, parse_query
from sitelore.errors import InvalidRequest


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("pricing", (("pricing",),)),
        ("Single Sign-On", (("single",), ("sign",), ("on",))),
        ('"single sign-on" SSO', (("single", "sign", "on"), ("sso",))),
        ('"pricing"', (("pricing",),)),
        ('"starter plan', (("starter", "plan"),)),  # an unclosed quote runs to the end
        ("Crème BRÛLÉE", (("creme",), ("brulee",))),
        ("C++ and c#", (("c",), ("and",))),
        ("starter-plan", (("starter",), ("plan",))),
        ("NEAR(a b)", (("near",), ("a",), ("b",))),
        ("a:b ^c *d -e", (("a",), ("b",), ("c",), ("d",), ("e",))),
        ("x OR y AND NOT z", (("x",), ("or",), ("y",), ("and",), ("not",), ("z",))),
        ("snake_case", (("snake",), ("case",))),
        ("Öffnungszeiten München", (("offnungszeiten",), ("munchen",))),
        ("東京タワー", (("東京タワー",),)),
        ("pricing pricing", (("pricing",),)),
        ("🚀 launch 🚀", (("launch",),)),
        ("'; DROP TABLE items; --", (("drop",), ("table",), ("items",))),
        ('a "" b', (("a",), ("b",))),
        ("ﬁle", (("file",),)),  # a ligature is its letters
    ],
)
def test_query_terms(query: str, terms: tuple[tuple[str, ...], ...]) -> None:
    assert parse_query(query) == terms


@pytest.mark.parametrize("query", ["", "   ", '"', '""', "***", "-", "()", "🚀🎉", "_", "\x00"])
def test_a_query_without_words_is_a_clear_invalid_request(query: str) -> None:
    with pytest.raises(EmptyQuery, match="has no words") as raised:
        parse_query(query)
    assert isinstance(raised.value, InvalidRequest)
    assert raised.value.field == "query"


def test_a_long_query_keeps_its_first_terms() -> None:
    terms = parse_query(" ".join(f"w{n}" for n in range(2_000)))
    assert len(terms) == MAX_TERMS
    assert terms[0] == ("w0",)


def test_a_word_longer_than_any_stored_word_can_match_nothing() -> None:
    assert can_match(parse_query("pricing plans"))
    assert not can_match(parse_query("pricing " + "a" * 10_000))


def test_fold_removes_accents_and_case() -> None:
    assert fold("Crème BRÛLÉE Ñandú") == "creme brulee nandu"
