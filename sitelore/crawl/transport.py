"""The one seam between sitelore and the network.

Every TCP connection sitelore opens -- to a website or to an HTTP proxy -- goes through
:class:`ResolvingBackend`, which asks a :class:`Resolver` where to connect. That makes the
resolver the single choke point for deciding which addresses may be reached (tests map
hostnames to loopback; :class:`GuardedResolver`, the network guard, refuses addresses the
:class:`~sitelore.core.netpolicy.NetworkPolicy` forbids).

The guard resolves each connection once, checks every address the name resolves to, and the
backend connects to exactly those checked addresses, never to the name again: a DNS answer
that changes between check and connect (DNS rebinding) cannot slip through.

:func:`build_client` is the only place that creates an ``httpx.AsyncClient``.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
from collections.abc import Iterable
from typing import Protocol

import httpcore
import httpx

from sitelore.core.netpolicy import NetworkPolicy, fold_host
from sitelore.models import CrawlOptions

__all__ = [
    "LOCATION_HEADER",
    "BlockedAddress",
    "GuardedResolver",
    "Resolver",
    "ResolvingBackend",
    "SystemResolver",
    "blocked_cause",
    "build_client",
]

_DEFAULT_HEADERS = {"Accept-Encoding": "gzip, deflate"}

# Where clients from build_client() put a redirect's raw Location header (see _hide_location).
LOCATION_HEADER = "X-Sitelore-Location"


class Resolver(Protocol):
    """Decides where a connection to ``host:port`` goes.

    Raise ``OSError`` (e.g. ``socket.gaierror``) when the host cannot be resolved; the
    backend turns it into a connect error naming the host.
    """

    async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """Return the ``(address, port)`` pairs to try, in order."""
        ...


class SystemResolver:
    """Resolves through the operating system (``getaddrinfo``); IP literals are returned as-is."""

    async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """Return the addresses of ``host`` in the order the system prefers."""
        literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            ipaddress.ip_address(literal)
        except ValueError:
            pass
        else:
            return [(literal, port)]
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        addresses: list[tuple[str, int]] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            pair = (str(sockaddr[0]), int(sockaddr[1]))
            if pair not in addresses:
                addresses.append(pair)
        return addresses


class BlockedAddress(OSError):
    """The network policy refuses this connection; the message is ``Blocked: <reason>``."""


class GuardedResolver:
    """A :class:`Resolver` that returns only addresses ``policy`` allows (the SSRF guard).

    It resolves with ``inner`` once and refuses the whole answer (:class:`BlockedAddress`)
    when ANY address in it is refused, so a name cannot mix a public and a private address.
    The requested port is judged too. Hosts in ``always_allowed`` (the operator's proxies)
    are resolved without any check.
    """

    def __init__(
        self,
        inner: Resolver,
        policy: NetworkPolicy,
        always_allowed: frozenset[str] = frozenset(),
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._always_allowed = frozenset(fold_host(host) for host in always_allowed)

    async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """The checked addresses of ``host``; :class:`BlockedAddress` if any is refused."""
        if fold_host(host) in self._always_allowed:
            return await self._inner.resolve(host, port)
        problem = self._policy.port_problem(port)
        if problem is not None:
            raise BlockedAddress(f"Blocked: {problem}")
        addresses = list(await self._inner.resolve(host, port))
        for address, _port in addresses:
            problem = self._policy.address_problem(address)
            if problem is not None:
                raise BlockedAddress(f"Blocked: {problem}")
        return addresses


def blocked_cause(error: BaseException) -> BlockedAddress | None:
    """The :class:`BlockedAddress` behind ``error`` (httpx and httpcore wrap it), if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, BlockedAddress):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only where the resolver says."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve ``host`` with the resolver, then try each address in order."""
        addresses = await self._resolve(host, port)
        failure: httpcore.ConnectError | None = None
        for address, address_port in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    address_port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None  # _resolve never returns an empty list
        address, address_port = addresses[-1]
        raise httpcore.ConnectError(
            _describe_connect_failure(failure, host, address, address_port)
        ) from failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: a crawler has no business with local sockets, and they bypass the resolver."""
        raise httpcore.ConnectError(f"Unix sockets are not allowed ({path})")

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop (used by httpcore's connect retries)."""
        await self._inner.sleep(seconds)

    async def _resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        try:
            addresses = await self._resolver.resolve(host, port)
        except BlockedAddress as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"Could not resolve host {host}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"Could not resolve host {host}")
        return addresses


def _root_oserror(exc: BaseException) -> OSError | None:
    """The innermost OSError in the cause chain (anyio wraps the real one)."""
    found: OSError | None = None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            found = current
        current = current.__cause__ or current.__context__
    return found


