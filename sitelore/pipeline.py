"""``extract_site(request, on_event)``: the crawl and the pure core, end to end.

The CLI, the HTTP API's workers and library users all run extractions through here;
``extract_locally`` is the way ``sitelore extract`` and the loaders of
:mod:`sitelore.integrations` run one without a server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.request import DEFAULT_MAX_PAGES_CAP, LOCAL_MAX_PAGES_CAP, validate_request
from sitelore.crawl.crawler import Crawler, EventSink, send_event
from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.observer import PageObserver
from sitelore.crawl.pagework import InlinePageWork, PageProcesses, PageWork
from sitelore.crawl.sources import PageRenderer, PageSource
from sitelore.crawl.sources.http import HttpPageSource
from sitelore.crawl.sources.rendering import RenderingPageSource, browser_for
from sitelore.crawl.transport import Resolver
from sitelore.models import (
    BusinessClassified,
    CrawlOptions,
    ExtractRequest,
    ExtractResult,
    Progress,
)


async def extract_site(
    request: ExtractRequest,
    on_event: EventSink | None = None,
    *,
    options: CrawlOptions | None = None,
    resolver: Resolver | None = None,
    max_pages_cap: int = DEFAULT_MAX_PAGES_CAP,
    policy: NetworkPolicy | None = None,
    work: PageWork | None = None,
    observer: PageObserver | None = None,
    renderer: PageRenderer | None = None,
    source: Callable[[Fetcher], PageSource] | None = None,
) -> ExtractResult:
    """Crawl the site of ``request.url`` and extract its profile and knowledge items.

    ``policy`` is the network guard for every fetch (pages, redirects, robots.txt,
    sitemaps); ``None`` connects anywhere, as a local tool running with its user's rights.
    ``work`` runs the parsing and the assembly (:mod:`sitelore.crawl.pagework`); ``None``
    runs them on this thread, with no time limit. ``observer`` hears of every page taken
    (extracted, failed or skipped, and why): the job runtime counts them. ``renderer`` is
    the browser that builds script-shell pages as ``request.render`` says (None: no browser
    here). ``source`` makes another page source from the crawl's fetcher
    (:mod:`sitelore.crawl.sources`).

    Raises :class:`~sitelore.errors.InvalidRequest` for a bad request,
    :class:`~sitelore.errors.RobotsDisallowed` when robots.txt forbids the start page and
    :class:`~sitelore.errors.ExtractionFailed` when no page could be extracted.
    """
    request = validate_request(request, max_pages_cap, policy)
    options = options or CrawlOptions()
    work = work or InlinePageWork()
    started = datetime.now(UTC)
    async with Fetcher(options, resolver=resolver, policy=policy) as fetcher:
        if source is None:
            page_source: PageSource = RenderingPageSource(
                HttpPageSource(fetcher), renderer, request.render, work
            )
        else:
            page_source = source(fetcher)
        crawler = Crawler(request, options, fetcher, on_event, work, observer, page_source)
        outcome = await crawler.run()
    assembled = await work.assemble(outcome.pages)
    await send_event(on_event, BusinessClassified(assembled.business))
    pages = len(outcome.pages)
    # The total stays what the crawl reported (failed pages were planned too): it never
    # goes down within a job.
    await send_event(on_event, Progress(pages, outcome.total_pages, "Complete"))
    return ExtractResult(
        business=assembled.business,
        knowledge_items=assembled.items,
        pages_scraped=len(outcome.pages),
        urls_discovered=max(outcome.urls_discovered, len(outcome.pages)),
        started_at=started,
        finished_at=datetime.now(UTC),
        explained_pages=tuple(outcome.explained) if request.explain else None,
        warnings=outcome.warnings,
    )


async def extract_locally(
    request: ExtractRequest,
    on_event: EventSink | None = None,
    *,
    options: CrawlOptions | None = None,
    chromium: str | None = None,
) -> ExtractResult:
    """:func:`extract_site` as ``sitelore extract`` runs it, with its user's rights: every
    network and port (http and https only), up to :data:`LOCAL_MAX_PAGES_CAP` pages, each
    page parsed in a child process (a hostile page costs its time limit at most, and Ctrl-C
    stops at once), and the browser (``chromium``, else the one installed) started only if
    a page needs it."""
    policy = NetworkPolicy.permissive()
    options = options or CrawlOptions()
    async with (
        PageProcesses() as work,
        browser_for(chromium, options, None, policy) as renderer,
    ):
        return await extract_site(
            request,
            on_event,
            options=options,
            max_pages_cap=LOCAL_MAX_PAGES_CAP,
            policy=policy,
            work=work,
            renderer=renderer,
        )


def extract(
    request: ExtractRequest | str,
    *,
    options: CrawlOptions | None = None,
    resolver: Resolver | None = None,
    max_pages_cap: int = DEFAULT_MAX_PAGES_CAP,
    policy: NetworkPolicy | None = None,
) -> ExtractResult:
    """Blocking :func:`extract_site`; ``request`` may be just the URL."""
    if isinstance(request, str):
        request = ExtractRequest(url=request)
    return asyncio.run(
        extract_site(
            request,
            options=options,
            resolver=resolver,
            max_pages_cap=max_pages_cap,
            policy=policy,
        )
    )
