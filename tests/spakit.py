"""Client-rendered fixture sites (``tests/sites/*-spa``, ``-hash``, ``-hybrid``) served as
single-page-app hosts serve them, and extractions that may render pages in a real browser."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from sitelore.crawl.sources.browser import BrowserSettings, Renderer
from sitelore.crawl.transport import build_client
from sitelore.models import Event, ExtractRequest, ExtractResult, PageScraped
from sitelore.pipeline import extract_site
from tests.browserkit import chromium
from tests.sitekit import OPTIONS, SITES
from tests.webserver import Request, Response, StaticResolver, WebServer, serve_folder


def serve_app(web: WebServer, host: str, site: str) -> str:
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
    resolver: StaticResolver,
    request: ExtractRequest,
    *,
    browser: str | None = "found",
    on_event: Callable[[Event], None] | None = None,
    max_pages_cap: int = 50,
) -> RenderRun:
    """:func:`extract_site` with a real browser (``browser=None``: none installed);
    ``on_event`` also hears each event as it happens."""
    events: list[Event] = []

    def heard(event: Event) -> None:
        events.append(event)
        if on_event is not None:
            on_event(event)

    async def run() -> ExtractResult:
        if browser is None:
            return await extract_site(
                request, heard, options=OPTIONS, resolver=resolver, max_pages_cap=max_pages_cap
            )
        client = build_client(OPTIONS, resolver, policy=None)
        settings = BrowserSettings(chromium() if browser == "found" else browser)
        try:
            async with Renderer(settings, client) as renderer:
                return await extract_site(
                    request,
                    heard,
                    options=OPTIONS,
                    resolver=resolver,
                    renderer=renderer,
                    max_pages_cap=max_pages_cap,
                )
        finally:
            await client.aclose()

    return RenderRun(asyncio.run(run()), events)
