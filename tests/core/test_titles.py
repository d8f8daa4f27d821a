"""An item's title and its one-sentence description."""

from __future__ import annotations

import pytest

from sitelore.core.titles import is_title, item_description, item_title


@pytest.mark.parametrize(
    ("text", "title"),
    [
        pytest.param("Step #3", False, id="a-step"),
        pytest.param("Schritt 2", False, id="a-step-in-german"),
        pytest.param("12,000+", False, id="a-figure"),
        pytest.param("2.", False, id="a-number"),
        pytest.param("§ 2. Equipment", True, id="a-numbered-section"),
        pytest.param("Easter 2025", True, id="a-dated-heading"),
        pytest.param("Pricing", True, id="a-word"),
    ],
)
def test_is_title(text: str, title: bool) -> None:
    assert is_title(text) is title


@pytest.mark.parametrize(
    ("heading", "parents", "page_title", "title"),
    [
        pytest.param("Dog walks", (), "", "Dog walks", id="its-own-heading"),
        pytest.param("Step #2", ("How it works",), "", "How it works", id="a-step"),
        pytest.param("", (), "Prices", "Prices", id="the-page-title"),
        pytest.param("", (), "", "Pricing", id="the-page-kind"),
    ],
)
def test_item_title(heading: str, parents: tuple[str, ...], page_title: str, title: str) -> None:
    assert item_title(heading, parents, "Walks twice a day.", page_title, "pricing")[0] == title


def test_an_item_description_is_its_first_sentence_said_once() -> None:
    text = "Hours: Mo–Fr 8–12. Closed on holidays and all of August, sadly."
    assert (
        item_description(text, "Hours")
        == "Mo–Fr 8–12. Closed on holidays and all of August, sadly."
    )
