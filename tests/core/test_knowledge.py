"""Chunks → knowledge items: one per plan, question or feature group; sized and categorised."""

from __future__ import annotations

import pytest

from sitelore.core.text import visible_length
from sitelore.models import ItemCategory, KnowledgeItem
from tests.core.helpers import item_titled, items_of

PLANS = [
    ("Starter", "$0", ["Up to 3 editors", "5 GB of storage", "Community forum support"]),
    ("Growth", "$24", ["Up to 25 editors", "100 GB of storage", "Email support within a day"]),
    ("Scale", "$89", ["Unlimited editors", "1 TB of storage", "A dedicated account manager"]),
]
CARD_GRID = '<main><h1>Plans for every team</h1><div class="plans">{}</div></main>'.format(
    "".join(
        f'<div class="plan"><h3>{name}</h3><p class="price">{price} per month</p>'
        f"<ul>{''.join(f'<li>{f}</li>' for f in features)}</ul></div>"
        for name, price, features in PLANS
    )
)
COMPARISON = """<main><h2>Compare plans</h2><table>
<tr><th></th><th>Starter</th><th>Growth</th><th>Scale</th></tr>
<tr><td>Monthly price</td><td>$0</td><td>$24</td><td>$89</td></tr>
<tr><td>Editors</td><td>3</td><td>25</td><td>Unlimited</td></tr>
<tr><td>Storage</td><td>5 GB</td><td>100 GB</td><td>1 TB</td></tr>
<tr><td>Single sign-on</td><td>—</td><td>—</td><td>Included</td></tr>
<tr><td>Audit log retention</td><td>7 days</td><td>90 days</td><td>Unlimited</td></tr>
</table></main>"""
FAQ = """<main><h2>Frequently asked questions</h2>
<details><summary>Can I change plans later?</summary>
<p>Yes. Upgrades apply at once and downgrades at the end of the billing period.</p></details>
<details><summary>Do you offer a discount for charities?</summary>
<p>Registered charities get half off any paid plan; write to us with proof of status.</p></details>
<details><summary>Which payment methods do you accept?</summary>
<p>All major credit cards, and bank transfer for annual Scale contracts.</p></details>
</main>"""
QUESTIONS = [
    (
        "How do I reset my password?",
        "Use the link on the sign-in page and follow the e-mail we send.",
    ),
    ("Can I change my username?", "Yes, once every thirty days from your profile settings page."),
    (
        "Where do I find my invoices?",
        "Under Billing; each invoice can be downloaded as a PDF file.",
    ),
]
FEATURES = """<main><h1>Why Quillby</h1><h2>Everything a newsroom needs</h2>
<h3>Comments</h3><p>Discuss any paragraph.</p>
<h3>Offline mode</h3><p>Write on the train.</p>
<h3>Exports</h3><p>PDF, Word and HTML.</p></main>"""


def test_pricing_card_grid_gives_one_pricing_item_per_plan_with_its_price() -> None:
    items = items_of(CARD_GRID, "https://quillby.test/pricing", "pricing")
    assert [item.title for item in items] == ["Starter", "Growth", "Scale"]
    for item, (_name, price, features) in zip(items, PLANS, strict=True):
        assert item.category is ItemCategory.PRICING
        assert f"{price} per month" in item.content
        assert all(f"- {feature}" in item.content for feature in features)


@pytest.mark.parametrize(
    "purpose", [pytest.param("features", id="features-page"), pytest.param("home", id="home")]
)
def test_priced_cards_are_pricing_wherever_they_are(purpose: str) -> None:
    items = items_of(CARD_GRID, "https://quillby.test/x", purpose)
    assert [item.category for item in items] == [ItemCategory.PRICING] * 3


def test_an_unpriced_plan_beside_priced_ones_is_pricing_too() -> None:
    # "Enterprise: contact sales" has no price of its own but sits among plans that have.
    grid = CARD_GRID.replace("Plans for every team", "Choose how your newsroom writes").replace(
        "</div></main>",
        '<div class="plan"><h3>Enterprise</h3><p class="price">Talk to our sales team</p>'
        "<ul><li>Single sign-on and audit logs</li><li>A named account manager</li></ul>"
        "</div></div></main>",
    )
    items = items_of(grid, "https://quillby.test/plans", "other")
    assert [item.title for item in items][-1] == "Enterprise"
    assert [item.category for item in items] == [ItemCategory.PRICING] * 4


