"""Repeated units (:mod:`sitelore.core.units`): FAQ pairs, cards and tiles, and the lists
and quotes that are laid-out content rather than lists."""

from __future__ import annotations

import pytest

from sitelore.core.document import Document
from tests.core.helpers import doc


def units(document: Document) -> list[tuple[str, list[str]]]:
    """(unit kind, texts) per unit, in order."""
    seen: dict[int, tuple[str, list[str]]] = {}
    for block in document.blocks:
        if block.unit:
            seen.setdefault(block.unit, (block.unit_kind, []))[1].append(block.text)
    return list(seen.values())


def test_details_summary_is_one_faq_unit_per_question() -> None:
    document = doc(
        "<details><summary>Do you deliver?</summary><p>Within five miles of the shop.</p></details>"
        "<details><summary>Is there parking?</summary><p>Two spaces behind the shop.</p></details>"
    )
    assert units(document) == [
        ("faq", ["Do you deliver?", "Within five miles of the shop."]),
        ("faq", ["Is there parking?", "Two spaces behind the shop."]),
    ]
    assert document.blocks[0].kind == "heading"


def test_definition_list_terms_are_units_and_questions_are_faq() -> None:
    document = doc(
        "<dl><dt>Can I freeze the bread?</dt><dd>Yes, sliced, for up to a month.</dd>"
        "<dt>Flour</dt><dd>Stone-ground from a mill nearby.</dd></dl>"
    )
    assert units(document) == [
        ("faq", ["Can I freeze the bread?", "Yes, sliced, for up to a month."]),
        ("card", ["Flour", "Stone-ground from a mill nearby."]),
    ]


def test_repeated_sibling_cards_are_units() -> None:
    cards = "".join(
        f'<div class="plan"><h3>{name}</h3><p>{price} per month</p><ul><li>{seats}</li></ul></div>'
        for name, price, seats in [("Solo", "$9", "1 seat"), ("Team", "$29", "10 seats")]
    )
    document = doc(
        f'<main><h2>Plans</h2><div class="plans">{cards}</div><p>Prices excl. VAT.</p></main>'
    )
    assert units(document) == [
        ("card", ["Solo", "$9 per month", "1 seat"]),
        ("card", ["Team", "$29 per month", "10 seats"]),
    ]
    outside = [b.text for b in document.blocks if not b.unit]
    assert outside == ["Plans", "Prices excl. VAT."]


def test_cards_titled_by_a_class_hint_are_units() -> None:
    members = "".join(
        f'<li><div class="member-name">{name}</div><div class="role">{role}</div></li>'
        for name, role in [
            ("Dana Fox", "Head baker since 2015"),
            ("Lee Park", "Runs the front of house"),
        ]
    )
    assert units(doc(f"<ul>{members}</ul>")) == [
        ("card", ["Dana Fox", "Head baker since 2015"]),
        ("card", ["Lee Park", "Runs the front of house"]),
    ]


def test_paragraphs_without_titles_are_not_cards() -> None:
    document = doc(
        '<div><div class="x"><p>Just some text here.</p></div>'
        '<div class="x"><p>More text here.</p></div></div>'
    )
    assert units(document) == []


BOLD_PLANS = (
    '<div class="plans">\n'
    '  <div class="plan">\n    <strong>Basic plan</strong>\n'
    "    <span>For small teams, all the basics.</span>\n  </div>\n"
    '  <div class="plan">\n    <strong>Pro plan</strong>\n'
    "    <span>For growing teams, with more.</span>\n  </div>\n"
    "</div>"
)


def test_a_bold_lead_after_indentation_titles_its_card() -> None:
    document = doc(f"<main>{BOLD_PLANS}</main>")
    assert units(document) == [
        ("card", ["Basic plan", "For small teams, all the basics."]),
        ("card", ["Pro plan", "For growing teams, with more."]),
    ]
    assert [(b.kind, b.level) for b in document.blocks if b.text.endswith("plan")] == [
        ("heading", 6),
        ("heading", 6),
    ]


@pytest.mark.parametrize(
    "name_class",
    [
        pytest.param("member-name", id="lower"),
        pytest.param("Member-NAME", id="upper"),
        pytest.param("x TeamTitle", id="inside-a-word"),
    ],
)
def test_title_class_hints_match_in_any_case(name_class: str) -> None:
    members = "".join(
        f'<div class="m"><div class="{name_class}">{name}</div><p>{role}</p></div>'
        for name, role in [("Dana Fox", "Head baker since 2015"), ("Lee Park", "Front of house")]
    )
    assert units(doc(f"<main><div>{members}</div></main>")) == [
        ("card", ["Dana Fox", "Head baker since 2015"]),
        ("card", ["Lee Park", "Front of house"]),
    ]


def plan_item(name: str, rich: bool) -> str:
    body = "<p>One seat, all the features.</p><p>$9 a month</p>" if rich else "One seat"
    return f"<li><strong>{name}</strong>{body}</li>"


@pytest.mark.parametrize(
    ("rich", "kind"),
    [
        pytest.param((True, True, False), "cards", id="most-items-rich"),
        pytest.param((True, False, False), "list", id="few-items-rich"),
        pytest.param((False, False, False), "list", id="menu"),
    ],
)
def test_a_list_of_rich_titled_items_is_laid_out_content(rich: tuple[bool, ...], kind: str) -> None:
    names = ["Solo", "Team", "Firm"]
    html = "<ul>" + "".join(plan_item(n, r) for n, r in zip(names, rich, strict=True)) + "</ul>"
    document = doc(f"<main>{html}</main>")
    lists = [b for b in document.blocks if b.kind == "list"]
    if kind == "list":
        assert len(lists) == 1 and units(document) == []
    else:
        assert lists == []
        assert [texts[0] for _, texts in units(document)] == ["Solo", "Team"]
