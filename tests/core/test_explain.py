"""``--explain`` in the core: the reasons given for pages and items say what decided them.

Covers :mod:`sitelore.core.explain` (pages), the frontier's score terms it quotes, and the
category and title reasons that items carry from where they are made (knowledge, JSON-LD,
the site-wide contact details, the template's prose).
"""

from __future__ import annotations

from typing import Any

import pytest

from sitelore.core.assemble import CrawledPage, assemble
from sitelore.core.explain import (
    LISTED,
    START,
    page_done,
    page_missed,
    page_unvisited,
    path_plan,
    planned,
    score_note,
)
from sitelore.core.frontier import Frontier
from sitelore.core.pagetypes import classify_page, page_kind
from sitelore.core.structured import structured_items
from sitelore.core.urls import SiteScope
from sitelore.models import ItemCategory, ItemWhy, KnowledgeItem
from tests.core.helpers import doc, item_titled, items_of

SITE = "https://acme.test"


def frontier() -> Frontier:
    found = Frontier(SiteScope(SITE + "/"))
    found.mark_taken(SITE + "/", "home")
    return found


# -- page kinds and the frontier's score -------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "labels", "told"),
    [
        ("/pricing/", (), ""),
        ("/p/8412", ("Our prices",), "Our prices"),
        ("/p/8412", ("Click here", "Meet the team"), "Meet the team"),
        ("/p/8412", ("Click here",), None),
    ],
    ids=["url", "label", "second-label", "nothing"],
)
def test_page_kind_says_what_told_the_kind_classify_page_gives(
    path: str, labels: tuple[str, ...], told: str | None
) -> None:
    kind, source = page_kind(path, labels)
    assert kind == classify_page(path, labels)
    assert source == told
    assert (kind == "other") == (told is None)


def test_score_terms_add_up_to_the_score_the_candidate_was_taken_with() -> None:
    found = frontier()
    found.add(SITE + "/pricing/", label="Pricing", from_start=True, in_nav=True)
    found.add(SITE + "/plans/compare/", label="Compare plans", from_start=True, in_footer=True)
    found.add(SITE + "/de/preise/", label="Preise", hops=2)
    found.set_language("en")
    found.add(SITE + "/blog/2023/05/launch?ref=1", hops=3)
    while found.ranked(1):
        best = found.ranked(1)[0]
        score = found.score(best)
        taken = found.take()
        assert taken is not None and taken[0] is best
        assert sum(value for _, value in taken[1]) == pytest.approx(score, abs=1e-3)


def test_the_second_page_of_a_kind_names_its_penalty() -> None:
    found = frontier()
    found.add(SITE + "/pricing/", label="Pricing", from_start=True, in_nav=True)
    found.add(SITE + "/plans/compare/", label="Compare", from_start=True)
    first, second = found.take(), found.take()
    assert first is not None and second is not None
    assert not any("taken before" in name for name, _ in first[1])
    assert ("1 pricing page(s) taken before", -35.0) in second[1]
    # The terms are the score the frontier ranked the candidate by when it took it.
    assert sum(v for _, v in second[1]) == pytest.approx(second[0].base_score - 35, abs=1e-3)


# -- why a page was planned, skipped, failed or left -------------------------------------------


def test_a_nav_link_is_planned_for_its_place_its_label_its_kind_and_score() -> None:
    found = frontier()
    found.add(SITE + "/pricing/", label="Pricing", from_start=True, in_nav=True)
    taken = found.take()
    assert taken is not None
    text = planned(*taken).text()
    assert text.startswith("linked from the start page's navigation as 'Pricing'")
    assert "kind pricing from its URL" in text
    assert "score 129 (kind pricing 95, a navigation link +16" in text


def test_a_kind_told_by_a_link_label_quotes_the_label() -> None:
    found = frontier()
    found.add(SITE + "/p/8412", label="Meet the team", hops=2)
    taken = found.take()
    assert taken is not None
    plan = planned(*taken)
    assert plan.kind == "team"
    assert plan.found == "linked as 'Meet the team' from another page, 2 links from the start page"
    assert plan.kind_note == "kind team from the link text 'Meet the team'"


def test_a_sitemap_only_url_says_so() -> None:
    found = frontier()
    found.add(SITE + "/careers/", from_sitemap=True, hops=2)
    taken = found.take()
    assert taken is not None
    assert planned(*taken).found == "listed in the sitemap"


def test_score_note_lists_every_term() -> None:
    note = score_note([("kind faq", 80), ("a footer link", 8), ("2 path segments deep", -5)])
    assert note == "score 83 (kind faq 80, a footer link +8, 2 path segments deep -5)"
    assert score_note([]) == ""


def test_a_done_page_takes_its_kind_from_its_title_when_url_and_links_say_nothing() -> None:
    document = doc("<main><p>Plans from $9.</p></main>", SITE + "/p/1", title="Pricing")
    why = page_done(CrawledPage(document), path_plan(LISTED, SITE + "/p/1"), SITE + "/p/1")
    assert (why.kind, why.status) == ("pricing", "done")
    assert why.reason.startswith("listed in the request's urls; kind pricing from its title")


