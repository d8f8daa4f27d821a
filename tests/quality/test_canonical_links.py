"""Issue 11, class 1: a canonical link is a hint, never an order to drop a page.

Every page of the tallybird site has ``<link rel="canonical" href="http://tallybird.test/">``
(a CMS misconfiguration). Pages with content of their own are still extracted; only a page
whose content is the same as another's is merged, and it is reported as skipped.
"""

from __future__ import annotations

from sitelore.models import ExtractRequest, PageStatus
from tests.quality.kit import done_paths, fresh_crawl, path_of
from tests.sitekit import TALLYBIRD, page_paths
from tests.webserver import StaticResolver, WebServer

PRODUCT_PAGES = ("/pricing/", "/features/", "/faq/", "/integrations/", "/security/")


class TestCanonicalLinks:
    def test_pages_whose_canonical_is_the_home_page_are_extracted(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, max_pages=8))
        assert run.result.pages_scraped == 8, run.scraped
        sources = {path_of(source) for source in run.sources()}
        for path in PRODUCT_PAGES:
            assert path in sources, (path, sorted(sources))

    def test_every_fetched_page_is_reported(self, web: WebServer, resolver: StaticResolver) -> None:
        run = fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, max_pages=8))
        reported = {path_of(event.url) for event in run.scraped}
        for path in page_paths(web, TALLYBIRD.host):
            assert path_of(path) in reported, (path, sorted(reported))
        for event in run.scraped:
            assert event.status in set(PageStatus), event
            if event.status != PageStatus.DONE:
                assert event.error, event

    def test_fetches_stay_bounded(self, web: WebServer, resolver: StaticResolver) -> None:
        max_pages = 5
        fresh_crawl(web, resolver, TALLYBIRD, ExtractRequest(TALLYBIRD.home, max_pages=max_pages))
        fetched = page_paths(web, TALLYBIRD.host)
        assert len(fetched) <= 2 * max_pages, fetched

    def test_a_copy_of_a_page_is_skipped_with_a_reason_and_uses_no_budget(
        self, web: WebServer, resolver: StaticResolver
    ) -> None:
        copy, pricing = TALLYBIRD.url("/welcome/"), TALLYBIRD.url("/pricing/")
        request = ExtractRequest(TALLYBIRD.home, max_pages=3, urls=(TALLYBIRD.home, copy, pricing))
        run = fresh_crawl(web, resolver, TALLYBIRD, request)
        [event] = [e for e in run.scraped if e.url == copy]
        assert event.status == PageStatus.SKIPPED, event
        assert event.error, event
        assert copy not in run.sources()
        assert done_paths(run) == {"/", "/pricing/"}
        assert run.result.pages_scraped == 2
