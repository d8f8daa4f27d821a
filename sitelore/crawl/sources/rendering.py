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

from sitelore.core.challenges import challenge_of
from sitelore.core.shells import needs_rendering
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.fetcher import FetchedPage
from sitelore.crawl.sources import Allow, PageRenderer, PageSource
from sitelore.crawl.sources.browser import BrowserSettings, Renderer, find_chromium
from sitelore.crawl.transport import Resolver, build_client
from sitelore.errors import BlockedByChallenge, BrowserUnavailable, HTTPStatusError
from sitelore.models import CrawlOptions, RenderMode


class RenderingPageSource:
    """``http``'s pages, rendered by ``renderer`` (None: no browser here) as ``mode`` says."""

    def __init__(self, http: PageSource, renderer: PageRenderer | None, mode: RenderMode) -> None:
        self.http = http
        self.renderer = renderer
        self.mode = mode
        self.warnings: list[str] = []

    async def page(self, url: str, *, allow: Allow) -> FetchedPage:
        try:
            fetched = await self.http.page(url, allow=allow)
        except HTTPStatusError as error:  # a challenge answers 403, 429 or 503
            _refuse_challenge(url, error.body, error.status, error.headers)
            raise
        _refuse_challenge(url, fetched.text, fetched.status, {})
        if not self._wants_browser(fetched.text):
            return fetched
        if self.renderer is None:
            return self._without_browser(fetched)
        rendered = await self.renderer.render(
            fetched.final_url, html=fetched.text, status=fetched.status,
            content_type=f"{fetched.content_type}; charset=utf-8",
        )  # fmt: skip
        _refuse_challenge(url, rendered.html, fetched.status, {})
        return replace(fetched, final_url=rendered.final_url, text=rendered.html, rendered=True)

    def _wants_browser(self, html: str) -> bool:
        if self.mode is RenderMode.NEVER:
            return False
        return self.mode is RenderMode.ALWAYS or needs_rendering(html).render

    def _without_browser(self, fetched: FetchedPage) -> FetchedPage:
        if self.mode is RenderMode.ALWAYS:
            raise BrowserUnavailable()
        warning = f"{BrowserUnavailable()}; script-built pages were read from their HTML alone"
        if warning not in self.warnings:
            self.warnings.append(warning)
        return fetched


def _refuse_challenge(url: str, html: str, status: int, headers: Mapping[str, str]) -> None:
    what = challenge_of(html, status, headers)
    if what is not None:
        raise BlockedByChallenge(url, what)


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