def test_comparison_table_gives_one_item_per_plan_column() -> None:
    items = items_of(COMPARISON, "https://quillby.test/pricing", "pricing")
    assert [item.title for item in items] == ["Starter", "Growth", "Scale"]
    assert {item.category for item in items} == {ItemCategory.PRICING}
    starter, _growth, scale = items
    assert "- Monthly price: $0" in starter.content
    assert "- Storage: 5 GB" in starter.content
    assert "Single sign-on" not in starter.content  # "—": not included in that plan
    assert "- Single sign-on: Included" in scale.content
    assert "- Audit log retention: Unlimited" in scale.content


HEADLESS_TABLE = """
<h1>Tarifs</h1>
<table>
<tr><td>Illimité</td><td>Dix jours</td><td>Cinq jours</td></tr>
<tr><td>Wi-Fi et café</td><td></td><td></td></tr>
<tr><td>Sans engagement, première journée offerte</td><td></td><td></td></tr>
<tr><td>4 h de salle de réunion</td><td>2 h de salle de réunion</td><td>1 h de salle</td></tr>
<tr><td>200 €/mois</td><td>120 €/mois</td><td>80 €/mois</td></tr>
</table>
"""


def test_a_table_whose_first_column_is_priced_is_plans_only() -> None:
    # No label column: the first column is a plan too, and a row named in it alone (ticks
    # drawn as images elsewhere) belongs to every plan.
    items = items_of(HEADLESS_TABLE, "https://cowork.test/tarifs/", "pricing")
    plans = {item.title: item.content for item in items if item.title != "Tarifs"}
    assert list(plans) == ["Illimité", "Dix jours", "Cinq jours"]
    assert "200 €/mois" in plans["Illimité"] and "120" not in plans["Illimité"]
    assert "4 h de salle" in plans["Illimité"]
    assert all("Wi-Fi et café" in content for content in plans.values())


def test_comparison_table_with_prices_is_split_on_any_page() -> None:
    items = items_of(COMPARISON, "https://quillby.test/", "home")
    assert [item.title for item in items] == ["Starter", "Growth", "Scale"]


def test_a_two_column_table_is_kept_whole_as_a_markdown_table() -> None:
    body = """<main><h2>Delivery charges</h2><table><tr><th>Area</th><th>Charge</th></tr>
    <tr><td>City centre</td><td>$0</td></tr><tr><td>Inner suburbs</td><td>$4</td></tr>
    <tr><td>Outer suburbs</td><td>$9</td></tr></table></main>"""
    item = item_titled(items_of(body, "https://crumb.test/delivery", "other"), "Delivery charges")
    assert "| Area | Charge |\n| --- | --- |\n| City centre | $0 |" in item.content


def test_a_table_of_records_with_a_price_column_keeps_each_row_whole() -> None:
    # One row per treatment, a price in every row of one column: each price stays beside
    # its treatment and what it is for, not cut into a "Price" and a "Notes" column.
    body = """<main><h2>Self-pay rates</h2><table>
    <tr><th>Treatment</th><th>Price</th><th>What it is for</th></tr>
    <tr><td>First assessment</td><td>$140</td><td>A full screening and a plan.</td></tr>
    <tr><td>Follow-up (45 min)</td><td>$95</td><td>Hands-on therapy and exercises.</td></tr>
    <tr><td>Sports massage</td><td>$70</td><td>Tight muscles after training.</td></tr>
    </table></main>"""
    items = items_of(body, "https://physio.test/rates/", "pricing")
    assert [item.title for item in items] == ["Self-pay rates"]
    assert "| First assessment | $140 | A full screening and a plan. |" in items[0].content
    assert items[0].category is ItemCategory.PRICING


def test_a_small_comparison_table_does_not_vanish() -> None:
    body = """<main><h2>Compare plans</h2><table>
    <tr><th>Plan</th><th>Solo</th><th>Team</th><th>Agency</th></tr>
    <tr><td>Price</td><td>$9</td><td>$29</td><td>$79</td></tr>
    <tr><td>Seats</td><td>1</td><td>10</td><td>50</td></tr></table></main>"""
    content = "\n".join(
        i.content for i in items_of(body, "https://quillby.test/pricing", "pricing")
    )
    assert all(price in content for price in ("$9", "$29", "$79"))


def test_small_plan_cards_still_give_one_item_per_plan() -> None:
    # Each card is short but a sentence long (40+ characters): one item per plan.
    cards = "".join(
        f'<div class="plan"><h3>{name}</h3><p>{price} per month</p>'
        f"<ul><li>{a}</li><li>{b}</li></ul></div>"
        for name, price, a, b in [
            ("Solo", "$9", "One writer seat", "Ten drafts a month"),
            ("Team", "$29", "Ten writer seats", "Unlimited drafts"),
            ("Agency", "$79", "Fifty writer seats", "Audit log and SSO"),
        ]
    )
    items = items_of(
        f'<main><h2>Plans</h2><div class="plans">{cards}</div></main>',
        "https://q.test/plans",
        "pricing",
    )
    assert [item.title for item in items] == ["Solo", "Team", "Agency"]


