"""The industry: schema.org types map to the taxonomy; otherwise a lexicon scores the text."""

from __future__ import annotations

import pytest

from sitelore.core.industry import (
    SCHEMA_TYPES,
    classify_industry,
    industry_evidence,
    industry_from_schema,
)
from sitelore.core.lexicon import industry_terms
from sitelore.models import INDUSTRIES


@pytest.mark.parametrize(
    ("types", "label"),
    [
        pytest.param(["Dentist"], "Healthcare", id="dentist"),
        pytest.param(["Restaurant"], "Restaurants & Food Service", id="restaurant"),
        pytest.param(["CafeOrCoffeeShop"], "Restaurants & Food Service", id="cafe"),
        pytest.param(["Bakery"], "Food & Beverage", id="bakery"),
        pytest.param(["Hotel"], "Travel & Hospitality", id="hotel"),
        pytest.param(["Attorney"], "Legal Services", id="attorney"),
        pytest.param(["RealEstateAgent"], "Real Estate", id="realtor"),
        pytest.param(["Plumber"], "Construction & Home Services", id="plumber"),
        pytest.param(["HairSalon"], "Beauty & Personal Care", id="salon"),
        pytest.param(["ExerciseGym"], "Sports & Fitness", id="gym"),
        pytest.param(["AutoRepair"], "Automotive", id="garage"),
        pytest.param(
            ["Organization", "LocalBusiness", "Dentist"], "Healthcare", id="first-known-wins"
        ),
        pytest.param(["Organization"], None, id="organization-says-nothing"),
        pytest.param(["WebSite", "WebPage"], None, id="page-types"),
        pytest.param([], None, id="none"),
    ],
)
def test_schema_types_map_to_the_taxonomy(types: list[str], label: str | None) -> None:
    assert industry_from_schema(types) == label


def test_every_schema_mapping_and_lexicon_label_is_in_the_taxonomy() -> None:
    assert set(SCHEMA_TYPES.values()) <= set(INDUSTRIES)
    assert set(industry_terms()) <= set(INDUSTRIES) - {"Other"}


@pytest.mark.parametrize(
    ("texts", "label"),
    [
        pytest.param(
            [
                ("Riverton Family Dentist - gentle dental care", 3.0),
                (
                    "Our dentist and hygienists welcome new patients to the clinic for treatment.",
                    1.0,
                ),
            ],
            "Healthcare",
            id="dentist",
        ),
        pytest.param(
            [
                ("Hire faster with Talentloop", 3.0),
                (
                    "Applicant tracking, payroll and employee onboarding. Recruit the best talent.",
                    2.0,
                ),
            ],
            "HR & Recruiting",
            id="hr",
        ),
        pytest.param(
            [
                ("Plan sprints, track issues and ship your roadmap", 3.0),
                ("Kanban boards, gantt charts and task management for product teams.", 2.0),
            ],
            "Project Management",
            id="project-management",
        ),
        pytest.param(
            [
                ("Hausarzt Praxis Dr. Muster", 3.0),
                ("Sprechstunde für Patienten, Medizin und Gesundheit.", 2.0),
            ],
            "Healthcare",
            id="german-doctor",
        ),
        pytest.param(
            [
                ("The Copper Kettle - restaurant and bar", 3.0),
                ("Dinner, brunch and cocktails; book a table.", 2.0),
            ],
            "Restaurants & Food Service",
            id="restaurant",
        ),
    ],
)
def test_lexicon_picks_a_clear_winner(texts: list[tuple[str, float]], label: str) -> None:
    assert classify_industry(texts) == label


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param([], id="no-text"),
        pytest.param(
            [("Welcome", 3.0), ("Lorem ipsum dolor sit amet, consectetur.", 1.0)], id="no-evidence"
        ),
        pytest.param([("hotel and restaurant", 1.0)], id="weak-tie"),
        pytest.param([("dentist", 0.5)], id="one-faint-word"),
    ],
)
def test_no_clear_evidence_says_other(texts: list[tuple[str, float]]) -> None:
    assert classify_industry(texts) == "Other"


def test_weight_decides_between_two_kinds_of_evidence() -> None:
    title = ("Harbor Lane Realty - homes for sale and apartments to rent", 3.0)
    body = ("Our blog covers travel and holiday ideas for guests.", 0.5)
    assert classify_industry([title, body]) == "Real Estate"


@pytest.mark.parametrize(
    ("text", "label", "count"),
    [
        pytest.param("dentist, dental care, dentist again", "Healthcare", 2, id="distinct-terms"),
        pytest.param("Take care of your car", "Automotive", 1, id="short-term-whole-word"),
        pytest.param("Rapid progress", "Developer Tools", 0, id="api-not-in-rapid"),
        pytest.param(
            "Data migration to cloud storage", "Cloud Storage & File Management", 2, id="stem"
        ),
        pytest.param("anything", "Other", 0, id="other-has-no-lexicon"),
    ],
)
def test_industry_evidence(text: str, label: str, count: int) -> None:
    assert industry_evidence(text, label) == count


def test_no_lexicon_term_repeats_a_shorter_term_of_its_label() -> None:
    # A term that only lengthens another ("patienten" after "patient") would count one
    # word twice as evidence.
    redundant = [
        (label, term, stem)
        for label, terms in industry_terms().items()
        for term in terms
        for stem in terms
        if term != stem and len(stem) > 4 and term.startswith(stem)
    ]
    assert redundant == []
