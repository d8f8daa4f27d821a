"""Pages over HTTP, and in a browser when they need one (the request's ``render`` mode).

``auto`` renders a page only when its HTTP text is a script shell
(:func:`sitelore.core.shells.needs_rendering`): server-rendered pages cost what they cost
today. ``always`` renders every page, ``never`` none. A page that is a bot challenge
(over HTTP or once rendered) is refused, never extracted. Without a browser, ``auto``
keeps the HTTP text and says so once (a warning of the result); ``always`` fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.triage import Triage
from sitelore.crawl.fetcher import FetchedPage
from sitelore.crawl.pagework import InlinePageWork, PageWork
from sitelore.crawl.sources import Allow, PageRenderer, PageSource
from sitelore.crawl.sources.browser import BrowserSettings, Renderer, find_chromium
from sitelore.crawl.transport import Resolver, build_client
from sitelore.errors import BlockedByChallenge, BrowserUnavailable, HTTPStatusError
from sitelore.models import CrawlOptions, RenderMode


class RenderingPageSource:
    """``http``'s pages, rendered by ``renderer`` (None: no browser here) as ``mode`` says."""

    def __init__(
        self,
        http: PageSource,
        renderer: PageRenderer | None,
        mode: RenderMode,
        work: PageWork | None = None,
    ) -> None:
        self.http = http
        self.renderer = renderer
        self.mode = mode
        # Where pages are looked at (parsed): off the event loop, within the tree caps.
        self.work = work or InlinePageWork()
        self.warnings: list[str] = []

    async def page(self, url: str, *, allow: Allow) -> FetchedPage:
        try:
            fetched = await self.http.page(url, allow=allow)
        except HTTPStatusError as error:  # a challenge answers 403, 429 or 503
            if error.body:
                await self._refuse_challenge(url, error.body, error.status, error.headers)
            raise
        seen = await self._refuse_challenge(url, fetched.text, fetched.status, {})
        if not self._wants_browser(seen):
            return fetched
        if self.renderer is None:
            return self._without_browser(fetched, BrowserUnavailable())
        try:
            rendered = await self.renderer.render(
                fetched.final_url, html=fetched.text, status=fetched.status,
                content_type=fetched.content_type,
            )  # fmt: skip
        except BrowserUnavailable as error:  # installed nowhere, or it does not start
            return self._without_browser(fetched, error)
        await self._refuse_challenge(url, rendered.html, fetched.status, {})
        return replace(fetched, final_url=rendered.final_url, text=rendered.html, rendered=True)

    async def _refuse_challenge(
        self, url: str, html: str, status: int, headers: Mapping[str, str]
    ) -> Triage:
        seen = await self.work.triage(html, url, status, headers)
        if seen.challenge is not None:
            raise BlockedByChallenge(url, seen.challenge)
        return seen

    def _wants_browser(self, seen: Triage) -> bool:
        if self.mode is RenderMode.NEVER:
            return False
        return self.mode is RenderMode.ALWAYS or seen.shell.render

    def _without_browser(self, fetched: FetchedPage, missing: BrowserUnavailable) -> FetchedPage:
        if self.mode is RenderMode.ALWAYS:
            raise missing
        warning = f"{missing}; script-built pages were read from their HTML alone"
        if warning not in self.warnings:
            self.warnings.append(warning)
        return fetched


@asynccontextmanager
async def browser_for(
    configured: str | None,
    options: CrawlOptions,
    resolver: Resolver | None,
    policy: NetworkPolicy | None,
    *,
    tabs: int = 4,
    page_timeout: float = 20.0,
    restart_after: int = 100,
) -> AsyncIterator[Renderer | None]:
    """A process's renderer (its browser starts at its first page), or None when no
    Chromium is installed. Every request of the browser goes through a client with the
    crawl's guard (``policy``, ``resolver``) and bounds (``options``)."""
    executable = find_chromium(configured)
    if executable is None:
        yield None
        return
    client = build_client(options, resolver, policy=policy)
    settings = BrowserSettings(executable, tabs, page_timeout, restart_after)
    try:
        async with Renderer(settings, client) as renderer:
            yield renderer
    finally:
        await client.aclose()