def test_faq_gives_one_item_per_question_with_its_answer() -> None:
    items = items_of(FAQ, "https://quillby.test/pricing", "pricing")
    assert [item.title for item in items] == [
        "Can I change plans later?",
        "Do you offer a discount for charities?",
        "Which payment methods do you accept?",
    ]
    assert {item.category for item in items} == {ItemCategory.FAQ}
    assert "downgrades at the end of the billing period" in items[0].content
    assert "half off any paid plan" in items[1].content
    assert "bank transfer" in items[2].content
    assert "half off" not in items[0].content


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("<p>{q}</p><p>{a}</p>", id="question-paragraphs"),
        pytest.param("<h3>{q}</h3><p>{a}</p>", id="question-headings"),
        pytest.param("<dl><dt>{q}</dt><dd>{a}</dd></dl>", id="definition-list"),
    ],
)
def test_questions_without_faq_markup_are_faq_items(markup: str) -> None:
    body = (
        "<main><h2>Your account</h2>"
        + "".join(markup.format(q=q, a=a) for q, a in QUESTIONS)
        + "</main>"
    )
    items = items_of(body, "https://quillby.test/account", "other")
    assert [(item.title, item.category) for item in items] == [
        (q, ItemCategory.FAQ) for q, _ in QUESTIONS
    ]
    for item, (_q, answer) in zip(items, QUESTIONS, strict=True):
        assert answer in item.content


def test_text_after_the_faq_is_not_part_of_the_last_answer() -> None:
    body = FAQ.replace("</main>", "<p>Our office is closed on public holidays.</p></main>")
    items = items_of(body, "https://quillby.test/help", "support")
    last = item_titled(items, "Which payment methods do you accept?")
    assert "public holidays" not in last.content


def test_small_feature_one_liners_are_merged_under_their_heading() -> None:
    items = items_of(FEATURES, "https://quillby.test/why", "features")
    assert len(items) == 1
    item = items[0]
    assert item.title == "Everything a newsroom needs"
    assert item.category is ItemCategory.FEATURE
    for line in (
        "- **Comments** Discuss any paragraph.",
        "- **Offline mode** Write on the train.",
        "- **Exports** PDF, Word and HTML.",
    ):
        assert line in item.content


def test_feature_cards_with_headings_are_one_item_each() -> None:
    cards = "".join(
        f'<div class="feature"><h3>{title}</h3><p>{text}</p></div>'
        for title, text in [
            ("Live cursors", "See who is editing which paragraph, in real time, on any device."),
            ("Version history", "Restore any draft from the last twelve months with one click."),
            ("Style checks", "Flag banned words and house-style slips while reporters type."),
        ]
    )
    items = items_of(
        f'<main><h2>Features</h2><div class="grid">{cards}</div></main>',
        "https://q.test/features",
        "features",
    )
    assert [(i.title, i.category) for i in items] == [
        ("Live cursors", ItemCategory.FEATURE),
        ("Version history", ItemCategory.FEATURE),
        ("Style checks", ItemCategory.FEATURE),
    ]


def test_feature_tiles_with_a_bold_lead_are_not_lost() -> None:
    tiles = "".join(
        f'<div class="tile"><strong>{title}</strong> {text}</div>'
        for title, text in [
            ("Live cursors", "See who is editing which paragraph."),
            ("Version history", "Restore any draft from the last year."),
            ("Style checks", "Flag banned words as reporters type."),
        ]
    )
    items = items_of(
        f'<main><h2>Features</h2><div class="grid">{tiles}</div></main>',
        "https://q.test/features",
        "features",
    )
    content = "\n".join(item.content for item in items)
    assert all(title in content for title in ("Live cursors", "Version history", "Style checks"))


def test_long_sections_are_split_at_block_boundaries_without_losing_text() -> None:
    sentence = "Every revision of every document is kept safe in our archive for seven years. "
    paragraphs = [f"Clause {n}. " + sentence * 8 for n in range(20)]
    body = (
        "<main><h2>Retention policy</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</main>"
    )
    items = items_of(body, "https://quillby.test/legal/retention", "legal")
    assert len(items) >= 2
    assert [item.title for item in items] == [
        f"Retention policy ({n}/{len(items)})" for n in range(1, len(items) + 1)
    ]
    assert all(visible_length(item.content) <= 6500 for item in items)
    assert {item.category for item in items} == {ItemCategory.POLICY}
    joined = "\n".join(item.content for item in items)
    assert all(f"Clause {n}. " in joined for n in range(20))


