"""Helpers for the network guard tests: hostile DNS answers that can never be connected to.

The guard is tested through the resolver seam. :class:`ScriptedResolver` answers chosen names
with hostile addresses (10.0.0.5, 169.254.169.254, ::ffff:127.0.0.1 ...) and every other name
like the test web server's :class:`~tests.webserver.StaticResolver`. The guard under test
(:class:`~sitelore.crawl.transport.GuardedResolver`) wraps it, and :class:`LoopbackOnly` wraps
the guard: it is the last resolver before the connector, records every address handed to
it, and raises ``AssertionError`` (which no layer turns into a fetch error) for anything but
127.0.0.1 or ::1. So even a broken guard makes a test fail, never a connection elsewhere::

    scripted = ScriptedResolver(web, {"evil.test": [["10.0.0.5"]]})
    net = LoopbackOnly(GuardedResolver(scripted, policy))
    Fetcher(options, resolver=net, policy=policy)   # the fetcher adds its own guard outside
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.transport import GuardedResolver
from tests.hostile import HOSTILE_ADDRESSES
from tests.webserver import WebServer

__all__ = ["HOSTILE_ADDRESSES", "LOOPBACK", "LoopbackOnly", "ScriptedResolver", "guarded"]

LOOPBACK = frozenset({"127.0.0.1", "::1"})


class ScriptedResolver:
    """Scripted answers for chosen names; every other name resolves as the web server's do.

    ``script[name]`` lists one answer per lookup (the last one repeats). A loopback answer
    gets the web server's port, so it really reaches the test server; any other address
    keeps the requested port (and must never be connected to: see :class:`LoopbackOnly`).
    """

    def __init__(self, web: WebServer, script: Mapping[str, Sequence[Sequence[str]]]) -> None:
        self._web = web
        self._fallback = web.resolver()
        self._script = script
        self.lookups: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """The next scripted answer for ``host``, else the web server's answer."""
        name = host.lower().rstrip(".")
        answers = self._script.get(name)
        if answers is None:
            return await self._fallback.resolve(host, port)
        asked = sum(1 for looked_up, _ in self.lookups if looked_up == name)
        self.lookups.append((name, port))
        answer = answers[min(asked, len(answers) - 1)]
        return [(ip, self._web.port if ip in LOOPBACK else port) for ip in answer]


class LoopbackOnly:
    """The last resolver before the connector: only 127.0.0.1 and ::1 ever get through.

    ``passed`` records every address handed on to be connected to.
    """

    def __init__(self, inner: GuardedResolver) -> None:
        self._inner = inner
        self.passed: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """The guard's answer, if it holds loopback addresses only."""
        addresses = await self._inner.resolve(host, port)
        leaked = [address for address, _ in addresses if address not in LOOPBACK]
        if leaked:
            raise AssertionError(f"the guard let {leaked} for {host} through to the connector")
        self.passed.extend(addresses)
        return addresses


def guarded(
    web: WebServer, script: Mapping[str, Sequence[Sequence[str]]], policy: NetworkPolicy
) -> tuple[ScriptedResolver, LoopbackOnly]:
    """The scripted resolver and the safety net around the guard around it."""
    scripted = ScriptedResolver(web, script)
    return scripted, LoopbackOnly(GuardedResolver(scripted, policy))
