"""``sitelore mcp``: the tools over stdio, on the store of the settings, with workers in this
process, for the local owner.

It runs what ``sitelore serve`` runs but HTTP (the settings' store, in-process workers,
the network guard of the settings), and answers one agent on stdin and stdout: stdout is
the wire, so nothing else may write there (sitelore logs to stderr). Jobs and knowledge
belong to :data:`~sitelore.jobs.knowledge.LOCAL_OWNER`, the owner of ``sitelore extract
--save``, so ``sitelore search`` finds what an agent extracted, and the other way round.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sitelore.crawl.transport import Resolver
from sitelore.jobs.hub import EventHub
from sitelore.jobs.knowledge import LOCAL_OWNER
from sitelore.mcp.paging import OutputLimits
from sitelore.mcp.service import StoreService
from sitelore.runtime.backends import open_backend
from sitelore.runtime.background import background
from sitelore.settings import Settings

# An agent chooses the URLs (and may have read hostile text): the guard stays on unless
# whoever configures the agent opens it.
GUARD_ADVICE = (
    "sitelore mcp allows it when started with {setting} in its environment "
    '(the "env" of its entry in the agent\'s MCP configuration)'
)


@asynccontextmanager
async def store_service(
    settings: Settings, *, resolver: Resolver | None = None
) -> AsyncIterator[StoreService]:
    """The tools' service on the settings' store, with its workers running meanwhile."""
    backend = await open_backend(settings)
    hub = EventHub()
    try:
        async with background(settings, backend, hub, resolver=resolver) as running:
            policy = settings.network_policy()
            yield StoreService(settings, backend.store, hub, policy, running.wake_deliveries)
    finally:
        await backend.close()


async def serve_stdio(settings: Settings) -> None:
    """Answer one agent on stdin/stdout until it closes them."""
    from sitelore.mcp.tools import Caller, build_server

    async with store_service(settings) as service:
        caller = Caller(service, LOCAL_OWNER)
        limits = OutputLimits(settings.mcp_max_chars)
        server = build_server(lambda ctx: caller, limits, guard_advice=GUARD_ADVICE)
        await server.run_stdio_async()
