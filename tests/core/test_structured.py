"""Items a page declares in JSON-LD: FAQPage questions, products, services and offers."""

from __future__ import annotations

from sitelore.core.assemble import CrawledPage, assemble
from sitelore.core.metadata import parse_jsonld
from sitelore.core.structured import structured_items
from sitelore.models import ItemCategory
from tests.core.helpers import doc

SOURCE = "https://crumb.test/faq"
GRAPH = """{"@context":"https://schema.org","@graph":[
 {"@type":"FAQPage","mainEntity":[
  {"@type":"Question","name":"Do you deliver on Sundays?",
   "acceptedAnswer":{"@type":"Answer","text":"<p>Yes, <b>before noon</b> within the city.</p>"}},
  {"@type":"Question","name":"A question nobody answered?"}]},
 {"@type":"Product","name":"Seeded rye loaf","description":"Dark rye with sunflower seeds.",
  "offers":{"@type":"Offer","price":"6.50","priceCurrency":"GBP"}},
 {"@type":"Service","name":"Wedding cakes","description":"Three tiers, any flavour, set up."},
 {"@type":"Product","name":"A product with nothing to say"}
]}"""


def test_faq_product_and_service_items_from_jsonld() -> None:
    items = structured_items(parse_jsonld(GRAPH), SOURCE)
    assert [(item.title, item.category) for item in items] == [
        ("Do you deliver on Sundays?", ItemCategory.FAQ),
        ("Seeded rye loaf", ItemCategory.PRODUCT),
        ("Wedding cakes", ItemCategory.SERVICE),
    ]
    faq, product, _service = items
    assert "Yes, before noon within the city." in faq.content  # the answer's HTML is read
    assert "<b>" not in faq.content
    assert "6.50 GBP" in product.content
    assert {item.source for item in items} == {SOURCE}


def test_faq_shown_on_the_page_and_declared_in_jsonld_is_one_item_per_question() -> None:
    question, answer = (
        "Do you deliver on Sundays?",
        "Yes, before noon, anywhere within the city limits.",
    )
    head = (
        '<script type="application/ld+json">{"@type":"FAQPage","mainEntity":[{"@type":"Question",'
        f'"name":"{question}","acceptedAnswer":{{"@type":"Answer","text":"{answer}"}}}}]}}</script>'
    )
    body = (
        f"<main><h1>FAQ</h1><details><summary>{question}</summary><p>{answer}</p></details></main>"
    )
    page = CrawledPage(doc(body, SOURCE, title="FAQ | Crumb", head=head), is_start=True)
    items = assemble([page]).items
    assert [item.title for item in items if item.category is ItemCategory.FAQ] == [question]
