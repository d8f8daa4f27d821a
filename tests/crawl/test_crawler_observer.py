"""The crawl tells its observer about every page it takes, with the reason as one word of
a fixed set; the job runtime's :class:`~sitelore.jobs.metrics.JobMetrics` counts them."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry

from sitelore.crawl.observer import FAILURE_REASONS, OTHER, SKIP_REASONS
from sitelore.jobs.metrics import JobMetrics
from sitelore.models import ExtractRequest
from sitelore.pipeline import extract_site
from tests.sitekit import ACME, ACME_HOME, OPTIONS, page_html, prose, route_site
from tests.webserver import Response, StaticResolver, WebServer


def test_every_page_taken_is_counted_by_outcome_and_reason(
    web: WebServer, resolver: StaticResolver
) -> None:
    links = ["/brochure", "/coming-soon/", "/moved/", "/missing/", "/about/", "/copy/"]
    bare_refresh = '<html><head><meta http-equiv="refresh" content="0; url=/about/"></head></html>'
    about = page_html("About", prose("Our boathouse and crew"))
    pages: dict[str, str | Response] = {
        "/": page_html("Home", prose("Harbour Kayaks"), links),
        "/brochure": Response(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7"),
        "/coming-soon/": "<html><head><title>Soon</title></head><body></body></html>",
        "/moved/": bare_refresh,
        "/about/": about,
        "/copy/": about,
    }
    route_site(web, ACME, pages)  # /missing/ falls through to the site's 404
    registry = CollectorRegistry()
    request = ExtractRequest(ACME_HOME, max_pages=10)
    observer = JobMetrics(registry)
    asyncio.run(extract_site(request, options=OPTIONS, resolver=resolver, observer=observer))

    def count(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert count("sitelore_pages_fetched_total") == 2
    failed = {r: count("sitelore_pages_failed_total", reason=r) for r in (*FAILURE_REASONS, OTHER)}
    assert {r: n for r, n in failed.items() if n} == {"HTTPStatusError": 1}
    skipped = {r: count("sitelore_pages_skipped_total", reason=r) for r in (*SKIP_REASONS, OTHER)}
    assert {r: n for r, n in skipped.items() if n} == {
        "NotHTML": 1,
        "EmptyPage": 1,
        "MetaRefresh": 1,
        "Duplicate": 1,
    }
