"""The crawl frontier: what is worth fetching first, what is never a candidate, what is counted."""

from __future__ import annotations

import pytest

from sitelore.core.frontier import Frontier
from sitelore.core.globs import PathFilter
from sitelore.core.urls import SiteScope

SITE = "https://acme.test"


def frontier() -> Frontier:
    found = Frontier(SiteScope(SITE + "/"))
    found.mark_taken(SITE + "/", "home")
    return found


def popped(found: Frontier, count: int) -> list[str]:
    urls: list[str] = []
    for _ in range(count):
        candidate = found.pop()
        if candidate is None:
            break
        urls.append(candidate.url.removeprefix(SITE))
    return urls


def test_business_pages_come_before_blog_dated_paginated_and_tag_pages() -> None:
    found = frontier()
    for path in ["/blog/2023/05/launch", "/tag/tips", "/blog/page/2", "/blog/hello", "/careers"]:
        found.add(SITE + path)
    for path in ["/pricing", "/about", "/contact"]:
        found.add(SITE + path)
    order = popped(found, 8)
    assert set(order[:3]) == {"/pricing", "/about", "/contact"}
    assert order.index("/blog/hello") < order.index("/blog/2023/05/launch")
    assert order.index("/blog/hello") < order.index("/blog/page/2")
    assert order.index("/blog/hello") < order.index("/tag/tips")


def test_ranked_is_the_order_pop_would_take() -> None:
    found = frontier()
    for path in ["/blog/a", "/pricing", "/legal/terms", "/legal/privacy", "/about", "/tag/x"]:
        found.add(SITE + path)
    planned = [c.url.removeprefix(SITE) for c in found.ranked(6)]
    assert planned == popped(found, 6)


@pytest.mark.parametrize(
    ("nav_path", "other_path"),
    [
        pytest.param("/plans", "/pricing", id="pricing-kind"),
        pytest.param("/x/widgets", "/x/gadgets", id="unknown-kind"),
    ],
)
def test_nav_links_of_the_start_page_outrank_the_same_kind_found_elsewhere(
    nav_path: str, other_path: str
) -> None:
    found = frontier()
    found.add(SITE + other_path, label="Link", hops=2)
    found.add(SITE + nav_path, label="Link", from_start=True, in_nav=True)
    assert popped(found, 1) == [nav_path]


def test_later_evidence_promotes_a_known_url() -> None:
    found = frontier()
    found.add(SITE + "/x/widgets")
    found.add(SITE + "/x/gadgets")
    found.add(SITE + "/x/gadgets", label="Gadgets", from_start=True, in_nav=True)
    assert popped(found, 1) == ["/x/gadgets"]


def test_a_link_label_gives_an_opaque_url_its_kind() -> None:
    found = frontier()
    found.add(SITE + "/p/1", label="Blog")
    found.add(SITE + "/p/2", label="Pricing")
    found.add(SITE + "/p/3", label="Careers")
    assert popped(found, 1) == ["/p/2"]


def test_ten_legal_pages_do_not_crowd_out_pricing_about_and_contact() -> None:
    found = frontier()
    for index in range(10):
        found.add(f"{SITE}/legal/policy-{index}", label="Legal", from_start=True, in_nav=True)
    for path in ["/pricing", "/about", "/contact"]:
        found.add(SITE + path, hops=2)
    first_five = popped(found, 5)
    assert {"/pricing", "/about", "/contact"} <= set(first_five)
    assert sum(path.startswith("/legal/") for path in first_five) <= 2


def test_every_kind_first_then_more_of_the_offer_before_more_policies() -> None:
    found = frontier()
    for name in ("massage", "facials", "waxing"):
        found.add(f"{SITE}/services/{name}", hops=2)
    for name in ("privacy", "cookies", "terms"):
        found.add(f"{SITE}/legal/{name}", label="Legal", from_start=True, in_footer=True)
    found.add(SITE + "/contact", from_start=True, in_footer=True)
    first = popped(found, 5)
    assert first[:3] == ["/contact", "/services/massage", "/legal/privacy"]  # each kind once
    assert first[3:] == ["/services/facials", "/services/waxing"]  # then the offer


def test_translations_come_last() -> None:
    found = frontier()
    found.set_language("en")
    found.add(SITE + "/de/preise", from_start=True, in_nav=True)
    found.add(SITE + "/blog/2019/05/hello", hops=3)
    found.add(SITE + "/pricing", from_start=True, in_nav=True)
    assert popped(found, 3) == ["/pricing", "/blog/2019/05/hello", "/de/preise"]


