"""The business profile: name, domain, category, description and logo from every page fetched."""

from __future__ import annotations

import pytest

from sitelore.core.document import Document
from sitelore.core.profile import build_profile, offer_category, strip_brand
from sitelore.models import INDUSTRIES, ItemCategory
from tests.core.helpers import doc


def jsonld(body: str) -> str:
    return f'<script type="application/ld+json">{body}</script>'


# --- name -------------------------------------------------------------------------------


def test_name_from_og_site_name_not_the_title_tagline() -> None:
    home = doc(
        "<main><h1>Write together</h1></main>",
        "https://www.quillby.test/",
        title="Quillby - Write together, ship faster",
        head='<meta property="og:site_name" content="Quillby">',
    )
    assert build_profile([home], home).name == "Quillby"


def test_name_from_jsonld_organization() -> None:
    home = doc(
        "<p>Find your next home.</p>",
        "https://harborlane.test/",
        title="Welcome",
        head=jsonld('{"@type":"RealEstateAgent","name":"Harbor Lane Realty"}'),
    )
    assert build_profile([home], home).name == "Harbor Lane Realty"


def test_name_is_what_every_page_title_shares() -> None:
    pages = [
        doc("<p>x</p>", "https://northwind.test/", title="Freight made simple | Northwind Freight"),
        doc("<p>x</p>", "https://northwind.test/about", title="About us | Northwind Freight"),
        doc("<p>x</p>", "https://northwind.test/contact", title="Contact | Northwind Freight"),
    ]
    assert build_profile(pages, pages[0]).name == "Northwind Freight"


def test_name_from_the_logo_alt_text() -> None:
    home = doc(
        '<header><img src="/i/logo.png" alt="Harbor Lane Realty"></header>'
        "<main><p>Homes.</p></main>",
        "https://harborlane.test/",
        title="Home",
    )
    assert build_profile([home], home).name == "Harbor Lane Realty"


@pytest.mark.parametrize(
    "title",
    [pytest.param("", id="no-title"), pytest.param("Home", id="generic-title")],
)
def test_name_falls_back_to_the_domain(title: str) -> None:
    home = doc("<p>x</p>", "https://www.blue-otter.test/", title=title)
    assert build_profile([home], home).name.casefold() == "blue-otter"


@pytest.mark.parametrize(
    ("title", "name", "rest"),
    [
        pytest.param("Pricing | Acme", "Acme", "Pricing", id="suffix"),
        pytest.param("Acme – Pricing plans", "Acme", "Pricing plans", id="prefix"),
        pytest.param("Acme", "Acme", "", id="only-brand"),
        pytest.param("About us · ACME", "Acme", "About us", id="case"),
    ],
)
def test_strip_brand(title: str, name: str, rest: str) -> None:
    assert strip_brand(title, name) == rest


# --- domain, logo ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        pytest.param("https://www.crumb.test/", "crumb.test", id="www"),
        pytest.param("https://shop.crumb.co.uk/", "crumb.co.uk", id="co-uk"),
        pytest.param("http://crumb.test:8080/", "crumb.test", id="port"),
    ],
)
def test_domain_is_registrable_without_www(url: str, domain: str) -> None:
    home = doc("<p>x</p>", url, title="Crumb")
    assert build_profile([home], home).domain == domain


def test_logo_is_absolute_and_from_the_home_page_first() -> None:
    about = doc(
        '<header><img src="/img/old-logo.png" alt="logo"></header>', "https://crumb.test/about"
    )
    home = doc('<header><img src="img/crumb-logo.svg" alt="Crumb"></header>', "https://crumb.test/")
    assert build_profile([about, home], home).logo == "https://crumb.test/img/crumb-logo.svg"


def test_no_logo_is_none() -> None:
    home = doc("<p>x</p>", "https://crumb.test/", title="Crumb")
    assert build_profile([home], home).logo is None


# --- description --------------------------------------------------------------------------

BODY = (
    "<main><p>Crumb bakes sourdough bread, rye loaves and spelt rolls every morning "
    "in Leeds.</p></main>"
)
META = (
    '<meta name="description" '
    'content="Crumb is a family bakery making slow-fermented bread for its street.">'
)


def test_description_prefers_the_meta_description() -> None:
    home = doc(BODY, "https://crumb.test/", title="Crumb", head=META)
    assert build_profile([home], home).description == (
        "Crumb is a family bakery making slow-fermented bread for its street."
    )


