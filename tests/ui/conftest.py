"""Fixtures of the dashboard tests: a real API server on 127.0.0.1, the fixture sites of the
test web server, and the OS packages' Chromium driven by Playwright (pytest-playwright's
``new_context``, on a browser launched from :func:`find_chromium`'s binary once for this
package).

The browser is confined to loopback like the crawl's renderer: host names resolve to
nothing, and every request for a host other than 127.0.0.1 goes through the test web
server as a proxy (it serves the fixture sites and nothing else; the dashboard itself
loads nothing from them). Without Chromium the tests fail with the install command; they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    Page,
    Playwright,
    sync_playwright,
)
from pytest_playwright.pytest_playwright import CreateContextCallback

from sitelore.crawl.sources.browser import find_chromium
from sitelore.crawl.sources.cdp import QUIET_FLAGS
from sitelore.errors import BrowserUnavailable
from tests.apikit import ApiServer, create_key, quick_settings
from tests.sitekit import ACME, serve_acme
from tests.ui.uikit import DESKTOP, Console, Dashboard, Gate, off_loop, png
from tests.webserver import Response, WebServer

LOGO = "/static/acme-logo-512.png"  # the logo of the acme site's JSON-LD


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver for this package only. pytest-playwright keeps it for the whole
    session, but while it runs its event loop holds the main thread, and the tests of the
    other packages call ``asyncio.run`` there."""
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    found: BrowserType = getattr(playwright, browser_name)
    return found


@pytest.fixture(scope="package")
def browser(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    launched = browser_type.launch(**browser_type_launch_args)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], _web_server: WebServer
) -> dict[str, Any]:
    executable = find_chromium(os.environ.get("SITELORE_CHROMIUM") or None)
    if executable is None:
        pytest.fail(BrowserUnavailable.MESSAGE, pytrace=False)
    confined = [
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        # Chromium never proxies loopback: the API server is reached directly.
        f"--proxy-server=http://127.0.0.1:{_web_server.port}",
    ]
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [*QUIET_FLAGS, *confined],
        # Chromium's sandbox refuses to start as root (CI containers): only then without it.
        "chromium_sandbox": os.geteuid() != 0,
    }


@pytest.fixture(scope="package")
def browser_context_args() -> dict[str, Any]:
    # Not pytest-playwright's (it asks for the session's driver, to read --device).
    return {
        "locale": "en-GB",
        "timezone_id": "UTC",
        "permissions": ["clipboard-read", "clipboard-write"],
        "accept_downloads": True,
    }


@pytest.fixture
def start_dashboard(tmp_path: Path, web: WebServer) -> Iterator[Any]:
    """``start_dashboard(workers=0, ...)``: an API server with these settings changed."""
    started: list[Dashboard] = []

    def start(**overrides: Any) -> Dashboard:
        data = tmp_path / f"data{len(started)}"
        key = off_loop(lambda: create_key(data, "main"))
        server = ApiServer(quick_settings(data, **overrides), web.resolver()).start()
        started.append(Dashboard(server, key, data))
        return started[-1]

    yield start
    for dashboard in started:
        for client in dashboard.clients:
            client.close()
        dashboard.server.stop()


@pytest.fixture
def dashboard(start_dashboard: Any) -> Dashboard:
    """An API server with two workers."""
    server: Dashboard = start_dashboard()
    return server


@pytest.fixture
def acme(web: WebServer) -> str:
    """The acme fixture site, with its logo (the result links to it); its home URL."""
    serve_acme(web)
    logo = png(64, 64, (11, 92, 173))
    web.add_route(ACME, LOGO, Response(200, {"Content-Type": "image/png"}, logo))
    return f"http://{ACME}/"


@pytest.fixture
def gate() -> Iterator[Gate]:
    """A gate for fixture pages, opened at the end of the test at the latest."""
    held = Gate()
    yield held
    held.open()


@pytest.fixture
def console() -> Iterator[Console]:
    """The page's console errors: none may be left at the end of the test."""
    watched = Console()
    yield watched
    assert not watched.errors, watched.errors


@pytest.fixture
def ui(new_context: CreateContextCallback, console: Console) -> Page:
    """A fresh page (desktop width, light) whose console errors fail the test."""
    context: BrowserContext = new_context(viewport=DESKTOP, color_scheme="light")
    return console.watch(context.new_page())
