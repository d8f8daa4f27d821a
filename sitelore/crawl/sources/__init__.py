"""Where the crawler's pages come from: one interface, :class:`PageSource`.

The crawler asks a source for "the document of this URL" and does not care how it was
made. :class:`~sitelore.crawl.sources.http.HttpPageSource` fetches the HTML over HTTP (the
default); :class:`~sitelore.crawl.sources.rendering.RenderingPageSource` adds a browser
(:class:`PageRenderer`) for the pages that are script shells, behind the same network
guard. Robots.txt and
sitemaps are resources, not pages: they are always fetched over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sitelore.crawl.fetcher import FetchedPage

Allow = Callable[[str], bool]


class PageSource(Protocol):
    async def page(self, url: str, *, allow: Allow) -> FetchedPage:
        """The HTML of ``url`` (after redirects, each judged by ``allow``); raises a
        :class:`~sitelore.errors.FetchError` when there is none."""
        ...

    @property
    def warnings(self) -> Sequence[str]:
        """What the crawl's user should know about the pages given (each said once)."""
        ...


class RenderedHtml(Protocol):
    @property
    def final_url(self) -> str: ...

    @property
    def html(self) -> str: ...


class PageRenderer(Protocol):
    """A browser that builds a page's DOM (:class:`~sitelore.crawl.sources.browser.Renderer`)."""

    async def render(
        self, url: str, *, html: str | None = None, status: int = 200, content_type: str = ...
    ) -> RenderedHtml:
        """The page's HTML once its scripts have run; ``html`` (with ``status`` and
        ``content_type``) is its document as already fetched, so it is not fetched again."""
        ...