def test_the_start_pages_language_rereads_the_candidates_found_before_it() -> None:
    found = frontier()
    found.add(SITE + "/productivite/", from_start=True)  # Dutch "product*", French for "output"
    found.add(SITE + "/tarifs/", from_start=True)
    assert {c.url: c.purpose for c in found.ranked(2)}[SITE + "/productivite/"] == "product"
    found.set_language("fr")
    kinds = {c.url: c.purpose for c in found.ranked(2)}
    assert kinds == {SITE + "/tarifs/": "pricing", SITE + "/productivite/": "other"}
    found.add(SITE + "/produktivitaet/")  # found after: read in French too
    assert {c.url: c.purpose for c in found.ranked(3)}[SITE + "/produktivitaet/"] == "other"


def test_a_failed_page_gives_its_kind_its_rank_back() -> None:
    found = frontier()
    found.add(SITE + "/legal/terms")
    found.add(SITE + "/legal/privacy")
    found.add(SITE + "/xyz")
    assert popped(found, 1) == ["/legal/terms"]
    assert [c.url for c in found.ranked(1)] == [SITE + "/xyz"]  # one legal page is plenty ...
    found.forget_purpose("legal")  # ... unless it failed
    assert popped(found, 1) == ["/legal/privacy"]


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/files/brochure.pdf", id="pdf"),
        pytest.param("/files/Brochure.PDF", id="pdf-upper"),
        pytest.param("/img/team.png", id="png"),
        pytest.param("/downloads/app.zip", id="zip"),
        pytest.param("/static/site.css", id="css"),
        pytest.param("/static/app.js", id="js"),
        pytest.param("/feed.xml", id="xml"),
        pytest.param("/calendar/event.ics", id="ics"),
        pytest.param("/media/intro.mp4", id="mp4"),
    ],
)
def test_non_page_extensions_are_never_candidates_but_are_discovered(path: str) -> None:
    found = frontier()
    found.add(SITE + path)
    assert found.ranked(10) == []
    assert found.pop() is None
    assert found.discovered == 2  # the start page and this URL


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/team.html", id="html"),
        pytest.param("/release/v1.2/", id="dot-in-directory"),
        pytest.param("/pricing.php", id="php"),
    ],
)
def test_page_like_urls_with_dots_are_candidates(path: str) -> None:
    found = frontier()
    found.add(SITE + path)
    assert [c.url for c in found.ranked(10)] == [SITE + path]


def test_discovered_counts_distinct_same_site_urls_from_any_source() -> None:
    found = Frontier(SiteScope(SITE + "/"))
    found.add(SITE + "/pricing", from_sitemap=True)
    found.add("https://www.acme.test/pricing/")  # the same page
    found.add("http://acme.test/pricing")  # the same page
    found.add("https://docs.acme.test/start")  # same site, other host
    found.add("https://other.test/pricing")  # another site: not counted
    found.add(SITE + "/brochure.pdf")  # found, though never fetched
    assert found.discovered == 3
    found.mark_taken(SITE + "/")
    assert found.discovered == 4


def test_query_variants_of_one_path_are_bounded() -> None:
    found = frontier()
    for index in range(200):
        found.add(f"{SITE}/search?q=term{index}")
    assert len(found.ranked(1000)) <= 3
    assert found.discovered == 201


def test_taken_urls_are_never_handed_out_again() -> None:
    found = frontier()
    found.add(SITE + "/pricing")
    assert popped(found, 1) == ["/pricing"]
    found.add("https://www.acme.test/pricing/")
    assert found.is_taken(SITE + "/pricing")
    assert found.pop() is None


def test_redirect_target_marked_taken_leaves_the_candidates() -> None:
    found = frontier()
    found.add(SITE + "/about")
    found.add(SITE + "/contact")
    found.mark_taken(SITE + "/about/")
    assert popped(found, 5) == ["/contact"]


def test_include_exclude_filter_decides_candidates_not_discovery() -> None:
    admits = PathFilter(["/docs/**"], ["/docs/old/**"]).admits
    found = Frontier(SiteScope(SITE + "/"), admits)
    for path in ["/docs/start", "/docs/old/start", "/pricing"]:
        found.add(SITE + path)
    assert [c.url for c in found.ranked(10)] == [SITE + "/docs/start"]
    assert found.discovered == 3


def test_other_subdomains_rank_below_the_same_kind_on_the_site_itself() -> None:
    found = frontier()
    found.add("https://help.acme.test/faq")
    found.add(SITE + "/faq")
    assert popped(found, 1) == ["/faq"]


def test_empty_frontier_pops_none() -> None:
    assert frontier().pop() is None
