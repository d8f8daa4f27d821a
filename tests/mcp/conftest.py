"""Fixtures of the MCP tests: the tools on a real store with real workers, in memory, and a
real API server for ``/mcp``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from mcp import Client

from sitelore.jobs.knowledge import LOCAL_OWNER
from sitelore.mcp.paging import OutputLimits
from sitelore.mcp.service import StoreService
from sitelore.mcp.stdio import GUARD_ADVICE, store_service
from sitelore.mcp.tools import Caller, build_server
from tests.apikit import Api, ApiServer, create_key, quick_settings
from tests.webserver import WebServer

T = TypeVar("T")


@dataclass
class Tools:
    """The service of a running store; :meth:`client` connects an in-memory client."""

    service: StoreService
    max_chars: int

    @asynccontextmanager
    async def client(
        self, owner: str = LOCAL_OWNER, max_chars: int | None = None
    ) -> AsyncIterator[Client]:
        """A client of ``owner`` (answers within ``max_chars``, else the settings')."""
        caller = Caller(self.service, owner)
        limits = OutputLimits(max_chars or self.max_chars)
        server = build_server(lambda ctx: caller, limits, guard_advice=GUARD_ADVICE)
        async with Client(server) as client:
            yield client


RunTools = Callable[..., Any]


@pytest.fixture
def run_tools(tmp_path: Path, web: WebServer) -> RunTools:
    """``run_tools(work, **settings)``: ``await work(tools)`` with the tools on a fresh
    store (quick settings, guard open, the test web server's names) and its workers."""

    def run(work: Callable[[Tools], Awaitable[T]], **overrides: Any) -> T:
        settings = quick_settings(tmp_path / "data", **overrides)

        async def main() -> T:
            async with store_service(settings, resolver=web.resolver()) as service:
                return await work(Tools(service, settings.mcp_max_chars))

        return asyncio.run(main())

    return run


@pytest.fixture
def start_api(tmp_path: Path, web: WebServer) -> Iterator[Callable[..., Api]]:
    """``start_api(**settings)``: a real API server (uvicorn on 127.0.0.1) with its keys
    ``key`` and ``other``, resolving the test web server's names; stopped at the end."""
    running: list[Api] = []

    def start(**overrides: Any) -> Api:
        directory = tmp_path / f"api{len(running)}"
        key, other = create_key(directory, "main"), create_key(directory, "other")
        server = ApiServer(quick_settings(directory, **overrides), web.resolver()).start()
        running.append(Api(server, key, other, directory))
        return running[-1]

    yield start
    for api in running:
        api.close()
        api.server.stop()
