"""An item's category follows from what the business sells: software words (integrations,
features, security) mean partners, prices and rules for a business that sells none."""

from __future__ import annotations

import pytest

from sitelore.core.chunks import split_chunks
from sitelore.core.knowledge import PageContext, page_items
from sitelore.models import ItemCategory
from tests.core.helpers import doc, items_of

PARTNERS = """<main><h1>Our partners</h1>
<h2>Northwind Data</h2><p>Syncs your contacts both ways, every five minutes, with no code.</p>
<h2>Harbour Bank</h2><p>Lends us the ground floor and sponsors our evening meetups.</p></main>"""


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        pytest.param(ItemCategory.FEATURE, ItemCategory.INTEGRATION, id="software"),
        pytest.param(ItemCategory.SERVICE, ItemCategory.ABOUT, id="a-coworking-space"),
        pytest.param(ItemCategory.PRODUCT, ItemCategory.ABOUT, id="a-shop"),
    ],
)
def test_partners_are_integrations_only_for_software(
    offer: ItemCategory, expected: ItemCategory
) -> None:
    items = items_of(PARTNERS, "https://desks.test/partners/", "integrations", offer=offer)
    assert {item.category for item in items} == {expected}


def test_on_a_clinics_home_page_a_card_in_its_words_is_the_offer() -> None:
    """A card needs one word of the industry to be the offer, a paragraph two: the place's
    story stays ABOUT."""
    body = """<main><h1>Care close to home</h1>
    <div class="card"><h3>Gentle checks</h3><p>A dentist sees you within the week, and
    explains every step before it happens.</p></div>
    <div class="card"><h3>Calm and quiet</h3><p>A waiting room with a view of the park and soft
    music, so that the hour goes by quickly.</p></div>
    <h2>Our story</h2><p>We opened in 2009 with one chair and a dentist who loves the
    park next door.</p></main>"""
    document = doc(body, "https://smiles.test/")
    context = PageContext(
        url="https://smiles.test/",
        purpose="home",
        default=ItemCategory.ABOUT,
        industry="Healthcare",
        offer=ItemCategory.SERVICE,
    )
    items = page_items(split_chunks(document.blocks), context)
    assert {item.title: item.category for item in items} == {
        "Gentle checks": ItemCategory.SERVICE,
        "Calm and quiet": ItemCategory.ABOUT,
        "Our story": ItemCategory.ABOUT,
    }


def test_testimonials_after_a_list_are_customers_words_not_part_of_the_list() -> None:
    body = """<main><h2>What we treat</h2><ul><li>Back pain</li><li>Stiff necks</li></ul>
    <div class="reviews"><div class="review"><i class="icon-quote"></i>
    <p>You gave me my back again after ten years of pain, thank you.</p></div>
    <div class="review"><i class="icon-quote"></i>
    <p>Kind people and a calm room, and I sleep better than in years.</p></div></div>
    <blockquote>Please bring your insurance card to every appointment, every time.</blockquote>
    </main>"""
    items = items_of(body, "https://calm.test/", "home")
    quoted = [item for item in items if "ten years of pain" in item.content]
    assert [item.category for item in quoted] == [ItemCategory.CUSTOMER]
    assert "Back pain" not in quoted[0].content
    # A blockquote without its author is no client's word: a notice, a motto.
    notice = [item for item in items if "insurance card" in item.content]
    assert notice and all(item.category is not ItemCategory.CUSTOMER for item in notice)


@pytest.mark.parametrize(
    ("body", "purpose", "software", "elsewhere"),
    [
        pytest.param(
            "<h2>Insurance</h2><p>We take most private health insurers; bring your card.</p>",
            "pricing",
            ItemCategory.FEATURE,
            ItemCategory.PRICING,
            id="unpriced-on-a-pricing-page",
        ),
        pytest.param(
            "<h2>Security</h2><p>Life jackets are worn on the water at all times, by all.</p>",
            "other",
            ItemCategory.SECURITY,
            ItemCategory.POLICY,
            id="safety-rules",
        ),
    ],
)
def test_words_of_software_mean_prices_and_rules_elsewhere(
    body: str, purpose: str, software: ItemCategory, elsewhere: ItemCategory
) -> None:
    url = "https://river.test/page/"
    (for_software,) = items_of(f"<main>{body}</main>", url, purpose)
    (for_a_shop,) = items_of(f"<main>{body}</main>", url, purpose, offer=ItemCategory.SERVICE)
    assert (for_software.category, for_a_shop.category) == (software, elsewhere)