def _describe_connect_failure(failure: BaseException, host: str, address: str, port: int) -> str:
    where = f"{address}:{port}" if host == address else f"{host} ({address}:{port})"
    cause = _root_oserror(failure)
    if isinstance(cause, ConnectionRefusedError):
        return f"Connection refused by {where}"
    if isinstance(cause, ConnectionResetError):
        return f"Connection reset by {where}"
    if cause is not None and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return f"Host unreachable: {where}"
    reason = (cause.strerror if cause is not None else None) or str(failure) or "failed"
    return f"Could not connect to {where}: {reason}"


def build_client(
    options: CrawlOptions,
    resolver: Resolver | None = None,
    *,
    policy: NetworkPolicy | None = None,
) -> httpx.AsyncClient:
    """Build the crawler's HTTP client: every connection it makes goes through ``resolver``.

    Proxies: ``options.proxy`` if set, else (when ``options.trust_env``) ``HTTP_PROXY``,
    ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` exactly as httpx reads them -- httpx builds
    the transports, then :func:`_install_backend` points each one at the resolver.
    With a ``policy`` the resolver is wrapped in a :class:`GuardedResolver` that lets the
    proxies' hosts through (the operator chose them; they resolve the names they are sent).
    Redirects are not followed: the fetcher follows them itself, checking every hop.
    """
    client = httpx.AsyncClient(
        proxy=options.proxy,
        trust_env=options.trust_env,
        follow_redirects=False,
        timeout=httpx.Timeout(options.timeout),
        headers={"User-Agent": options.user_agent, **_DEFAULT_HEADERS},
        event_hooks={"response": [_hide_location]},
    )
    chosen: Resolver = resolver or SystemResolver()
    if policy is not None:
        chosen = GuardedResolver(chosen, policy, _proxy_hosts(client))
    _install_backend(client, ResolvingBackend(chosen))
    return client


async def _hide_location(response: httpx.Response) -> None:
    """Move a redirect's Location header to :data:`LOCATION_HEADER`.

    Even with ``follow_redirects=False`` httpx parses Location to build
    ``response.next_request``, and raises (losing the response) on values like
    ``mailto:x`` or ``http://``. Response hooks run before that step, so hiding the header
    here lets the fetcher judge every redirect target itself.
    """
    if response.is_redirect:
        response.headers[LOCATION_HEADER] = response.headers["location"]
        del response.headers["location"]


def _proxy_hosts(client: httpx.AsyncClient) -> frozenset[str]:
    """The hosts of the proxies ``client`` connects through (read where httpcore keeps them)."""
    hosts: set[str] = set()
    for pool in _pools(client):
        if isinstance(pool, httpcore.AsyncHTTPProxy | httpcore.AsyncSOCKSProxy):
            url = getattr(pool, "_proxy_url", None)
            if not isinstance(url, httpcore.URL):
                raise RuntimeError("httpx/httpcore internals changed: cannot find the proxy")
            hosts.add(url.host.decode("ascii"))
    return frozenset(hosts)


def _pools(client: httpx.AsyncClient) -> list[httpcore.AsyncConnectionPool]:
    """The connection pool of every transport of ``client`` (see :func:`_install_backend`)."""
    pools: list[httpcore.AsyncConnectionPool] = []
    for transport in [client._transport, *client._mounts.values()]:
        if transport is None:  # a NO_PROXY mount: falls back to client._transport
            continue
        if not isinstance(transport, httpx.AsyncHTTPTransport):
            raise RuntimeError(f"cannot route {type(transport).__name__} through the resolver")
        pool = getattr(transport, "_pool", None)
        if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(
            pool, "_network_backend"
        ):
            raise RuntimeError("httpx/httpcore internals changed: cannot install the resolver")
        pools.append(pool)
    return pools


def _install_backend(client: httpx.AsyncClient, backend: httpcore.AsyncNetworkBackend) -> None:
    """Make every transport of ``client`` (direct and proxy) connect through ``backend``.

    httpx has no public way to give its own transports (the ones it builds for proxies from
    the environment) a network backend, and rebuilding that proxy logic here would drift
    from httpx. So this touches private attributes -- ``client._transport``,
    ``client._mounts``, ``AsyncHTTPTransport._pool`` and the pool's ``_network_backend``
    (which httpcore reads whenever it opens a connection), and a proxy pool's ``_proxy_url``
    (:func:`_proxy_hosts`). If any of them moves in a new
    httpx/httpcore release this raises instead of silently bypassing the resolver, and
    tests/crawl/test_transport.py fails.
    """
    for pool in _pools(client):
        pool._network_backend = backend
