"""Issue 11, class 2: the page budget covers each kind of page before more of one kind.

The plan takes home, pricing, product, services, about, contact, FAQ, policies ... first,
prefers what the header and footer link to, stays in the start page's language, and only then
spends pages on blog posts, sibling menu pages or translations.
"""

from __future__ import annotations

import pytest

from sitelore.models import ExtractRequest
from tests.quality.kit import done_paths, fresh_crawl, param_id
from tests.sitekit import (
    BRANDT_VOGEL,
    CALA_VERDA,
    GLICINE,
    MIRABELLE,
    TALLYBIRD,
    ZWALUW,
    FolderSite,
)
from tests.webserver import StaticResolver, WebServer

SAAS_KINDS = {"/", "/pricing/", "/features/", "/faq/", "/integrations/", "/security/"}


def blog_posts(paths: set[str]) -> set[str]:
    return {path for path in paths if path.startswith("/blog/") and path != "/blog/"}


class TestPageBudget:
    def test_six_pages_of_a_saas_go_to_its_kinds_of_page_not_to_blog_posts(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, max_pages=6))
        done = done_paths(run)
        assert done == SAAS_KINDS, sorted(done)

    def test_more_of_one_kind_only_once_every_kind_is_in(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, max_pages=8))
        done = done_paths(run)
        assert SAAS_KINDS | {"/legal/privacy/"} <= done, sorted(done)
        assert len({path for path in done if path.startswith("/blog/")}) <= 1, sorted(done)

    def test_an_english_start_page_plans_no_translation(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, max_pages=12))
        done = done_paths(run)
        assert not {path for path in done if path.startswith("/de/")}, sorted(done)

    def test_a_german_start_page_stays_in_german(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        start = TALLYBIRD.url("/de/")
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(start, max_pages=3))
        assert done_paths(run) == {"/de/", "/de/preise/", "/de/funktionen/"}

    def test_sibling_menu_pages_do_not_crowd_out_about_and_contact(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = fresh_crawl(web, resolver, GLICINE, ExtractRequest(GLICINE.home, max_pages=5))
        done = done_paths(run)
        assert {"/", "/chi-siamo/", "/contatti/"} <= done, sorted(done)
        assert {path for path in done if path.startswith("/menu/")}, sorted(done)

    @pytest.mark.parametrize(
        ("site", "max_pages", "expected"),
        [
            (MIRABELLE, 4, {"/", "/tarifs/", "/contact/"}),
            (MIRABELLE, 5, {"/", "/tarifs/", "/contact/", "/questions-frequentes/"}),
            (BRANDT_VOGEL, 4, {"/", "/leistungen/", "/kontakt/", "/team/"}),
            (CALA_VERDA, 4, {"/", "/precios/", "/donde-estamos/"}),
            (CALA_VERDA, 5, {"/", "/precios/", "/donde-estamos/", "/preguntas-frecuentes/"}),
            (ZWALUW, 4, {"/", "/tarieven/", "/contact/"}),
            (GLICINE, 3, {"/", "/contatti/"}),
        ],
        ids=param_id,
    )  # fmt: skip
    def test_a_small_budget_on_a_local_business_reads_prices_and_contact(
        self,
        web: WebServer,
        resolver: StaticResolver,
        site: FolderSite,
        max_pages: int,
        expected: set[str],
    ) -> None:
        run = fresh_crawl(web, resolver, site, ExtractRequest(site.home, max_pages=max_pages))
        done = done_paths(run)
        assert expected <= done, sorted(done)
