"""The test web server itself: virtual hosts, folder mapping, proxy form, hang-ups."""

from __future__ import annotations

import asyncio
import http.client
import socket
from pathlib import Path

import pytest

from tests.webserver import Request, Response, WebServer, split_host


def raw_get(web: WebServer, target: str, host: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=5)
    try:
        connection.request("GET", target, headers={"Host": host})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("target", "status", "location", "snippet"),
    [
        ("/", 200, None, b"Tiny Test Site"),
        ("/about/", 200, None, b"About us"),
        ("/about", 301, "/about/", b""),
        ("/about?x=1", 301, "/about/?x=1", b""),
        ("/pricing", 200, None, b"Basic: $5/month"),
        ("/pricing.html", 200, None, b"Basic: $5/month"),
        ("/robots.txt", 200, None, b"Disallow: /private/"),
        ("/nope", 404, None, b"Page not found"),
        ("/nope/", 404, None, b"Page not found"),
        ("/../conftest.py", 404, None, b"Page not found"),
        ("/%2e%2e/conftest.py", 404, None, b"Page not found"),
    ],
)
def test_folder_site_mapping(
    web: WebServer, sites: Path, target: str, status: int, location: str | None, snippet: bytes
) -> None:
    web.add_site("tiny.test", sites / "tiny")
    got_status, headers, body = raw_get(web, target, "TINY.test:8080")
    assert got_status == status
    assert headers.get("location") == location
    assert snippet in body


def test_content_types(web: WebServer, sites: Path) -> None:
    web.add_site("tiny.test", sites / "tiny")
    assert raw_get(web, "/", "tiny.test")[1]["content-type"] == "text/html"
    assert raw_get(web, "/sitemap.xml", "tiny.test")[1]["content-type"] == "application/xml"


def test_alias_and_unknown_host(web: WebServer, sites: Path) -> None:
    web.add_site("acme.test", sites / "tiny")
    web.add_alias("www.acme.test", "acme.test")
    assert raw_get(web, "/", "www.acme.test")[0] == 200
    assert raw_get(web, "/", "other.test")[0] == 502
    assert [(r.host, r.path) for r in web.requests] == [("www.acme.test", "/"), ("other.test", "/")]


def test_absolute_form_request_picks_the_site(web: WebServer, sites: Path) -> None:
    web.add_site("acme.test", sites / "tiny")
    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        sock.sendall(b"GET http://acme.test/pricing?a=1 HTTP/1.1\r\nHost: ignored.test\r\n"
                     b"Connection: close\r\n\r\n")  # fmt: skip
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200")
    assert b"Basic: $5/month" in reply
    [request] = web.requests
    assert (request.host, request.path, request.absolute_form) == (
        "acme.test",
        "/pricing?a=1",
        True,
    )


def test_routes_win_over_files_and_see_the_request(web: WebServer, sites: Path) -> None:
    seen: list[tuple[str, str, str]] = []

    def handler(request: Request) -> Response:
        seen.append((request.method, request.target, request.headers["x-test"]))
        return Response(201, {"X-Reply": "yes"}, b"routed")

    web.add_site("acme.test", sites / "tiny")
    web.add_route("acme.test", "/pricing", handler)
    connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=5)
    connection.request("GET", "/pricing?q=1", headers={"Host": "acme.test", "X-Test": "hi"})
    response = connection.getresponse()
    assert (response.status, response.getheader("X-Reply"), response.read()) == (
        201, "yes", b"routed"
    )  # fmt: skip
    connection.close()
    assert seen == [("GET", "/pricing?q=1", "hi")]
    assert web.count("/pricing?q=1", "acme.test") == 1


def test_streamed_body_is_chunked(web: WebServer) -> None:
    web.add_route("acme.test", "/", Response(200, {}, [b"one ", b"two"]))
    status, headers, body = raw_get(web, "/", "acme.test")
    assert (status, headers["transfer-encoding"], body) == (200, "chunked", b"one two")


def test_survives_a_client_hanging_up(web: WebServer) -> None:
    def endless() -> Response:
        return Response(200, {}, iter(lambda: b"z" * 65536, b""))

    web.add_route("acme.test", "/endless", lambda request: endless())
    web.add_route("acme.test", "/ok", Response(200, {}, b"still here"))
    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        sock.sendall(b"GET /endless HTTP/1.1\r\nHost: acme.test\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
    assert raw_get(web, "/ok", "acme.test")[2] == b"still here"


def test_broken_handler_answers_500(web: WebServer) -> None:
    def broken(request: Request) -> Response:
        raise KeyError("oops")

    web.add_route("acme.test", "/", broken)
    status, _, body = raw_get(web, "/", "acme.test")
    assert (status, body) == (500, b"KeyError('oops')")


@pytest.mark.parametrize(
    ("authority", "host"),
    [("ACME.test:8080", "acme.test"), ("acme.test.", "acme.test"), ("[::1]:80", "[::1]"),
     ("127.0.0.1", "127.0.0.1")],
)  # fmt: skip
def test_split_host(authority: str, host: str) -> None:
    assert split_host(authority) == host


def test_resolver_follows_the_hosts_added_later(web: WebServer) -> None:
    resolver = web.resolver()
    web.add_site("late.test", Path(__file__).parent)
    assert asyncio.run(resolver.resolve("LATE.test", 80)) == [("127.0.0.1", web.port)]
