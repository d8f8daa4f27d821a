"""Text helpers: whitespace, first sentences, fingerprints, and the e-mail/phone/price patterns."""

from __future__ import annotations

import pytest

from sitelore.core.text import (
    EMAIL,
    PRICE,
    clean_lines,
    clean_text,
    fingerprint,
    first_sentence,
    jaccard,
    looks_like_phone,
    shingles,
    visible_length,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("  a \n\t b\u00a0 c ", "a b c", id="all-whitespace"),
        pytest.param("", "", id="empty"),
        pytest.param("one", "one", id="one-word"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            " 12  Wharf   St \n\n  Leeds\u00a0 LS2 ", "12 Wharf St\nLeeds LS2", id="address"
        ),
        pytest.param("a\n \n \nb", "a\nb", id="blank-lines"),
        # Where str.split() and the space class disagree, the space class decides.
        pytest.param("a\u200bb", "a b", id="zero-width-space-is-a-space"),
        pytest.param("a\u2028b \x1c c", "a\u2028b \x1c c", id="separators-stay"),
        pytest.param("a \x85\n\u2029 b", "a\nb", id="separators-by-a-line-break"),
        pytest.param("\u1680a\u3000 b\u1680", "a b", id="ogham-space-stripped-at-the-ends"),
    ],
)
def test_clean_lines_keeps_line_breaks(raw: str, expected: str) -> None:
    assert clean_lines(raw) == expected


@pytest.mark.parametrize(
    "odd", ["\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u1680", "\u2028", "\u2029"]
)
def test_white_space_outside_the_space_class_stays_inside_a_line(odd: str) -> None:
    assert clean_lines(f" a{odd}b ") == f"a{odd}b"
    assert clean_lines(f"a {odd}\n b") == "a\nb"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("We bake bread. We also sell coffee.", "We bake bread.", id="two-sentences"),
        pytest.param("Version 2.0 is out. Try it.", "Version 2.0 is out.", id="decimal"),
        pytest.param("Only $5.99 a month. Cancel anytime.", "Only $5.99 a month.", id="price"),
        pytest.param("Is it safe? Yes it is.", "Is it safe?", id="question"),
        pytest.param("Great! Thanks.", "Great!", id="exclamation"),
        pytest.param(
            "e.g. this stays whole. Next", "e.g. this stays whole.", id="lowercase-abbrev"
        ),
        pytest.param("No full stop at all", "No full stop at all", id="no-end"),
        pytest.param("Line one\nline two. Next.", "Line one line two.", id="newline"),
        pytest.param(
            "Open Friday from kl. 16 to 22. Closed in May.",
            "Open Friday from kl. 16 to 22.",
            id="an-abbreviation-before-a-figure",
        ),
        pytest.param(
            "Biuro: pon.–pt. 8:00–18:00. Zapraszamy.",
            "Biuro: pon.–pt. 8:00–18:00.",
            id="polish-days",
        ),
        pytest.param("Łódź jest blisko. Ścieżka też.", "Łódź jest blisko.", id="polish-capital"),
    ],
)
def test_first_sentence(text: str, expected: str) -> None:
    assert first_sentence(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Dr. Anna Berg is a family physician in Riverton. Book online.",
            "Dr. Anna Berg is a family physician in Riverton.",
            id="title",
        ),
        pytest.param(
            "J. R. Hall founded the firm in Leeds. It grew.",
            "J. R. Hall founded the firm in Leeds.",
            id="initials",
        ),
        pytest.param(
            "Find us at 5 Mill St. Leeds. Next.", "Find us at 5 Mill St. Leeds.", id="street"
        ),
    ],
)
def test_first_sentence_does_not_stop_at_an_abbreviation(text: str, expected: str) -> None:
    assert first_sentence(text) == expected


@pytest.mark.parametrize("limit", [pytest.param(50, id="50"), pytest.param(300, id="300")])
def test_first_sentence_is_cut_at_a_word_under_the_limit(limit: int) -> None:
    cut = first_sentence("lorem " * 200, limit)
    assert len(cut) <= limit
    assert cut.endswith("…")
    assert cut.removesuffix("…").split(" ") == ["lorem"] * len(cut.removesuffix("…").split(" "))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param("Hello, World!", "hello world", True, id="case-punctuation"),
        pytest.param("Free  trial\n for 14 days", "free trial for 14 days", True, id="spacing"),
        pytest.param("hello world", "hello there", False, id="other-words"),
        pytest.param("a b", "ab", False, id="word-boundary"),
    ],
)
def test_fingerprint(a: str, b: str, same: bool) -> None:
    assert (fingerprint(a) == fingerprint(b)) is same


def test_jaccard_of_shingles() -> None:
    text = (
        "every plan includes unlimited projects, shared templates, version history, "
        "single sign-on for larger teams and priority email support from real editors"
    )
    near = text.replace("priority", "fast")
    assert jaccard(shingles(text), shingles(text)) == 1.0
    assert 0.5 < jaccard(shingles(text), shingles(near)) < 1.0
    assert jaccard(shingles(text), shingles("completely different words here today")) == 0.0
    assert jaccard(set(), shingles(text)) == 0.0


@pytest.mark.parametrize(
    ("text", "length"),
    [
        pytest.param(" a b\n c\t", 3, id="mixed"),
        pytest.param("", 0, id="empty"),
        pytest.param("\u00a0x\u2003", 1, id="unicode-spaces"),
    ],
)
def test_visible_length(text: str, length: int) -> None:
    assert visible_length(text) == length


@pytest.mark.parametrize(
    ("candidate", "phone"),
    [
        pytest.param("+1 (415) 555-0134", True, id="us"),
        pytest.param("+44 20 7946 0958", True, id="uk"),
        pytest.param("12345", False, id="too-short"),
        pytest.param("1234567890123456", False, id="too-long"),
    ],
)
def test_looks_like_phone(candidate: str, phone: bool) -> None:
    assert looks_like_phone(candidate) is phone


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        pytest.param("Write to hello@acme.test today", ["hello@acme.test"], id="plain"),
        pytest.param("a.b+c@mail.acme.co.uk,", ["a.b+c@mail.acme.co.uk"], id="plus-subdomain"),
        pytest.param("user@localhost or @handle", [], id="not-emails"),
    ],
)
def test_email_pattern(text: str, emails: list[str]) -> None:
    assert EMAIL.findall(text) == emails


@pytest.mark.parametrize(
    ("text", "price"),
    [
        pytest.param("Pro: $29/mo", "$29", id="dollar"),
        pytest.param("£5 a week", "£5", id="pound"),
        pytest.param("12,50 EUR monthly", "12,50 EUR", id="code-after"),
        pytest.param("Free forever", "Free", id="free"),
        pytest.param("Beratung kostenlos", "kostenlos", id="kostenlos"),
    ],
)
def test_price_pattern(text: str, price: str) -> None:
    found = PRICE.search(text)
    assert found is not None
    assert found.group() == price


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Team: 49 € pro Monat", id="euro-space"),
        pytest.param("Basis 19€/Monat", id="euro-glued"),
    ],
)
def test_price_pattern_finds_a_currency_symbol_after_the_amount(text: str) -> None:
    assert PRICE.search(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Founded in 2016 by two bakers", id="year"),
        pytest.param("Freedom to work anywhere", id="free-inside-word"),
    ],
)
def test_price_pattern_ignores_non_prices(text: str) -> None:
    assert PRICE.search(text) is None
