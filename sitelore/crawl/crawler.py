"""The crawl: robots.txt, sitemaps and links → a ranked frontier → polite fetches → documents.

The start page is fetched first (it always is, to discover links); sitemaps are
read meanwhile. Then up to ``concurrency`` workers take the best page left in the
frontier while the budget lasts. A page that fails, or that is skipped because it
brings nothing new (a duplicate, an empty page, not HTML), is reported and replaced
(bounded), never fatal; the crawl fails only when not a single page was extracted.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from sitelore.core.assemble import CrawledPage
from sitelore.core.document import Document
from sitelore.core.explain import (
    LISTED,
    SINGLE,
    START,
    Plan,
    page_done,
    page_missed,
    page_unvisited,
    path_plan,
    planned,
)
from sitelore.core.frontier import Frontier
from sitelore.core.globs import PathFilter
from sitelore.core.pagetypes import classify_page
from sitelore.core.text import fingerprint
from sitelore.core.urls import SiteScope, url_key
from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.observer import (
    BLOCKED_BY_CHALLENGE,
    DUPLICATE,
    META_REFRESH,
    PageObserver,
    Unobserved,
    reason_of,
)
from sitelore.crawl.pagework import InlinePageWork, PageWork
from sitelore.crawl.politeness import HostLimiter
from sitelore.crawl.robots import RobotsPolicy, load_robots
from sitelore.crawl.sitemaps import collect_sitemap_urls
from sitelore.crawl.sources import PageSource
from sitelore.crawl.sources.http import HttpPageSource
from sitelore.errors import (
    EmptyPage,
    ExtractionFailed,
    FetchError,
    NotHTML,
    PageSkipped,
    RobotsDisallowed,
    UnreadablePage,
)
from sitelore.models import (
    CrawlOptions,
    Event,
    ExtractRequest,
    PageScraped,
    PagesPlanned,
    PageStatus,
    PageWhy,
    PlannedPage,
    Progress,
)

EventSink = Callable[[Event], Awaitable[None] | None]
NAV_ZONES = frozenset({"nav", "header"})
# Broken links and duplicate pages are common, so a page that fails or is skipped is
# replaced; but fetches stay bounded whatever the site does: at most this many per page of
# the budget, in all, the start page included.
MAX_FETCHES_PER_PAGE = 2
# Pages ranked but not fetched that --explain lists: the likeliest homes of a missing fact.
MAX_UNVISITED = 10


@dataclass
class CrawlOutcome:
    """The pages extracted, and the (url, cause) of every fetched URL that gave none."""

    pages: list[CrawledPage]
    urls_discovered: int
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Every page taken, in the order it was done with, then (for a request with
    # ``explain``) the best ones left: kind, status and why.
    explained: list[PageWhy] = field(default_factory=list)
    # The highest page total the events reported: the final progress reports no less.
    total_pages: int = 0
    warnings: tuple[str, ...] = ()  # what the page source had to say (no browser ...)


@dataclass
class _Target:
    url: str
    labels: tuple[str, ...] = ()
    hops: int = 0
    is_start: bool = False
    purpose: str = ""
    plan: Plan = START


@dataclass(frozen=True)
class Fetched:
    final_url: str
    redirects: tuple[str, ...]
    document: Document
    rendered: bool = False


@dataclass(frozen=True)
class _Miss:
    """Why a target gave no page: ``skipped`` (fetched, but nothing new in it) or failed;
    ``kind`` is the reason as one word of :mod:`sitelore.crawl.observer`."""

    reason: str
    skipped: bool
    kind: str

    @classmethod
    def of(cls, error: Exception, *, skipped: bool) -> _Miss:
        return cls(str(error), skipped, reason_of(error))


class Crawler:
    """Crawls one site for one (validated) request; ``run()`` once."""

    def __init__(
        self,
        request: ExtractRequest,
        options: CrawlOptions,
        fetcher: Fetcher,
        on_event: EventSink | None = None,
        work: PageWork | None = None,
        observer: PageObserver | None = None,
        source: PageSource | None = None,
    ) -> None:
        self.request = request
        self.options = options
        self.fetcher = fetcher  # robots.txt and sitemaps
        self.source = source or HttpPageSource(fetcher)  # the pages
        self.work = work or InlinePageWork()
        self.on_event = on_event
        self.observer = observer or Unobserved()
        self.scope = SiteScope(request.url)
        self.filter = PathFilter(request.include_patterns, request.exclude_patterns)
        self.limiter = HostLimiter(options.concurrency)
        self.robots: dict[str, RobotsPolicy] = {}
        self.frontier = Frontier(self.scope, self._admits)
        self.pages: list[CrawledPage] = []
        self.page_keys: set[str] = set()  # url_key of every page in self.pages
        self.failures: list[tuple[str, str]] = []
        self.skipped: list[tuple[str, str]] = []
        self.explained: list[PageWhy] = []
        self.fetches = 0
        self.in_flight: list[str] = []
        self.took: dict[str, int] = {}  # URL → ms its fetch and parse took (page_scraped)
        self.contents: dict[str, str] = {}  # text fingerprint → URL of the page kept with it
        self.last_plan: tuple[PlannedPage, ...] = ()
        # The page total reported so far: it only grows (API.md), even when pages fail and
        # the plan shrinks, so a progress bar never goes backwards.
        self.total = 0
        # Events held back until the first plan is out: the plan comes first (API.md).
        self.held: list[Event] | None = None

    # -- entry ------------------------------------------------------------------------------

    async def run(self) -> CrawlOutcome:
        start = self.request.url
        robots = await self._robots_for(start)
        if not robots.can_fetch(start) and not self.request.urls:
            raise RobotsDisallowed(start)
        if self.request.urls is not None:
            await self._run_list([_listed(u, u == start, LISTED) for u in self.request.urls])
        elif self.request.single_page:
            await self._run_list([_listed(start, True, SINGLE)])
        else:
            await self._run_discovery(start, robots)
        if not self.pages:
            misses = self.failures + self.skipped
            cause = misses[0][1] if misses else "no HTML page found"
            raise ExtractionFailed(f"Failed to scrape URL: {cause}")
        if self.request.explain:
            self.explained.extend(self._unvisited())
        return CrawlOutcome(
            self.pages,
            self.frontier.discovered,
            self.failures,
            self.skipped,
            self.explained,
            max(self.total, len(self.pages)),
            tuple(self.source.warnings),
        )

    async def _run_list(self, targets: list[_Target]) -> None:
        plan = tuple(_planned(target.url) for target in targets)
        for target in targets:
            self.frontier.mark_taken(target.url)
        await self._emit(PagesPlanned(plan, len(targets)))
        self.last_plan = plan
        await self._visit_wave(targets, discover=False)

    async def _run_discovery(self, start: str, robots: RobotsPolicy) -> None:
        origin = _origin(start)
        roots = [*robots.sitemaps, origin + "/sitemap.xml"]
        self.frontier.mark_taken(start, "home")
        sitemap_task = asyncio.create_task(
            collect_sitemap_urls(self.fetcher, roots, self.options, allow=self.scope.contains)
        )
        self.held = []
        await self._visit_wave([_listed(start, True, START)], discover=True)
        listed = await sitemap_task
        try:
            await self._judge(listed)
        except UnreadablePage:  # the patterns took too long over the sitemaps: links only
            listed = []
        for url in listed:
            self.frontier.add(url, from_sitemap=True, hops=2)
        held, self.held = self.held, None
        # The first plan lists the pages reported before it, a start page that failed too:
        # no page event names a page that no plan listed.
        await self._replan(force=True, reported=_missed_pages(held))
        total = self._grow_total(len(self.last_plan))
        for event in held:
            if isinstance(event, PageScraped):
                await self._emit(replace(event, total=total))
            elif isinstance(event, Progress):
                await self._emit(replace(event, total_pages=total))
            # a held PagesPlanned is superseded by the plan just sent
        while wave := self._next_wave():
            await self._visit_wave(wave, discover=True)

    # -- waves ------------------------------------------------------------------------------

    def _next_wave(self) -> list[_Target]:
        """The best pages left, as many as may be fetched at once within the budget."""
        fetches_left = MAX_FETCHES_PER_PAGE * self.request.max_pages - self.fetches
        room = min(self.options.concurrency, self.request.max_pages - len(self.pages))
        wave: list[_Target] = []
        while len(wave) < min(room, fetches_left):
            taken = self.frontier.take()
            if taken is None:
                break
            candidate, terms = taken
            wave.append(
                _Target(
                    candidate.url,
                    tuple(candidate.labels),
                    candidate.hops,
                    purpose=candidate.purpose,
                    plan=planned(candidate, terms),
                )
            )
        return wave

    def _unvisited(self) -> list[PageWhy]:
        """The best pages the crawl left, and why it left them."""
        if len(self.pages) >= self.request.max_pages:
            why = f"the budget of {self.request.max_pages} pages went to pages ranked higher"
        else:
            limit = MAX_FETCHES_PER_PAGE * self.request.max_pages
            why = f"the limit of {limit} fetches (2 per page of the budget) was reached"
        return [
            page_unvisited(candidate, self.frontier.score_terms(candidate), why)
            for candidate in self.frontier.ranked(MAX_UNVISITED)
        ]

    async def _visit_wave(self, targets: list[_Target], *, discover: bool) -> None:
        """Fetch a wave concurrently, then take the pages in rank order.

        Taking them in a fixed order (not as they arrive) keeps the result deterministic
        whatever the network timing: the same site gives the same pages and items.
        """
        semaphore = asyncio.Semaphore(self.options.concurrency)

        async def fetch(target: _Target) -> Fetched | _Miss:
            async with semaphore:
                began = time.monotonic()
                outcome = await self._fetch(target)
                self.took[target.url] = round((time.monotonic() - began) * 1000)
                return outcome

        self.fetches += len(targets)
        self.in_flight.extend(target.url for target in targets)
        outcomes = await asyncio.gather(*(fetch(target) for target in targets))
        self.in_flight.clear()
        for target, outcome in zip(targets, outcomes, strict=True):
            if isinstance(outcome, Fetched):
                miss = await self._take(target, outcome, discover)
            else:
                miss = outcome
            if miss is not None:
                await self._missed(target, miss)
        if discover:
            await self._replan()

    async def _take(self, target: _Target, fetched: Fetched, discover: bool) -> _Miss | None:
        """Keep the fetched page, or say why it is skipped."""
        for hop in fetched.redirects:
            self.frontier.mark_taken(hop)
        document = fetched.document
        duplicate = self._duplicate_of(fetched)
        if duplicate is not None:
            return _Miss(duplicate, skipped=True, kind=DUPLICATE)
        if discover:
            self._discover(document, target)
        if not document.blocks and not target.is_start:
            # Only empty pages with a refresh get here (_fetch skips the others); the
            # refresh target went to the frontier with the links.
            refresh = f"only a meta refresh to {document.metadata.refresh}"
            return _Miss(refresh, skipped=True, kind=META_REFRESH)
        admitted = not (target.is_start and discover) or self.filter.admits(document.url)
        page = CrawledPage(document, target.labels, target.is_start, admitted)
        self.pages.append(page)
        self.explained.append(page_done(page, target.plan, target.url, self.frontier.language))
        self.page_keys.add(url_key(document.url))
        self.contents.setdefault(fingerprint(document.text()), document.url)
        self.observer.page_done()
        await self._report(target.url, PageStatus.DONE, rendered=fetched.rendered)
        return None

    async def _missed(self, target: _Target, miss: _Miss) -> None:
        (self.skipped if miss.skipped else self.failures).append((target.url, miss.reason))
        self.explained.append(page_missed(target.url, target.plan, miss.reason, miss.skipped))
        if target.purpose:
            # The page taught nothing about its kind, so the kind keeps its rank.
            self.frontier.forget_purpose(target.purpose)
        self.observer.page_missed(miss.kind, skipped=miss.skipped)
        status = PageStatus.SKIPPED if miss.skipped else PageStatus.FAILED
        await self._report(target.url, status, miss.reason)
        if target.is_start and miss.kind == BLOCKED_BY_CHALLENGE:
            # The site answers with a bot challenge: its other pages will too.
            raise ExtractionFailed(miss.reason)

    async def _fetch(self, target: _Target) -> Fetched | _Miss:
        """The page and its document, or why there is none."""
        try:
            robots = await self._robots_for(target.url)
            if self.options.obey_robots and not robots.can_fetch(target.url):
                raise RobotsDisallowed(target.url)
            host = urlsplit(target.url).hostname or ""
            async with self.limiter.slot(host):
                page = await self.source.page(target.url, allow=self.scope.contains)
            document = await self.work.parse(page.text, page.final_url)
            await self._judge(self._followable(document))
            if not document.blocks and not target.is_start and not document.metadata.refresh:
                # An empty page carries nothing; it must not use up the budget of pages.
                raise EmptyPage(target.url)
        except UnreadablePage as error:
            return _Miss.of(error, skipped=False)  # a broken page fails, alone
        except (NotHTML, PageSkipped) as error:
            # The server answered well, there is just nothing to extract: not a failure.
            return _Miss.of(error, skipped=True)
        except (FetchError, RobotsDisallowed) as error:
            return _Miss.of(error, skipped=False)
        return Fetched(page.final_url, page.redirects, document, page.rendered)

    def _followable(self, document: Document) -> list[str]:
        limit = self.options.max_url_length
        links = document.links[: self.options.max_links_per_page]
        return [link.url for link in links if len(link.url) <= limit]

    async def _judge(self, urls: list[str]) -> None:
        """Match the patterns against new URLs where the page work runs (a page process):
        pathological patterns and links cost that page's time limit, not the event loop."""
        if self.filter.admits_all:
            return
        unknown = [url for url in urls if not self.filter.knows(url)]
        if unknown:
            self.filter.remember(await self.work.verdicts(self.filter, unknown))

    def _duplicate_of(self, fetched: Fetched) -> str | None:
        """Why the page repeats one we have (its URL after redirects, or its text), or None.

        A canonical link is only a hint, never an order: CMSs often point every page's
        canonical at the home page. So a page is merged only when its text is the same as a
        page kept, and its canonical target is neither dropped nor kept from being fetched.
        """
        if self._already_have(fetched.final_url):
            if fetched.redirects:
                return f"redirects to a page already scraped: {fetched.final_url}"
            return f"a page already scraped: {fetched.final_url}"
        document = fetched.document
        twin = self.contents.get(fingerprint(document.text())) if document.blocks else None
        if twin is None:
            return None
        canonical = document.metadata.canonical
        if canonical and url_key(canonical) != url_key(document.url):
            return f"same content as {twin} (canonical {canonical})"
        return f"same content as {twin}"

    def _already_have(self, url: str) -> bool:
        return url_key(url) in self.page_keys

    def _discover(self, document: Document, target: _Target) -> None:
        from_start = target.is_start
        if from_start:
            self.frontier.set_language(document.language())
        for link in document.links[: self.options.max_links_per_page]:
            if len(link.url) > self.options.max_url_length:
                continue
            self.frontier.add(
                link.url,
                label=link.text,
                from_start=from_start,
                in_nav=from_start and link.zone in NAV_ZONES,
                in_footer=from_start and link.zone == "footer",
                hops=target.hops + 1,
            )
        refresh = document.metadata.refresh
        if refresh:
            self.frontier.add(refresh, from_start=from_start, hops=target.hops + 1)

    # -- robots, plans and events -----------------------------------------------------------

    def _admits(self, url: str) -> bool:
        if not self.filter.admits(url):
            return False
        policy = self.robots.get(_origin(url)) or self.robots.get(_origin(self.request.url))
        return not self.options.obey_robots or policy is None or policy.can_fetch(url)

    async def _robots_for(self, url: str) -> RobotsPolicy:
        origin = _origin(url)
        policy = self.robots.get(origin)
        if policy is None:
            if self.options.obey_robots:
                policy = await load_robots(self.fetcher, origin, allow=self.scope.contains)
            else:
                policy = RobotsPolicy.allow_all()
            self.robots[origin] = policy
            delay = policy.crawl_delay
            if delay:
                host = urlsplit(url).hostname or ""
                self.limiter.set_delay(host, min(delay, self.options.max_crawl_delay))
        return policy

    def _plan(self, reported: Sequence[PlannedPage] = ()) -> tuple[PlannedPage, ...]:
        done = [PlannedPage(p.document.url, p.purpose) for p in self.pages]
        flying = [_planned(url) for url in self.in_flight]
        room = max(0, self.request.max_pages - len(reported) - len(done) - len(flying))
        ahead = [PlannedPage(c.url, c.purpose) for c in self.frontier.ranked(room)]
        return tuple([*reported, *done, *flying, *ahead][: self.request.max_pages])

    async def _replan(self, force: bool = False, reported: Sequence[PlannedPage] = ()) -> None:
        if self.on_event is None:
            # Plans only feed events: with no listener, the frontier is not ranked after
            # every wave (~30 ms of a 100-page crawl).
            return
        plan = self._plan(reported)
        if force or {p.url for p in plan} != {p.url for p in self.last_plan}:
            self.last_plan = plan
            await self._emit(PagesPlanned(plan, self.frontier.discovered))

    async def _report(
        self, url: str, status: PageStatus, error: str | None = None, *, rendered: bool = False
    ) -> None:
        # ``index`` is the slot of the page budget the page fills (or failed to fill: the
        # slot of a failed or skipped page goes to the next candidate), so
        # index < total <= maxPages.
        done = status is PageStatus.DONE
        index = len(self.pages) - 1 if done else len(self.pages)
        total = self._grow_total(max(len(self.last_plan), index + 1))
        took = self.took.pop(url, None)
        await self._emit(PageScraped(url, index, total, status, error, rendered, took))
        await self._emit(Progress(len(self.pages), total, f"Scraping {url}"))

    def _grow_total(self, planned: int) -> int:
        """The page total to report: ``planned`` (within the budget), or more if more was
        reported before."""
        self.total = max(self.total, min(planned, self.request.max_pages))
        return self.total

    async def _emit(self, event: Event) -> None:
        if self.held is not None:
            self.held.append(event)
        else:
            await send_event(self.on_event, event)


async def send_event(sink: EventSink | None, event: Event) -> None:
    """Hand ``event`` to ``sink``, which may be a plain or an async callable."""
    if sink is None:
        return
    result = sink(event)
    if inspect.isawaitable(result):
        await result


def _listed(url: str, is_start: bool, plan: Plan) -> _Target:
    """A target the request names (the start page, a listed URL): its kind is its URL's."""
    return _Target(url, is_start=is_start, plan=path_plan(plan, url))


def _planned(url: str) -> PlannedPage:
    """A page in a plan with the kind its URL says."""
    return PlannedPage(url, classify_page(urlsplit(url).path))


def _missed_pages(events: Sequence[Event]) -> list[PlannedPage]:
    """The pages that ``events`` report failed or skipped."""
    return [
        _planned(event.url)
        for event in events
        if isinstance(event, PageScraped) and event.status != PageStatus.DONE
    ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