def test_tiny_sections_alone_make_no_item() -> None:
    body = "<main><h2>Note</h2><p>Closed Mondays.</p></main>"
    assert items_of(body, "https://crumb.test/notes", "other") == []


@pytest.mark.parametrize(
    ("body", "category"),
    [
        pytest.param(
            "<h2>Kind words</h2><blockquote><p>“Quillby replaced three tools for our desk "
            "and nobody misses them.”</p>\n"
            "<p>Priya Natarajan, Managing Editor, Northwind Weekly</p></blockquote>",
            ItemCategory.CUSTOMER,
            id="testimonial",
        ),
        pytest.param(
            "<h2>When to come by</h2>"
            "<p>Monday – Friday: 7:00 – 18:00<br>Saturday: 8:00 – 14:00</p>",
            ItemCategory.LOCATION,
            id="opening-hours",
        ),
        pytest.param(
            "<h2>Say hello</h2><p>Write to orders@crumb.test for cake orders and catering.</p>",
            ItemCategory.CONTACT,
            id="email",
        ),
        pytest.param(
            "<h2>Say hello</h2><p>Cake orders and catering questions:</p>"
            "<p>Phone: +44 113 496 0000</p>",
            ItemCategory.CONTACT,
            id="phone",
        ),
        pytest.param(
            "<h2>Our team</h2><p>Six bakers, two drivers and one very patient shop manager "
            "called Ruth.</p>",
            ItemCategory.TEAM,
            id="team-heading",
        ),
    ],
)
def test_item_category_from_what_the_item_is(body: str, category: ItemCategory) -> None:
    items = items_of(f"<main>{body}</main>", "https://crumb.test/", "home")
    assert [item.category for item in items] == [category]


WHOLESALE = (
    "<main><h2>Wholesale</h2><p>We supply cafés and restaurants across the city every{space}"
    "morning before seven. Minimum order is twenty loaves.</p>"
    "<ul><li>Rye</li><li>Spelt</li></ul></main>"
)


def test_items_carry_source_title_description_and_markdown() -> None:
    body = WHOLESALE.format(space=" ")
    items = items_of(body, "https://crumb.test/wholesale", "services")
    assert len(items) == 1
    item = items[0]
    assert item.source == "https://crumb.test/wholesale"
    assert item.title == "Wholesale"
    assert (
        item.description
        == "We supply cafés and restaurants across the city every morning before seven."
    )
    assert item.content.startswith("## Wholesale\n\n")
    assert "- Rye\n- Spelt" in item.content
    assert item.category is ItemCategory.SERVICE


def test_description_of_a_hard_wrapped_paragraph_is_the_whole_first_sentence() -> None:
    items = items_of(WHOLESALE.format(space="\n    "), "https://crumb.test/wholesale", "services")
    assert [item.description for item in items] == [
        "We supply cafés and restaurants across the city every morning before seven."
    ]


def test_untitled_text_takes_the_page_title() -> None:
    body = (
        "<main><p>We supply cafés and restaurants across the city every morning before "
        "seven.</p></main>"
    )
    items = items_of(body, "https://crumb.test/wholesale", "services", title="Wholesale bread")
    assert [item.title for item in items] == ["Wholesale bread"]


@pytest.mark.parametrize(
    ("body", "url", "purpose"),
    [
        pytest.param(CARD_GRID, "https://quillby.test/pricing", "pricing", id="cards"),
        pytest.param(COMPARISON, "https://quillby.test/pricing", "pricing", id="table"),
        pytest.param(FAQ, "https://quillby.test/faq", "faq", id="faq"),
        pytest.param(FEATURES, "https://quillby.test/why", "features", id="features"),
    ],
)
def test_every_item_is_sizeable_and_well_formed(body: str, url: str, purpose: str) -> None:
    items: list[KnowledgeItem] = items_of(body, url, purpose)
    assert items
    for item in items:
        assert visible_length(item.content) >= 40
        assert 0 < len(item.title) <= 120
        assert 0 < len(item.description) <= 300
        assert item.category in ItemCategory
    assert len({item.content for item in items}) == len(items)


def test_a_terse_answer_gets_a_description_that_says_something() -> None:
    body = (
        "<main><h2>FAQ</h2><details><summary>Can I pause my plan?</summary>"
        "<p>Yes. Pausing keeps your drafts and stops billing until you resume.</p>"
        "</details></main>"
    )
    [item] = items_of(body, "https://quillby.test/faq", "faq")
    assert item.description == "Yes. Pausing keeps your drafts and stops billing until you resume."


