"""Content blocks → chunks: a heading and what follows, one card, one question with its answer."""

from __future__ import annotations

from sitelore.core.blocktypes import Block
from sitelore.core.chunks import Chunk, split_chunks
from tests.core.helpers import doc


def heading(text: str, level: int) -> Block:
    return Block("heading", text, "#" * level + " " + text, level)


def text(value: str, unit: int = 0, unit_kind: str = "") -> Block:
    return Block("text", value, value, unit=unit, unit_kind=unit_kind)


def shape(chunks: list[Chunk]) -> list[tuple[str, str, tuple[str, ...], list[str]]]:
    return [(c.title, c.kind, c.parents, [b.text for b in c.blocks]) for c in chunks]


def test_headings_delimit_sections_and_their_parents_are_kept() -> None:
    chunks = split_chunks(
        [
            text("Fresh bread since 1998."),
            heading("Bakery", 1),
            text("We bake daily."),
            heading("Breads", 2),
            text("Rye and spelt."),
            heading("Sourdough", 3),
            text("Three-day ferment."),
            heading("Cakes", 2),
            text("Made to order."),
        ]
    )
    assert shape(chunks) == [
        ("", "", (), ["Fresh bread since 1998."]),
        ("Bakery", "", (), ["We bake daily."]),
        ("Breads", "", ("Bakery",), ["Rye and spelt."]),
        ("Sourdough", "", ("Bakery", "Breads"), ["Three-day ferment."]),
        ("Cakes", "", ("Bakery",), ["Made to order."]),
    ]


def test_a_heading_without_content_yields_no_chunk() -> None:
    chunks = split_chunks([heading("Empty", 2), heading("Full", 2), text("Words.")])
    assert [c.title for c in chunks] == ["Full"]


def test_each_unit_is_one_chunk_titled_by_its_heading() -> None:
    chunks = split_chunks(
        [
            heading("Plans", 2),
            Block("heading", "Solo", "### Solo", 3, unit=1, unit_kind="card"),
            text("$9 per month", 1, "card"),
            Block("heading", "Team", "### Team", 3, unit=2, unit_kind="card"),
            text("$29 per month", 2, "card"),
            text("Prices exclude VAT."),
        ]
    )
    assert shape(chunks) == [
        ("Solo", "card", ("Plans",), ["$9 per month"]),
        ("Team", "card", ("Plans",), ["$29 per month"]),
        ("", "", ("Plans",), ["Prices exclude VAT."]),
    ]


def test_a_card_whose_heading_outranks_the_section_before_ends_that_section() -> None:
    chunks = split_chunks(
        [
            heading("What we do", 2),
            heading("About us", 3),
            text("Ten engineers in two cities."),
            Block("heading", "Why work with us", "## Why work with us", 2, unit=1),
            text("We ship every week.", 1),
            Block("heading", "Cloud", "### Cloud", 3, unit=2),
            text("Clusters that scale by themselves.", 2),
        ]
    )
    assert [(chunk.title, chunk.parents) for chunk in chunks] == [
        ("About us", ("What we do",)),
        ("Why work with us", ("What we do",)),
        ("Cloud", ("What we do",)),
    ]


def test_a_short_first_line_titles_a_unit_without_heading() -> None:
    chunks = split_chunks([text("Dana Fox", 1, "card"), text("Head baker since 2015", 1, "card")])
    assert shape(chunks) == [("Dana Fox", "card", (), ["Head baker since 2015"])]


def test_a_faq_unit_is_a_question_chunk() -> None:
    chunks = split_chunks(
        doc("<details><summary>Do you deliver?</summary><p>Yes.</p></details>").blocks
    )
    assert shape(chunks) == [("Do you deliver?", "faq", (), ["Yes."])]
    assert chunks[0].is_question