def test_description_from_the_text_when_there_is_no_meta() -> None:
    home = doc(BODY, "https://crumb.test/", title="Crumb")
    assert build_profile([home], home).description == (
        "Crumb bakes sourdough bread, rye loaves and spelt rolls every morning in Leeds."
    )


def test_description_is_one_sentence_of_at_most_300_characters() -> None:
    long = (
        "Crumb is a bakery "
        + "that bakes sourdough, rye and spelt loaves " * 12
        + "by hand. Also cakes."
    )
    home = doc(
        BODY,
        "https://crumb.test/",
        title="Crumb",
        head=f'<meta name="description" content="{long}">',
    )
    description = build_profile([home], home).description
    assert 40 <= len(description) <= 300
    assert description.startswith("Crumb is a bakery that bakes")
    assert "Also cakes" not in description


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<main><p>Hi there.</p></main>", id="short-text"),
        pytest.param("<main><h1>Welcome</h1><p>Sourdough.</p></main>", id="heading"),
    ],
)
def test_description_is_never_empty_when_there_is_text(body: str) -> None:
    home = doc(body, "https://crumb.test/", title="Crumb Bakery")
    assert build_profile([home], home).description.strip()


# --- category -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "category"),
    [
        pytest.param('"Dentist"', "Healthcare", id="dentist"),
        pytest.param('"Restaurant"', "Restaurants & Food Service", id="restaurant"),
        pytest.param(
            '["LocalBusiness","schema:Hotel"]', "Travel & Hospitality", id="prefixed-in-list"
        ),
    ],
)
def test_category_from_schema_type_beats_text(types: str, category: str) -> None:
    home = doc(
        "<main><h1>Software for teams</h1><p>Kanban boards and sprint planning.</p></main>",
        "https://place.test/",
        title="Welcome",
        head=jsonld(f'{{"@type":{types},"name":"The Place"}}'),
    )
    assert build_profile([home], home).category == category


def test_category_from_the_words_of_home_and_about_pages() -> None:
    home = doc(
        "<main><h1>Plan sprints and ship your roadmap</h1>"
        "<p>Kanban boards, gantt charts and task management for product teams.</p></main>",
        "https://trackly.test/",
        title="Trackly - project management for product teams",
    )
    about = doc(
        "<main><p>We build project management software.</p></main>", "https://trackly.test/about"
    )
    profile = build_profile([home, about], home)
    assert profile.category == "Project Management"


def test_category_is_other_without_evidence() -> None:
    home = doc(
        "<main><p>Lorem ipsum dolor sit amet, consectetur adipiscing.</p></main>",
        "https://x.test/",
        title="Hello",
    )
    assert build_profile([home], home).category == "Other"


def test_local_business_description_names_its_town() -> None:
    home = doc(
        "<p>x</p>",
        "https://smile.test/",
        title="Bright Smile",
        head=jsonld(
            '{"@type":"Dentist","name":"Bright Smile","description":'
            '"Gentle family dentistry for all ages, with evening appointments."}'
        ),
    )
    description = build_profile([home], home, locality="Riverton").description
    assert description.startswith("Gentle family dentistry for all ages")
    assert "Riverton" in description
    assert len(description) <= 300


def test_profile_fields_are_always_filled() -> None:
    documents: list[Document] = [doc("", "https://www.empty.test/")]
    profile = build_profile(documents, None)
    assert profile.name
    assert profile.domain == "empty.test"
    assert profile.category in INDUSTRIES
    assert isinstance(profile.description, str)


@pytest.mark.parametrize(
    ("industry", "offer"),
    [
        pytest.param("Project Management", ItemCategory.FEATURE, id="software"),
        pytest.param("Healthcare", ItemCategory.SERVICE, id="a-clinic"),
        pytest.param("Travel & Hospitality", ItemCategory.PRODUCT, id="rooms"),
        pytest.param("Nonprofit & Government", ItemCategory.SERVICE, id="a-nonprofits-programmes"),
        pytest.param("Manufacturing & Industrial", ItemCategory.PRODUCT, id="what-a-factory-makes"),
    ],
)
def test_offer_category(industry: str, offer: ItemCategory) -> None:
    assert offer_category(industry) is offer
