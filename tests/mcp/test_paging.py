"""sitelore.mcp.paging: cutting to a budget, and cursors (pure)."""

from __future__ import annotations

import pytest

from sitelore.mcp.paging import (
    MIN_CHARS,
    BadCursor,
    Cursor,
    OutputLimits,
    clip,
    fitting,
    json_size,
    text_piece,
)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, ("short", False)),
        ("exactly10!", 10, ("exactly10!", False)),
        ("a long sentence here", 8, ("a long…", True)),
        ("abc", 0, ("…", True)),
    ],
)
def test_clip(text: str, limit: int, expected: tuple[str, bool]) -> None:
    assert clip(text, limit) == expected


@pytest.mark.parametrize(
    ("entries", "budget", "expected"),
    [
        ([], 10, 0),
        (["x" * 50], 10, 1),  # one entry always: a page must move on
        (["aaaa", "bbbb", "cccc"], 14, 2),  # 6 + 1 characters each
        (["aaaa", "bbbb", "cccc"], 21, 3),
        ([{"k": "v"}, {"k": "v"}], 10, 1),
    ],
)
def test_fitting(entries: list[object], budget: int, expected: int) -> None:
    assert fitting(entries, budget) == expected


@pytest.mark.parametrize(
    "text",
    [
        "plain words " * 300,
        'quotes " and back\\slashes ' * 200,  # escapes make the JSON longer than the text
        "line one\nline two\n" * 200,
        "é ü 漢字 " * 300,
    ],
)
def test_text_pieces_fit_and_rebuild_the_text(text: str) -> None:
    pieces, start = [], 0
    while start < len(text):
        piece = text_piece(text, start, 500)
        assert piece and json_size(piece) <= 500
        pieces.append(piece)
        start += len(piece)
    assert "".join(pieces) == text


def test_a_piece_ends_at_a_line_end_near_the_cut() -> None:
    text = ("x" * 90 + "\n") * 20
    assert text_piece(text, 0, 400).endswith("\n")


def test_cursors_round_trip_and_refuse_what_they_did_not_make() -> None:
    cursor = Cursor("get_sitemap", ("job_abc",), 40)
    assert Cursor.decode(cursor.encode(), "get_sitemap", "get_sitemap") == cursor
    foreign = [
        cursor.encode()[:-3],
        "!!!",
        "",
        Cursor("scrape_page", ("job_abc",), 40).encode(),
        Cursor("get_sitemap", ("job_abc",), -1).encode(),
    ]
    for text in foreign:
        with pytest.raises(BadCursor, match="cursor is not one get_sitemap gave"):
            Cursor.decode(text, "get_sitemap", "get_sitemap")


def test_the_budget_has_a_floor() -> None:
    assert OutputLimits(10).max_chars == MIN_CHARS
    assert OutputLimits(30_000).item_chars == 3_000
