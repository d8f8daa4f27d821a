"""Shared fixtures: one local web server for the whole session, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.webserver import StaticResolver, WebServer

SITES = Path(__file__).parent / "sites"


@pytest.fixture(scope="session")
def _web_server() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


@pytest.fixture
def web(_web_server: WebServer) -> Iterator[WebServer]:
    """The running test web server, with no sites, routes or logged requests."""
    _web_server.reset()
    yield _web_server
    _web_server.reset()


@pytest.fixture
def resolver(web: WebServer) -> StaticResolver:
    """Resolves every host the ``web`` server knows to it; anything else fails to resolve."""
    return web.resolver()


@pytest.fixture
def sites() -> Path:
    """The folder of fixture sites (``tests/sites``)."""
    return SITES
