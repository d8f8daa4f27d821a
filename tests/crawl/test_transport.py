"""The network seam: every connection, direct or through a proxy, goes where the resolver says."""

from __future__ import annotations

import asyncio

import httpcore
import httpx
import pytest

from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.transport import ResolvingBackend, SystemResolver, build_client
from sitelore.errors import ConnectError
from sitelore.models import CrawlOptions
from tests.webserver import Response, StaticResolver, WebServer, html

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variables from the machine running the tests."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def get(resolver: StaticResolver, url: str, options: CrawlOptions) -> httpx.Response:
    async def go() -> httpx.Response:
        async with build_client(options, resolver) as client:
            return await client.get(url)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", [("127.0.0.1", 8080)]), ("::1", [("::1", 8080)]), ("[::1]", [("::1", 8080)])],
)
def test_system_resolver_returns_ip_literals_as_is(
    host: str, expected: list[tuple[str, int]]
) -> None:
    assert asyncio.run(SystemResolver().resolve(host, 8080)) == expected


def test_system_resolver_looks_up_names() -> None:
    addresses = asyncio.run(SystemResolver().resolve("localhost", 80))
    assert addresses and all(port == 80 for _, port in addresses)


def test_direct_connections_go_through_the_resolver(
    web: WebServer, resolver: StaticResolver, clean_env: pytest.MonkeyPatch
) -> None:
    web.add_route("acme.test", "/", html("<p>hello</p>"))
    response = get(resolver, "http://acme.test/", CrawlOptions())
    assert response.status_code == 200
    assert resolver.lookups == [("acme.test", 80)]
    [request] = web.requests
    assert (request.host, request.absolute_form) == ("acme.test", False)


def test_proxy_from_the_environment_is_used_and_resolved(
    web: WebServer, resolver: StaticResolver, clean_env: pytest.MonkeyPatch
) -> None:
    # The kit's setup: HTTP_PROXY=http://127.0.0.1:8765, then fetch http://mover.io/.
    web.add_route("mover.test", "/", html("<p>proxied</p>"))
    web.add_route("proxy.test", "/", html("<p>wrong: the proxy was asked as an origin</p>"))
    clean_env.setenv("HTTP_PROXY", "http://proxy.test:8765")
    response = get(resolver, "http://mover.test/", CrawlOptions(trust_env=True))
    assert "proxied" in response.text
    assert [host for host, _ in resolver.lookups] == ["proxy.test"]
    [request] = web.requests
    assert (request.host, request.path, request.absolute_form) == ("mover.test", "/", True)


@pytest.mark.parametrize(
    ("env", "options", "absolute"),
    [
        ({"HTTP_PROXY": "http://proxy.test"}, CrawlOptions(trust_env=False), False),
        ({"HTTP_PROXY": "http://proxy.test", "NO_PROXY": "acme.test"}, CrawlOptions(), False),
        ({"ALL_PROXY": "http://proxy.test"}, CrawlOptions(), True),
        ({"HTTPS_PROXY": "http://proxy.test"}, CrawlOptions(), False),
        ({}, CrawlOptions(proxy="http://proxy.test", trust_env=False), True),
        ({"HTTP_PROXY": "http://nowhere.test"}, CrawlOptions(proxy="http://proxy.test"), True),
    ],
)
def test_proxy_selection_follows_httpx(
    web: WebServer,
    resolver: StaticResolver,
    clean_env: pytest.MonkeyPatch,
    env: dict[str, str],
    options: CrawlOptions,
    absolute: bool,
) -> None:
    web.add_route("acme.test", "/", html("<p>ok</p>"))
    web.add_host("proxy.test")
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert get(resolver, "http://acme.test/", options).status_code == 200
    [request] = web.requests
    assert request.absolute_form is absolute
    assert request.host == "acme.test"


def test_https_through_a_proxy_tunnels_via_the_resolver(
    web: WebServer, resolver: StaticResolver, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    web.add_host("proxy.test")

    async def go() -> None:
        async with Fetcher(CrawlOptions(timeout=1), resolver=resolver) as fetcher:
            await fetcher.fetch_page("https://acme.test/", allow=lambda url: True)

    # The test server refuses CONNECT with 501.
    with pytest.raises(ConnectError, match=r"^Proxy failed to connect to acme\.test: .*501"):
        asyncio.run(go())
    assert [host for host, _ in resolver.lookups] == ["proxy.test"]
    assert [(r.method, r.path) for r in web.requests] == [("CONNECT", "acme.test:443")]


def test_every_transport_carries_the_resolving_backend(clean_env: pytest.MonkeyPatch) -> None:
    """Canary for the private httpx/httpcore attributes build_client relies on."""
    clean_env.setenv("HTTP_PROXY", "http://proxy.test:1")
    clean_env.setenv("HTTPS_PROXY", "http://proxy.test:2")
    clean_env.setenv("NO_PROXY", "internal.test")
    client = build_client(CrawlOptions(), StaticResolver({}))
    transports = [client._transport, *client._mounts.values()]
    pools = [t._pool for t in transports if isinstance(t, httpx.AsyncHTTPTransport)]
    assert len(pools) == 3  # direct + http:// proxy + https:// proxy
    assert all(isinstance(pool, httpcore.AsyncConnectionPool) for pool in pools)
    assert all(isinstance(pool._network_backend, ResolvingBackend) for pool in pools)
    asyncio.run(client.aclose())


def test_odd_location_headers_reach_the_caller(web: WebServer, resolver: StaticResolver) -> None:
    headers = {"Location": "http://", "Content-Type": "text/plain"}
    web.add_route("acme.test", "/", Response(302, headers, b""))
    response = get(resolver, "http://acme.test/", CrawlOptions(trust_env=False))
    assert response.status_code == 302
    assert response.next_request is None
    assert response.headers["x-sitelore-location"] == "http://"


def test_unix_sockets_are_refused() -> None:
    backend = ResolvingBackend(SystemResolver())
    with pytest.raises(httpcore.ConnectError, match="not allowed"):
        asyncio.run(backend.connect_unix_socket("/var/run/docker.sock"))


def test_empty_resolution_is_a_resolve_failure() -> None:
    class Nothing:
        async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
            return []

    backend = ResolvingBackend(Nothing())
    with pytest.raises(httpcore.ConnectError, match=r"Could not resolve host void\.test"):
        asyncio.run(backend.connect_tcp("void.test", 80))


def test_static_resolver_refuses_non_loopback_targets() -> None:
    leaky = StaticResolver({"leak.test": ("10.1.2.3", 80)})
    with pytest.raises(AssertionError, match="loopback"):
        asyncio.run(leaky.resolve("leak.test", 80))
