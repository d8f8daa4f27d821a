"""``extract_site`` end to end on the fixture sites: items, profile, events and the result.

The crawls run against the local web server (see ``tests/sitekit.py`` for the sites); the
assertions are about what API.md promises, not about how sitelore gets there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from sitelore.errors import InvalidRequest
from sitelore.models import (
    INDUSTRIES,
    BusinessClassified,
    ExtractRequest,
    ItemCategory,
    KnowledgeItem,
    PageScraped,
    PagesPlanned,
    Progress,
)
from tests.sitekit import (
    ACME,
    ACME_HOME,
    BISTRO_HOME,
    NIMBUS_HOME,
    Run,
    extract,
    links_page,
    non_space,
    page_html,
    page_paths,
    prose,
    route_site,
    serve_acme,
    serve_bistro,
    serve_nimbus,
)
from tests.webserver import StaticResolver, WebServer, html

PRICING = "http://acme.test/pricing/"
COMPARE = "http://acme.test/plans/compare/"
FAQ = "http://acme.test/faq/"
PLANS = {"Starter": "$29", "Team": "$79", "Business": "$199"}
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

Serve = Callable[[WebServer], None]


def crawl_acme(web: WebServer, resolver: StaticResolver, max_pages: int = 20) -> Run:
    serve_acme(web)
    return extract(resolver, ExtractRequest(ACME_HOME, max_pages=max_pages))


def items_from(run: Run, source: str) -> list[KnowledgeItem]:
    return [item for item in run.result.knowledge_items if item.source == source]


# --- what items may not contain -------------------------------------------------------------

# Text of each site's template (header, nav, footer, cookie banner, call-to-action band):
# it is on every page, so it belongs to no knowledge item.
TEMPLATES: dict[str, tuple[Serve, str, tuple[str, ...], tuple[str, ...]]] = {
    "acme": (
        serve_acme, ACME_HOME,
        ("This website uses cookies", "Ready when your crew is",
         "Start a free 14-day trial. No credit card needed", "Field notes for service businesses",
         "All rights reserved", "Got it", "Follow us", "Start free trial", "See plans"),
        ("Features", "Pricing", "About", "FAQ", "Blog", "Contact"),
    ),
    "bistro": (
        serve_bistro, BISTRO_HOME,
        ("We only use cookies", "By staying you agree", "© 2024 Little Fig Bistro"),
        ("Home", "Menu", "Hours & location", "Our story"),
    ),
    "nimbus": (
        serve_nimbus, NIMBUS_HOME,
        ("Nimbus uses cookies", "anonymous usage statistics", "Nimbus Labs Ltd"),
        ("Features", "About", "Blog"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("site", sorted(TEMPLATES))
def test_template_boilerplate_is_in_no_item(
    web: WebServer, resolver: StaticResolver, site: str
) -> None:
    serve, start, phrases, nav = TEMPLATES[site]
    serve(web)
    run = extract(resolver, ExtractRequest(start, max_pages=20))
    items = run.result.knowledge_items
    assert len(items) >= 5
    for item in items:
        text = f"{item.title}\n{item.description}\n{item.content}"
        for phrase in phrases:
            assert phrase not in text, (phrase, item)
        lines = {line.strip("-*# ").strip() for line in item.content.splitlines()}
        assert not set(nav) <= lines, f"navigation menu in {item}"


@pytest.mark.parametrize("site", sorted(TEMPLATES))
def test_items_are_substantial_distinct_and_well_formed(
    web: WebServer, resolver: StaticResolver, site: str
) -> None:
    serve, start, _, _ = TEMPLATES[site]
    serve(web)
    run = extract(resolver, ExtractRequest(start, max_pages=20))
    items = run.result.knowledge_items
    fetched_ok = {e.url for e in run.scraped if e.status == "done"}
    contents = [item.content for item in items]
    assert len(set(contents)) == len(contents)
    for item in items:
        assert non_space(item.content) >= 40, item
        assert item.title and item.description, item
        assert item.category in ItemCategory
        assert item.source in fetched_ok, item.source


# --- units of knowledge ---------------------------------------------------------------------


def test_pricing_cards_become_one_item_per_plan(web: WebServer, resolver: StaticResolver) -> None:
    run = crawl_acme(web, resolver)
    cards = [item for item in items_from(run, PRICING) if item.title in PLANS]
    assert sorted(item.title for item in cards) == sorted(PLANS)
    for item in cards:
        price = PLANS[item.title]
        assert f"{price}/month" in item.content
        others = [p for name, p in PLANS.items() if name != item.title]
        assert not any(f"{other}/" in item.content for other in others), item.content
        assert "technicians" in item.content  # the plan's feature list came along
        assert "\n- " in item.content  # ... as a Markdown list


def test_comparison_table_becomes_one_item_per_plan_column(
    web: WebServer, resolver: StaticResolver
) -> None:
    run = crawl_acme(web, resolver)
    columns = {item.title: item for item in items_from(run, COMPARE) if item.title in PLANS}
    assert sorted(columns) == sorted(PLANS)
    for name, item in columns.items():
        assert re.search(rf"\{PLANS[name]}\b", item.content), item.content
        others = [price for plan, price in PLANS.items() if plan != name]
        assert not any(re.search(rf"\{other}\b", item.content) for other in others)
    assert "Up to 3" in columns["Starter"].content
    assert "Route optimisation" not in columns["Starter"].content  # "—": not in this plan
    assert "Route optimisation" in columns["Team"].content
    assert "Named account manager" in columns["Business"].content


@pytest.mark.parametrize(
    ("source", "plan"),
    [
        (PRICING, "Starter"),
        (PRICING, "Business"),
        (PRICING, "Team"),
        (COMPARE, "Starter"),
        (COMPARE, "Business"),
        (COMPARE, "Team"),
    ],
)  # fmt: skip
def test_priced_plans_are_pricing_items(
    web: WebServer, resolver: StaticResolver, source: str, plan: str
) -> None:
    serve_acme(web)
    run = extract(resolver, ExtractRequest(ACME_HOME, urls=(PRICING, COMPARE)))
    [item] = [i for i in items_from(run, source) if i.title == plan]
    assert item.category is ItemCategory.PRICING


FAQS = {
    "Can I try Acme before I pay?": "free 14-day trial",
    "Does the mobile app work without internet?": "uploads everything once it finds",
    "Can I import my existing customer list?": "Upload a spreadsheet of customers",
    "Do you offer discounts for non-profits?": "Registered charities get 30% off",
    "What payment methods do you accept?": "bank transfer against an annual invoice",
    "Can I cancel at any time?": "cancel from the billing page",
}


def test_faq_becomes_one_item_per_question_with_its_answer(
    web: WebServer, resolver: StaticResolver
) -> None:
    run = crawl_acme(web, resolver)
    faq = items_from(run, FAQ)
    for question, answer in FAQS.items():
        matching = [item for item in faq if question in item.title]
        assert len(matching) == 1, (question, [i.title for i in faq])
        [item] = matching
        assert item.category is ItemCategory.FAQ
        assert answer in item.content
        others = [a for q, a in FAQS.items() if q != question]
        assert not any(other in item.content for other in others)


def test_menu_dishes_keep_their_prices(web: WebServer, resolver: StaticResolver) -> None:
    serve_bistro(web)
    run = extract(resolver, ExtractRequest(BISTRO_HOME))
    menu = "\n".join(item.content for item in items_from(run, "http://littlefig.test/menu/"))
    for dish, price in (("Charred leeks", "$12"), ("Braised short rib", "$34"),
                        ("Fig and almond tart", "$11")):  # fmt: skip
        line = next((line for line in menu.splitlines() if dish in line), "")
        assert price in line, (dish, menu)


def test_contact_details_become_a_contact_item(web: WebServer, resolver: StaticResolver) -> None:
    run = crawl_acme(web, resolver)
    contact = [i for i in run.result.knowledge_items if i.category is ItemCategory.CONTACT]
    text = "\n".join(item.content for item in contact)
    for detail in ("sales@acme.test", "help@acme.test", "1200 Harbor Street", "555-0142"):
        assert detail in text, detail


# --- the business profile -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serve", "start", "expected"),
    [
        (serve_acme, ACME_HOME,
         {"name": "Acme", "domain": "acme.test", "logo": "http://acme.test/static/acme-logo-512.png"}),
        (serve_acme, "http://www.acme.test/",
         {"name": "Acme", "domain": "acme.test", "logo": "http://acme.test/static/acme-logo-512.png"}),
        (serve_bistro, BISTRO_HOME,
         {"name": "Little Fig Bistro", "domain": "littlefig.test", "logo": None,
          "category": "Restaurants & Food Service"}),
        (serve_nimbus, NIMBUS_HOME,
         {"name": "Nimbus", "domain": "nimbus.test", "logo": "http://nimbus.test/img/nimbus-logo.svg"}),
    ],
    ids=["acme-json-ld", "acme-from-www", "bistro-title-pattern", "nimbus-og-site-name"],
)  # fmt: skip
def test_business_profile(
    web: WebServer,
    resolver: StaticResolver,
    serve: Serve,
    start: str,
    expected: dict[str, str | None],
) -> None:
    serve(web)
    run = extract(resolver, ExtractRequest(start, max_pages=20))
    business = run.result.business.to_dict()
    assert {key: business[key] for key in expected} == expected
    assert business["category"] in INDUSTRIES
    assert 20 <= len(business["description"]) <= 300
    assert "\n" not in business["description"]


def test_bistro_description_says_what_it_is(web: WebServer, resolver: StaticResolver) -> None:
    serve_bistro(web)
    run = extract(resolver, ExtractRequest(BISTRO_HOME))
    description = run.result.business.description.lower()
    assert any(word in description for word in ("restaurant", "bistro", "dinner", "plates"))


# --- events ---------------------------------------------------------------------------------


def test_event_stream_of_a_crawl(web: WebServer, resolver: StaticResolver) -> None:
    max_pages = 6
    run = crawl_acme(web, resolver, max_pages=max_pages)
    events = run.events

    plans = run.of(PagesPlanned)
    first = plans[0]
    assert (first.pages[0].url, first.pages[0].purpose) == (ACME_HOME, "home")
    assert {page.purpose for page in first.pages} == {
        "home",
        "pricing",
        "features",
        "about",
        "faq",
        "contact",
    }
    for plan in plans:
        urls = [page.url for page in plan.pages]
        assert len(urls) == len(set(urls)) <= max_pages
        assert all(page.purpose for page in plan.pages)

    # Each page_scraped is followed by the progress it caused.
    done = 0
    for position, event in enumerate(events):
        if isinstance(event, PageScraped):
            done += event.status == "done"
            after = events[position + 1]
            assert isinstance(after, Progress)
            assert after.pages_scraped == done
    progress = run.of(Progress)
    assert all(p.total_pages <= max_pages for p in progress)
    counts = [p.pages_scraped for p in progress]
    assert counts == sorted(counts)
    scraped = run.scraped
    assert [e.index for e in scraped] == list(range(len(scraped)))
    assert done == run.result.pages_scraped == max_pages

    # The end: the business once all pages are in, then the final progress.
    [classified] = run.of(BusinessClassified)
    assert classified.business == run.result.business
    assert events.index(classified) > max(events.index(e) for e in scraped)
    last = events[-1]
    assert isinstance(last, Progress)
    assert (last.pages_scraped, last.total_pages, last.current_step) == (
        max_pages,
        max_pages,
        "Complete",
    )


def test_pages_planned_is_the_first_event(web: WebServer, resolver: StaticResolver) -> None:
    run = crawl_acme(web, resolver, max_pages=6)
    assert isinstance(run.events[0], PagesPlanned)


def _failing_links_site(web: WebServer) -> None:
    # Three broken links, taken first, and three good pages: with maxPages=3 the six fetches
    # the crawl allows (2 × maxPages, the home page included) still reach three pages.
    pages: dict[str, str] = {
        "/": links_page(*(f"/broken-{i}/" for i in range(3)), *(f"/page-{i}/" for i in range(3))),
    }
    pages.update({f"/page-{i}/": page_html(f"Page {i}", prose(f"Topic {i}")) for i in range(3)})
    route_site(web, ACME, pages)
    for i in range(3):
        web.add_route(ACME, f"/broken-{i}/", html(page_html("Error", "<h1>Error</h1>"), 500))


def test_failed_pages_are_reported_and_progress_stays_in_budget(
    web: WebServer, resolver: StaticResolver
) -> None:
    _failing_links_site(web)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=3))
    failed = [e for e in run.scraped if e.status == "failed"]
    assert failed and all(e.error and e.url in e.error for e in failed)
    assert all(e.error is None for e in run.scraped if e.status == "done")
    assert all(p.total_pages <= 3 for p in run.of(Progress))
    assert run.result.pages_scraped == 3


def test_page_scraped_index_stays_below_total(web: WebServer, resolver: StaticResolver) -> None:
    _failing_links_site(web)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=3))
    for event in run.scraped:
        assert 0 <= event.index < event.total <= 3, event


def test_url_list_plan_has_a_purpose_per_url(web: WebServer, resolver: StaticResolver) -> None:
    serve_acme(web)
    urls = (PRICING, FAQ, "http://acme.test/contact/", "http://acme.test/legal/privacy/")
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=4, urls=urls))
    [plan] = run.of(PagesPlanned)
    assert [(p.url, p.purpose) for p in plan.pages] == list(
        zip(urls, ("pricing", "faq", "contact", "legal"), strict=True)
    )
    assert run.result.pages_scraped == 4


# --- the result -----------------------------------------------------------------------------


def test_result_matches_the_api_contract(web: WebServer, resolver: StaticResolver) -> None:
    run = crawl_acme(web, resolver, max_pages=8)
    data = run.result.to_dict()
    json.dumps(data)  # plain JSON types only
    assert set(data) == {
        "business",
        "knowledgeItems",
        "pagesScraped",
        "urlsDiscovered",
        "durationMs",
        "startedAt",
        "finishedAt",
        "warnings",
    }
    assert data["warnings"] == []
    assert {"name", "domain", "category", "description", "logo"} <= set(data["business"])
    for item in data["knowledgeItems"]:
        assert set(item) == {"title", "description", "content", "category", "source"}
        assert item["category"] in {category.value for category in ItemCategory}
        assert item["source"].startswith("http://acme.test/")
    assert data["pagesScraped"] == 8 == len(set(page_paths(web, ACME)))
    assert data["urlsDiscovered"] >= data["pagesScraped"]
    for key in ("startedAt", "finishedAt"):
        assert ISO_MILLIS.match(data[key]), data[key]
    started = datetime.fromisoformat(data["startedAt"].replace("Z", "+00:00"))
    finished = datetime.fromisoformat(data["finishedAt"].replace("Z", "+00:00"))
    assert type(data["durationMs"]) is int and data["durationMs"] >= 0
    assert (finished - started) // timedelta(milliseconds=1) == data["durationMs"]


def test_excluded_start_page_is_the_source_of_no_item(
    web: WebServer, resolver: StaticResolver
) -> None:
    serve_bistro(web)
    run = extract(resolver, ExtractRequest(BISTRO_HOME, exclude_patterns=("/",)))
    assert run.result.knowledge_items
    assert BISTRO_HOME not in run.sources()


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (ExtractRequest("ftp://acme.test/"), "url"),
        (ExtractRequest(ACME_HOME, max_pages=0), "maxPages"),
        (ExtractRequest(ACME_HOME, max_pages=51), "maxPages"),
        (ExtractRequest(ACME_HOME, urls=("http://other.test/",)), "urls"),
        (ExtractRequest(ACME_HOME, max_pages=1, urls=(PRICING, FAQ)), "urls"),
        (ExtractRequest(ACME_HOME, include_patterns=("http://acme.test/blog",)),
         "includePatterns"),
    ],
    ids=["scheme", "zero-pages", "over-cap", "off-site-url", "too-many-urls", "url-as-glob"],
)  # fmt: skip
def test_invalid_requests_fail_before_any_traffic(
    web: WebServer, resolver: StaticResolver, request_: ExtractRequest, field: str
) -> None:
    serve_acme(web)
    with pytest.raises(InvalidRequest) as caught:
        extract(resolver, request_)
    assert caught.value.field == field
    assert web.requests == ()
