"""Client-rendered fixture sites (``tests/sites/*-spa``, ``-hash``, ``-hybrid``) served as
single-page-app hosts serve them, and extractions that may render pages in a real browser."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sitelore.crawl.sources.browser import BrowserSettings, Renderer, find_chromium
from sitelore.crawl.transport import build_client
from sitelore.models import Event, ExtractRequest, ExtractResult, PageScraped
from sitelore.pipeline import extract_site
from tests.sitekit import OPTIONS, SITES
from tests.webserver import Request, Response, StaticResolver, WebServer, serve_folder

NO_CHROMIUM = "no Chromium: apt-get install chromium-headless-shell (or set SITELORE_CHROMIUM)"


def chromium() -> str:
    """The browser the tests use; a missing one fails the test (CI installs it)."""
    found = find_chromium(None)
    assert found is not None, NO_CHROMIUM
    return found


def serve_spa(web: WebServer, host: str, site: str) -> str:
    """Serve ``tests/sites/<site>`` as ``host``: a file when it exists, else ``index.html``
    (the history-API fallback of SPA hosts). The home URL."""
    root = SITES / site

    def answer(request: Request) -> Response:
        found = serve_folder(root, request)
        if found.status == 404 or request.path == "/":
            return serve_folder(root, Request("GET", host, "/", {}))
        return found

    web.add_route(host, "*", answer)
    return f"http://{host}/"


@dataclass
class RenderRun:
    result: ExtractResult
    events: list[Event] = field(default_factory=list)

    def rendered(self) -> dict[str, bool]:
        """Each page reported done: whether it was rendered."""
        return {
            event.url: event.rendered
            for event in self.events
            if isinstance(event, PageScraped) and event.status == "done"
        }


def extract_rendering(
    resolver: StaticResolver, request: ExtractRequest, *, browser: str | None = "found"
) -> RenderRun:
    """:func:`extract_site` with a real browser (``browser=None``: none installed)."""
    events: list[Event] = []

    async def run() -> ExtractResult:
        if browser is None:
            return await extract_site(request, events.append, options=OPTIONS, resolver=resolver)
        client = build_client(OPTIONS, resolver, policy=None)
        settings = BrowserSettings(chromium() if browser == "found" else browser)
        try:
            async with Renderer(settings, client) as renderer:
                return await extract_site(
                    request, events.append, options=OPTIONS, resolver=resolver, renderer=renderer
                )
        finally:
            await client.aclose()

    return RenderRun(asyncio.run(run()), events)
