"""The classification of a business from its key pages: each field from a signal the pages
carry, or None. Every page here is invented."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from sitelore.core.assemble import CrawledPage, assemble
from sitelore.core.classification import (
    classify,
    declared_audience,
    declared_type,
    humanised,
    selling_points,
    value_proposition,
)
from sitelore.core.document import Document
from sitelore.core.industry import MIN_SCORE, industry_confidence
from sitelore.core.profile import DECLARED_CONFIDENCE
from sitelore.models import INDUSTRIES
from tests.core.helpers import doc


def jsonld(*nodes: dict[str, Any]) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(n)}</script>' for n in nodes)


def cards(*cards_html: str, heading: str = "Why teams pick us") -> str:
    """A section of sibling cards, each an ``<article>`` of ``cards_html``."""
    inner = "".join(f'<article class="card">{card}</article>' for card in cards_html)
    return f'<main><h2>{heading}</h2><div class="grid">{inner}</div></main>'


def card(title: str, text: str) -> str:
    return f"<h3>{title}</h3><p>{text}</p>"


FEATURE_GRID = cards(
    card("Offline first", "Every note stays on the device and syncs once a signal is back."),
    card("Shared lists", "Invite the whole household to a list and see changes as they land."),
    card("Quiet reminders", "One nudge at the right time instead of a stream of alerts."),
)


# --- business type ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "words"),
    [
        ("Dentist", "Dentist"),
        ("BarOrPub", "Bar or pub"),
        ("CafeOrCoffeeShop", "Cafe or coffee shop"),
        ("HVACBusiness", "HVAC business"),
        ("LocalBusiness", "Local business"),
        ("NGO", "NGO"),
        ("BedAndBreakfast", "Bed and breakfast"),
    ],
)
def test_a_schema_type_in_words(type_name: str, words: str) -> None:
    assert humanised(type_name) == words


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        pytest.param([{"@type": "Organization", "name": "Quillby"}], "Organization", id="plain"),
        pytest.param(
            [{"@type": ["Organization", "Dentist"], "name": "Brightbite"}],
            "Dentist",
            id="the-subtype-of-one-node",
        ),
        pytest.param(
            [{"@type": "LocalBusiness"}, {"@type": "schema:HairSalon"}],
            "Hair salon",
            id="the-subtype-of-another-node",
        ),
        pytest.param(
            [{"@type": "Organization"}, {"@type": "SportsOrganization"}],
            "Sports organization",
            id="a-kind-the-industry-table-leaves-out",
        ),
        pytest.param([{"@type": "WebSite", "name": "Quillby"}], None, id="a-website-is-no-type"),
        pytest.param([{"@type": "Product", "name": "Quillby Pro"}], None, id="nor-a-product"),
        pytest.param([], None, id="no-json-ld"),
    ],
)
def test_the_business_type_is_what_the_json_ld_declares(
    nodes: list[dict[str, Any]], expected: str | None
) -> None:
    assert declared_type([doc("<p>Hello.</p>", head=jsonld(*nodes))]) == expected


# --- audience -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        pytest.param({"@type": "Audience", "audienceType": "Small bakeries"}, "Small bakeries"),
        pytest.param(
            {"@type": "BusinessAudience", "name": "Freelance editors"}, "Freelance editors"
        ),
        pytest.param(
            [{"audienceType": "Parents"}, {"audienceType": ["Teachers", "Parents"]}],
            "Parents, Teachers",
            id="several-once-each",
        ),
        pytest.param("Hobby beekeepers", "Hobby beekeepers", id="a-plain-string"),
        pytest.param({"@type": "Audience"}, None, id="an-audience-that-names-none"),
        pytest.param(None, None, id="none-declared"),
        pytest.param("x" * 300, None, id="too-long-to-be-one"),
    ],
)
def test_the_audience_is_only_what_the_json_ld_declares(
    audience: Any, expected: str | None
) -> None:
    node: dict[str, Any] = {"@type": "Organization", "name": "Quillby"}
    if audience is not None:
        node["audience"] = audience
    body = "<main><h1>Notes for busy households</h1><p>Built for parents and teachers.</p></main>"
    assert declared_audience([doc(body, head=jsonld(node))]) == expected


# --- value proposition --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "og_title", "expected"),
    [
        pytest.param("<main><h1>Notes that keep up</h1></main>", "", "Notes that keep up", id="h1"),
        pytest.param(
            "<main><h1>Quillby</h1></main>",
            "Quillby | Lists the whole house can edit",
            "Lists the whole house can edit",
            id="og-title-without-the-brand",
        ),
        pytest.param("<main><h1>Quillby</h1></main>", "Quillby", None, id="only-the-name"),
        pytest.param("<main><h1>Welcome to Quillby</h1></main>", "", None, id="a-greeting"),
        pytest.param(
            "<main><h1>Quillby keeps every list in sync</h1></main>",
            "",
            "Quillby keeps every list in sync",
            id="a-sentence-that-names-it",
        ),
        pytest.param("<main><h1>Home</h1></main>", "", None, id="a-generic-word"),
        pytest.param(
            "<main><h1>" + "very long heading " * 12 + "</h1></main>", "", None, id="a-paragraph"
        ),
        pytest.param("<main><h2>Notes that keep up</h2></main>", "", None, id="no-h1"),
        pytest.param(
            "<footer><h1>Notes that keep up</h1></footer>", "", None, id="an-h1-in-the-footer"
        ),
    ],
)
def test_the_value_proposition_is_the_home_pages_tagline(
    body: str, og_title: str, expected: str | None
) -> None:
    head = f'<meta property="og:title" content="{og_title}">' if og_title else ""
    assert value_proposition(doc(body, head=head), "Quillby") == expected


# --- selling points -----------------------------------------------------------------------

PRICED_GRID = cards(
    card("Solo", "One person, every feature, $9 a month, billed yearly."),
    card("Team", "Up to ten people with shared lists, $29 a month, billed yearly."),
)
TEAM_GRID = cards(
    card("Mara Lindqvist", "Founder and chief executive, formerly a school teacher."),
    card("Tobias Okafor", "Head of engineering, builds the sync engine and the apps."),
    heading="Our people",
)
FIGURES = cards(
    card("12,000+", "households keep their shopping lists in Quillby every week."),
    card("9 days", "is how long it takes a new family to stop using paper lists."),
)
MANY = cards(*(card(f"Feature {name}", "A sentence that explains it well.") for name in "ABCDEFG"))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            FEATURE_GRID, ["Offline first", "Shared lists", "Quiet reminders"], id="feature-grid"
        ),
        pytest.param(PRICED_GRID, [], id="plans-are-no-selling-points"),
        pytest.param(TEAM_GRID, [], id="nor-people"),
        pytest.param(FIGURES, [], id="nor-figures"),
        pytest.param(
            cards(card("Offline first", "Every note stays on the device until a signal is back.")),
            [],
            id="one-card-is-no-grid",
        ),
        pytest.param(
            "<main><h2>Offline first</h2><p>Notes stay on the device.</p>"
            "<h2>Shared lists</h2><p>Invite the household.</p></main>",
            [],
            id="sections-are-no-cards",
        ),
        pytest.param(MANY, [f"Feature {name}" for name in "ABCDE"], id="five-at-most"),
    ],
)
def test_selling_points_are_the_titles_of_a_grid_of_cards(body: str, expected: list[str]) -> None:
    assert selling_points([doc(body)]) == expected


def test_selling_points_come_once_from_every_key_page_home_first() -> None:
    home = doc(FEATURE_GRID)
    about = doc(
        cards(
            card("Shared lists", "The first thing we built, for our own family."),
            card("Plain pricing", "One price for the household, whatever its size."),
        ),
        "https://acme.test/about/",
    )
    points = selling_points([home, about])
    assert points == ["Offline first", "Shared lists", "Quiet reminders", "Plain pricing"]


# --- confidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "label", "expected"),
    [
        pytest.param({"Healthcare": MIN_SCORE}, "Healthcare", 0.5, id="alone-at-the-threshold"),
        pytest.param({"Healthcare": 3 * MIN_SCORE}, "Healthcare", 0.75, id="alone-with-more"),
        pytest.param(
            {"Healthcare": 3 * MIN_SCORE, "Legal Services": MIN_SCORE},
            "Healthcare",
            0.56,
            id="a-runner-up-lowers-it",
        ),
        pytest.param({"Healthcare": 1000.0}, "Healthcare", 0.9, id="capped-below-declared"),
        pytest.param({"Healthcare": 2.0}, "Other", 0.0, id="other-is-nothing-to-be-sure-of"),
    ],
)
def test_the_lexicons_confidence(scores: dict[str, float], label: str, expected: float) -> None:
    assert industry_confidence(Counter(scores), label) == expected


# --- the whole answer ---------------------------------------------------------------------


def classified(*documents: Document) -> dict[str, Any]:
    pages = [CrawledPage(documents[0], is_start=True)]
    pages += [CrawledPage(document, ("About us",)) for document in documents[1:]]
    answer = classify("https://brightbite.test/", pages, assemble(pages).business).to_dict()
    assert set(answer) >= {"businessName", "confidenceScore", "url", "domain", "logo", "pages"}
    return answer


def test_a_declared_dentist_is_classified_from_home_and_about() -> None:
    head = jsonld(
        {
            "@type": ["Organization", "Dentist"],
            "name": "Brightbite",
            "logo": "https://brightbite.test/logo.png",
            "audience": {"@type": "PeopleAudience", "audienceType": "Families with children"},
        }
    )
    body = (
        "<main><h1>Gentle check-ups for the whole family</h1>"
        "<p>Brightbite is a dental practice on Mill Street where nervous patients are welcome "
        "and every appointment starts with a conversation.</p></main>"
    )
    home = doc(body, "https://brightbite.test/", title="Brightbite | Dental practice", head=head)
    about = doc(FEATURE_GRID, "https://brightbite.test/about/", title="About | Brightbite")
    answer = classified(home, about)
    assert answer["businessName"] == "Brightbite"
    assert answer["businessType"] == "Dentist"
    assert answer["industrySector"] == "Healthcare" and answer["industrySector"] in INDUSTRIES
    assert answer["confidenceScore"] == DECLARED_CONFIDENCE
    assert answer["targetAudience"] == "Families with children"
    assert answer["valueProposition"] == "Gentle check-ups for the whole family"
    assert answer["uniqueSellingPoints"] == ["Offline first", "Shared lists", "Quiet reminders"]
    assert answer["description"].startswith("Brightbite is a dental practice")
    assert answer["logo"] == "https://brightbite.test/logo.png"
    assert answer["domain"] == "brightbite.test"
    assert answer["pages"] == ["https://brightbite.test/", "https://brightbite.test/about/"]


def test_what_the_pages_do_not_say_is_none() -> None:
    home = doc(
        "<main><h1>Hello</h1><p>We are glad you found this page and hope you like it.</p></main>",
        "https://brightbite.test/",
        title="Hello",
    )
    answer = classified(home)
    none = ("businessType", "industrySector", "targetAudience", "valueProposition")
    assert {field: answer[field] for field in none} == dict.fromkeys(none)
    assert answer["uniqueSellingPoints"] is None  # none found: null, never []
    assert answer["confidenceScore"] is None  # no sector, nothing to be sure of
    assert answer["logo"] is None


def test_a_sector_from_words_has_the_lexicons_confidence() -> None:
    home = doc(
        "<main><h1>Gentle dental care</h1><p>Our dentists and hygienists treat patients of "
        "every age at the clinic, from check-ups to fillings.</p></main>",
        "https://brightbite.test/",
        title="Brightbite | Dentist",
    )
    answer = classified(home)
    assert answer["industrySector"] == "Healthcare" and answer["businessType"] is None
    assert 0 < answer["confidenceScore"] < DECLARED_CONFIDENCE
