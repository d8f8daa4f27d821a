"""``/mcp``: the MCP tools (:mod:`sitelore.mcp`) over streamable HTTP, beside ``/v1``.

Mounted only where the ``mcp`` package is installed (``pip install 'sitelore[mcp]'``).
Each request needs a key, as ``/v1`` does (``x-api-key``, or ``Authorization: Bearer``
for clients that only send that), with the same cache, revocation and rate limit; the
key's id owns the jobs and knowledge the tools touch, so another key's job is not found.

The transport is stateless (``stateless_http``): no session lives in a process, so any
API process on a shared database answers any request, with no sticky routing. Each tool
call's answer is an event stream, which carries its progress notifications. The SDK's
DNS-rebinding check (it answers only ``Host: localhost`` by default) is off: it guards
servers without credentials, and every request here carries a key a foreign page cannot
know; the server's own ``--host`` says where it listens.
"""

from __future__ import annotations

import importlib.util
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sitelore.api.errors import StatusError, error_response
from sitelore.api.routes import Services, authenticated
from sitelore.settings import Settings

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.mcpserver import Context

    from sitelore.mcp.tools import Caller

MCP_PATH = "/mcp"
CALLER = "sitelore.mcp.caller"  # the scope entry the gate leaves for the tools
GUARD_ADVICE = "the server's operator can allow it with {setting}"


def available() -> bool:
    """The ``mcp`` package is installed."""
    return importlib.util.find_spec("mcp") is not None


def mount(app: FastAPI, settings: Settings) -> MCPServer | None:
    """Serve the tools at ``/mcp`` of ``app`` (None, and nothing served, without ``mcp``).
    The app's lifespan must run :func:`running` around its requests."""
    if not available():
        return None
    from mcp.server.transport_security import TransportSecuritySettings

    from sitelore.mcp.paging import OutputLimits
    from sitelore.mcp.tools import build_server

    server = build_server(_caller, OutputLimits(settings.mcp_max_chars), guard_advice=GUARD_ADVICE)
    inner = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    app.router.routes.append(Route(MCP_PATH, endpoint=KeyGate(inner)))
    app.state.mcp = server
    return server


def running(app: FastAPI) -> AbstractAsyncContextManager[Any]:
    """The MCP session manager's task group, for the app's lifespan (a no-op without
    ``/mcp``): a request that comes before it fails."""
    server: MCPServer | None = getattr(app.state, "mcp", None)
    return nullcontext() if server is None else server.session_manager.run()


class KeyGate:
    """Lets through the requests with a valid key, marked with their caller; answers the
    others as ``/v1`` does (401, 429 with ``Retry-After``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services: Services = scope["app"].state.services
        try:
            key = await authenticated(services, _presented_key(Headers(scope=scope)))
        except StatusError as refused:
            answer = error_response(refused.status, refused.message, refused.headers)
            await answer(scope, receive, send)
            return
        await self.app({**scope, CALLER: _caller_of(services, key.id)}, receive, send)


def _presented_key(headers: Headers) -> str | None:
    key = headers.get("x-api-key")
    if key:
        return key
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _caller_of(services: Services, owner: str) -> Caller:
    from sitelore.mcp.service import StoreService
    from sitelore.mcp.tools import Caller

    service = StoreService(
        services.settings, services.store, services.hub, services.policy, services.wake_deliveries
    )
    return Caller(service, owner)


def _caller(ctx: Context) -> Caller:
    """The caller the gate found for this request (the transport hands the tools the
    HTTP request it came in)."""
    request = ctx.request_context.request
    if request is None or CALLER not in request.scope:
        raise RuntimeError("an MCP call reached the tools without passing the key gate")
    caller: Caller = request.scope[CALLER]
    return caller