def test_a_question_line_followed_by_its_answer_is_a_faq_chunk() -> None:
    chunks = split_chunks(
        [
            heading("Questions", 2),
            text("Do you bake gluten-free bread?"),
            text("Every Friday, in a separate oven."),
            text("Can I order online?"),
            text("Yes, until 6 pm for the next morning."),
        ]
    )
    assert shape(chunks) == [
        (
            "Do you bake gluten-free bread?",
            "faq",
            ("Questions",),
            ["Every Friday, in a separate oven."],
        ),
        ("Can I order online?", "faq", ("Questions",), ["Yes, until 6 pm for the next morning."]),
    ]


def test_a_question_followed_by_a_heading_or_another_question_is_plain_text() -> None:
    chunks = split_chunks(
        [
            heading("Intro", 2),
            text("Hungry?"),
            text("Thirsty?"),
            text("We have both."),
            text("Why wait?"),
            heading("Next", 2),
            text("More."),
        ]
    )
    assert [c.kind for c in chunks] == ["", "faq", ""]
    assert shape(chunks)[1] == ("Thirsty?", "faq", ("Intro",), ["We have both.", "Why wait?"])


def test_a_quote_is_its_own_chunk_titled_by_its_attribution() -> None:
    chunks = split_chunks(
        [
            heading("Kind words", 2),
            text("Our customers say it best."),
            Block(
                "quote",
                "Best rye in town.\nSam Ortiz, regular",
                "> Best rye in town.\n> Sam Ortiz, regular",
            ),
            text("Come and taste."),
        ]
    )
    assert shape(chunks) == [
        ("Kind words", "", (), ["Our customers say it best."]),
        ("Sam Ortiz, regular", "quote", ("Kind words",), ["Best rye in town.\nSam Ortiz, regular"]),
        ("", "", ("Kind words",), ["Come and taste."]),
    ]


def test_chunk_text_markdown_and_size() -> None:
    chunk = split_chunks(
        [heading("Rye", 2), text("Dark and dense."), Block("list", "a\nb", "- a\n- b")]
    )[0]
    assert chunk.body_text == "Dark and dense.\na\nb"
    assert chunk.body_markdown == "Dark and dense.\n\n- a\n- b"
    assert chunk.size() == len("Rye") + len("Darkanddense.") + 2


def test_paragraphs_that_open_with_their_question_are_one_faq_chunk_each() -> None:
    parking = "Ja, er is een eigen oprit voor twee auto's naast het huis."
    dogs = "Helaas niet: huisdieren zijn in het huis niet toegestaan."
    blocks = [
        heading("Vragen", 2),
        text(f"Is er parkeren? {parking}"),
        text(f"Mag mijn hond mee? {dogs}"),
    ]
    assert shape(split_chunks(blocks)) == [
        ("Is er parkeren?", "faq", ("Vragen",), [parking]),
        ("Mag mijn hond mee?", "faq", ("Vragen",), [dogs]),
    ]


def test_a_lone_rhetorical_question_in_prose_stays_prose() -> None:
    prose = "Why wait? Our bakery opens at six every morning with bread from the wood oven."
    blocks = [heading("Bread", 2), text(prose), text("Rye, spelt and wheat, baked daily.")]
    assert shape(split_chunks(blocks)) == [
        ("Bread", "", (), [prose, "Rye, spelt and wheat, baked daily."])
    ]


def test_a_smaller_line_above_a_cards_heading_is_its_kicker_not_its_title() -> None:
    blocks = [
        Block("heading", "Fast and local", "#### Fast and local", 4, unit=1, unit_kind="card"),
        Block("heading", "Cloud hosting", "## Cloud hosting", 2, unit=1, unit_kind="card"),
        text("Servers in three data centres, scaled for you.", unit=1, unit_kind="card"),
        text("Ask us", unit=2, unit_kind="card"),
        text("We answer within a working day, by phone or e-mail.", unit=2, unit_kind="card"),
    ]
    assert shape(split_chunks(blocks)) == [
        (
            "Cloud hosting",
            "card",
            (),
            ["Fast and local", "Servers in three data centres, scaled for you."],
        ),
        ("Ask us", "card", (), ["We answer within a working day, by phone or e-mail."]),
    ]