@pytest.mark.parametrize(
    ("lines", "description"),
    [
        pytest.param(
            ["Chair of the board", "She has hosted the lodge every Easter since 1998."],
            "Chair of the board: She has hosted the lodge every Easter since 1998.",
            id="a-role-over-a-paragraph",
        ),
        pytest.param(
            [
                "<table><tr><td>Bus to the start</td><td>15 zł per person</td></tr>"
                "<tr><td>Dry bag</td><td>5 zł</td></tr></table>"
            ],
            "Bus to the start: 15 zł per person, Dry bag: 5 zł.",
            id="table-rows-in-words",
        ),
        pytest.param(
            ["Free Wi-Fi in every room", "Coffee and tea all day", "A locker of your own"],
            "Free Wi-Fi in every room, Coffee and tea all day, A locker of your own.",
            id="short-lines-are-a-list",
        ),
    ],
)
def test_a_description_is_one_sentence(lines: list[str], description: str) -> None:
    body = "<main><h2>Kari Haugen</h2>" + "".join(f"<p>{line}</p>" for line in lines) + "</main>"
    [item] = items_of(body, "https://lodge.test/about/", "about")
    assert item.description == description


def test_sibling_cards_too_different_to_combine_are_not_one_lump() -> None:
    # A page builder's sections side by side: two long ones and a strip of small figures.
    long_text = " ".join(["We host your data in Europe and scale it as your traffic grows."] * 16)
    cards = "".join(
        f'<div class="block"><h3>{title}</h3><p>{text}</p></div>'
        for title, text in [
            ("Hosting", long_text),
            ("120", "projects delivered"),
            ("45", "satisfied clients"),
            ("Consulting", long_text.replace("host", "advise on")),
        ]
    )
    items = items_of(
        f"<main><h2>What we do</h2><div>{cards}</div></main>", "https://x.test/", "other"
    )
    titles = [item.title for item in items]
    assert "Hosting" in titles and "Consulting" in titles
    assert all(len(item.content) < 2000 for item in items)


def _cards(pairs: list[tuple[str, str]]) -> str:
    return "".join(f'<div class="card"><h3>{name}</h3><p>{text}</p></div>' for name, text in pairs)


@pytest.mark.parametrize(
    ("pairs", "team"),
    [
        pytest.param(
            [("Jana Petrović", "Founder and CEO"), ("Dr. Luis Ortega", "Head of research"),
             ("Mia Koch", "Advisor")],
            True,
            id="people-with-roles",
        ),
        pytest.param(
            [("Jana Petrović", "Gründerin und Geschäftsführerin"), ("Luis Ortega", "Inhaber")],
            True,
            id="people-with-roles-in-german",
        ),
        pytest.param(
            [("Birra Giovanni", "Amber ale from the hills, 5 €"),
             ("Zia Carla", "Our aunt's ragù, 14 €")],
            False,
            id="a-menu-of-dishes-named-after-people",
        ),
        pytest.param(
            [("Smart Search", "Find any invoice by client or amount."),
             ("Fast Sync", "Your books are up to date in seconds.")],
            False,
            id="title-case-features",
        ),
    ],
)  # fmt: skip
def test_cards_of_people_with_their_roles_are_team(
    pairs: list[tuple[str, str]], team: bool
) -> None:
    body = f"<main><h2>About the studio</h2><div>{_cards(pairs)}</div></main>"
    items = items_of(body, "https://studio.test/about/", "about")
    assert items
    assert all((item.category is ItemCategory.TEAM) is team for item in items), [
        (item.title, item.category) for item in items
    ]


def test_feature_cards_that_say_free_are_not_plans() -> None:
    # "Free" in feature copy is no price list: the unpriced cards beside it stay features.
    pairs = [
        ("Offline mode", "Write on the train; free updates sync when you are back online."),
        ("Exports", "Free exports to PDF, Word and HTML, with your own fonts."),
        ("Comments", "Discuss any paragraph with your editors, right in the margin."),
        ("Versions", "Every change is kept, so any draft can be restored later on."),
    ]
    body = f"<main><h2>Why writers switch</h2><div>{_cards(pairs)}</div></main>"
    items = items_of(body, "https://quillby.test/why/", "other")
    categories = {item.title: item.category for item in items}
    assert categories["Comments"] is ItemCategory.FEATURE
    assert categories["Versions"] is ItemCategory.FEATURE
