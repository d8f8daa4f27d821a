"""Fixtures of the HTTP API tests: a real uvicorn server per test, keys, local sites."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.apikit import Api, ApiServer, ServeProcess, create_key, quick_settings
from tests.sitekit import ACME_HOME, page_html, prose, route_site, serve_acme
from tests.webserver import Response, WebServer, html

StartApi = Callable[..., Api]

SLOW_HOST = "slow.test"


@pytest.fixture
def start_api(tmp_path: Path, web: WebServer) -> Iterator[StartApi]:
    """Start an API server: ``start_api(workers=0, ...)`` overrides settings fields.

    Each server gets two keys (``key`` and ``other``) and resolves every host the test web
    server knows; ``data_dir=`` reuses a directory (a restart).
    """
    running: list[Api] = []

    def start(*, data_dir: Path | None = None, **overrides: Any) -> Api:
        directory = data_dir or tmp_path / f"data{len(running)}"
        previous = next((api for api in running if api.data_dir == directory), None)
        if previous is None:
            key, other = create_key(directory, "main"), create_key(directory, "other")
        else:  # a restart on the same data: the keys are the first server's
            key, other = previous.key, previous.other
        server = ApiServer(quick_settings(directory, **overrides), web.resolver()).start()
        api = Api(server, key, other, directory)
        running.append(api)
        return api

    yield start
    for api in reversed(running):
        api.close()
        if api.server.running:
            api.server.stop()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[list[ServeProcess]]:
    """Real ``sitelore serve`` processes a test starts (append them): stopped at its end."""
    started: list[ServeProcess] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def api(start_api: StartApi) -> Api:
    """A server with the quick default settings (2 workers)."""
    return start_api()


@pytest.fixture
def acme(web: WebServer) -> str:
    """The acme fixture site on acme.test; its home URL."""
    serve_acme(web)
    return ACME_HOME


def serve_slow(web: WebServer, delay: float = 1.0, host: str = SLOW_HOST) -> str:
    """A three-page site whose two inner pages each take ``delay`` seconds; its home URL."""
    route_site(
        web,
        host,
        {
            "/": page_html("Home", prose("Slow Company home"), ["/about/", "/pricing/"]),
            "/about/": _slow(page_html("About", prose("About Slow Company")), delay),
            "/pricing/": _slow(page_html("Pricing", prose("Pricing of Slow Company")), delay),
        },
    )
    return f"http://{host}/"


def _slow(text: str, delay: float) -> Response:
    page = html(text)
    return Response(page.status, page.headers, page.body, delay=delay)


@pytest.fixture
def slow(web: WebServer) -> str:
    """:func:`serve_slow` with one second per inner page."""
    return serve_slow(web)


@pytest.fixture
def hanging_site(web: WebServer) -> dict[str, bool]:
    """A site on the literal address 127.0.0.1 (child processes crawl it without a resolver)
    whose /slow/ page hangs while ``state["hang"]``."""
    state = {"hang": True}
    slow_page = html(page_html("Slow", prose("The slow page")))

    def slow(_request: Any) -> Response:
        if state["hang"]:
            web.sleep(30)  # cut short when the test ends (web reset)
        return slow_page

    pages = {
        "/": page_html("Home", prose("Hanging Company home"), ["/a/", "/slow/"]),
        "/a/": page_html("A", prose("Page A of Hanging Company")),
    }
    route_site(web, "127.0.0.1", pages)
    web.add_route("127.0.0.1", "/slow/", slow)
    return state