def test_a_done_page_says_when_it_yields_no_items_and_where_it_was_requested() -> None:
    document = doc("<main><p>Welcome.</p></main>", SITE + "/")
    why = page_done(CrawledPage(document, yields_items=False), START, SITE + "/index.html")
    assert "requested as https://acme.test/index.html" in why.reason
    assert "yields no items: the include/exclude patterns do not admit it" in why.reason


def test_a_missed_page_gives_its_cause_then_its_plan() -> None:
    plan = path_plan(LISTED, SITE + "/contact/")
    why = page_missed(SITE + "/contact/", plan, "HTTP 404 for https://acme.test/contact/", False)
    assert (why.kind, why.status) == ("contact", "failed")
    assert why.reason == (
        "HTTP 404 for https://acme.test/contact/; listed in the request's urls; "
        "kind contact from its URL"
    )
    assert page_missed(SITE + "/x", plan, "same content as /", True).status == "skipped"


def test_an_unvisited_page_says_why_it_was_left() -> None:
    found = frontier()
    found.add(SITE + "/legal/privacy/", label="Privacy", from_start=True, in_footer=True)
    [candidate] = found.ranked(5)
    why = page_unvisited(candidate, found.score_terms(candidate), "the budget went elsewhere")
    assert (why.kind, why.status) == ("legal", "unvisited")
    assert why.reason.startswith("not fetched: the budget went elsewhere; linked from the start")


# -- why an item has its category and title ----------------------------------------------------

SECTIONS = """<main>
<h1>Everything in one place</h1>
<h2>Offline mobile app</h2><p>Technicians see their jobs and fill in checklists without any
signal, and everything syncs the moment the van is back in range.</p>
<h2>12,000+</h2><p>Crews rely on the scheduler every single day, across small and large teams
in forty countries.</p>
</main>"""


def test_item_reasons_name_the_heading_and_the_evidence() -> None:
    items = items_of(SECTIONS, SITE + "/features/", "features", title="Features")
    own = item_titled(items, "Offline mobile app")
    assert own.why == ItemWhy("on a page of kind features", "its own heading")
    borrowed = item_titled(items, "Everything in one place")
    assert borrowed.why is not None
    assert borrowed.why.title_reason == (
        "the heading above it (its own heading '12,000+' is a figure or a step, not a title)"
    )


def test_an_item_without_any_heading_is_titled_by_the_page_title_or_first_sentence() -> None:
    body = "<main><p>We answer every message within one working day, weekends included.</p></main>"
    titled = items_of(body, SITE + "/x", "other", title="Support promise")
    assert titled[0].why is not None and titled[0].why.title_reason == "the page's title"
    bare = items_of(body, SITE + "/x", "other")
    assert bare[0].why is not None and bare[0].why.title_reason == "its first sentence"


def test_explanations_are_no_part_of_an_items_equality_or_json() -> None:
    plain = KnowledgeItem("T", "D.", "## T\n\nD.", ItemCategory.FAQ, SITE + "/")
    explained = KnowledgeItem(
        "T", "D.", "## T\n\nD.", ItemCategory.FAQ, SITE + "/", ItemWhy("a question", "heading")
    )
    assert plain == explained and hash(plain) == hash(explained)
    assert plain.to_dict() == explained.to_dict()
    assert "why" not in repr(explained)


def test_json_ld_items_name_their_schema_type() -> None:
    nodes: list[dict[str, Any]] = [
        {"@type": "Product", "name": "Acme Van Kit", "description": "A tablet mount for vans."},
        {"@type": "Question", "name": "Is there a trial?",
         "acceptedAnswer": {"@type": "Answer", "text": "Yes, fourteen days."}},
    ]  # fmt: skip
    product, question = structured_items(nodes, SITE + "/")
    assert product.why == ItemWhy("the page's JSON-LD declares a Product", "its JSON-LD name")
    assert question.why is not None and "a Question with its answer" in question.why.category_reason


def test_every_assembled_item_has_reasons() -> None:
    home = doc(
        "<header><nav><a href='/'>Home</a></nav></header>"
        "<main><h1>Acme</h1><p>Acme schedules field service crews for plumbers, electricians and"
        " cleaners, from the first call to the paid invoice.</p></main>"
        "<footer><p>Acme builds calm scheduling software for small trade businesses since 2015."
        " We are a team of twelve in Leeds.</p><p>Call us: +44 113 496 0000 or write to "
        "<a href='mailto:hello@acme.test'>hello@acme.test</a></p></footer>",
        SITE + "/",
        title="Acme",
    )
    assembled = assemble([CrawledPage(home, is_start=True)])
    reasons = {item.category: item.why for item in assembled.items}
    for why in reasons.values():
        assert why is not None and why.category_reason and why.title_reason
    contact = reasons[ItemCategory.CONTACT]
    assert contact is not None and contact.category_reason.startswith("CONTACT details gathered")
    template = reasons[ItemCategory.ABOUT]  # the footer's blurb
    assert template is not None and template.title_reason == "the business's name"
    assert template.category_reason.startswith("prose of the site's template")
