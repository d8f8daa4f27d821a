"""Fetcher against the real local web server: charsets, redirects, retries, limits, errors."""

from __future__ import annotations

import asyncio
import gzip
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from sitelore.crawl.charset import decode_html, looks_like_html, parse_content_type
from sitelore.crawl.fetcher import FetchedPage, Fetcher, Resource, parse_retry_after
from sitelore.crawl.transport import Resolver, SystemResolver, build_client
from sitelore.errors import (
    ConnectError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotHTML,
    OffSiteRedirect,
    ResponseTooLarge,
    TooManyRedirects,
)
from sitelore.models import CrawlOptions
from tests.webserver import (
    Pause,
    Request,
    Response,
    StaticResolver,
    WebServer,
    closed_port,
    html,
    redirect,
)

OPTIONS = CrawlOptions(timeout=1, max_retries=2, max_retry_after=2, max_redirects=5)
HOST = "acme.test"


def anywhere(url: str) -> bool:
    return True


def on_acme(url: str) -> bool:
    return url.startswith(("http://acme.test/", "http://www.acme.test/"))


def get_page(
    resolver: Resolver,
    url: str,
    options: CrawlOptions = OPTIONS,
    allow: Callable[[str], bool] = anywhere,
) -> FetchedPage:
    async def go() -> FetchedPage:
        async with Fetcher(options, resolver=resolver) as fetcher:
            return await fetcher.fetch_page(url, allow=allow)

    return asyncio.run(go())


def get_resource(resolver: Resolver, url: str, max_bytes: int = 10_000) -> Resource:
    async def go() -> Resource:
        async with Fetcher(OPTIONS, resolver=resolver) as fetcher:
            return await fetcher.fetch_resource(url, allow=anywhere, max_bytes=max_bytes)

    return asyncio.run(go())


class Counter:
    """A route handler answering from a script of responses, counting the calls."""

    def __init__(self, *responses: Response) -> None:
        self.calls = 0
        self._responses = responses

    def __call__(self, request: Request) -> Response:
        response = self._responses[min(self.calls, len(self._responses) - 1)]
        self.calls += 1
        return response


# --- charsets -------------------------------------------------------------------------------

CAFE = "Café crème – 5 €"


@pytest.mark.parametrize(
    ("content_type", "body", "expected_text", "expected_encoding"),
    [
        ("text/html; charset=iso-8859-15", f"<p>{CAFE.replace('–', '-')}</p>".encode("iso-8859-15"),
         CAFE.replace("–", "-"), "iso8859-15"),
        ("text/html; charset=\"windows-1251\"", "<p>Привет мир</p>".encode("cp1251"),
         "Привет мир", "cp1251"),
        ("text/html", b'<meta charset="koi8-r"><p>' + "Цена".encode("koi8-r"), "Цена", "koi8-r"),
        ("text/html", b'<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">'
         + "料金".encode("shift_jis"), "料金", "shift_jis"),
        ("text/html", f"<p>{CAFE}</p>".encode("cp1252"), CAFE, "cp1252"),
        ("text/html", f"<p>{CAFE}</p>".encode(), CAFE, "utf-8"),
        ("text/html; charset=x-no-such-charset", f"<p>{CAFE}</p>".encode(), CAFE, "utf-8"),
        ("text/html; charset=iso-8859-1", f"<p>{CAFE}</p>".encode("cp1252"), CAFE, "cp1252"),
        ("text/html", b"\xef\xbb\xbf<meta charset=latin1><p>" + CAFE.encode(), CAFE, "utf-8"),
        ("application/xhtml+xml", f"<p>{CAFE}</p>".encode(), CAFE, "utf-8"),
        (None, b"<!DOCTYPE html><p>" + CAFE.encode(), CAFE, "utf-8"),
    ],
)  # fmt: skip
def test_page_charsets(
    web: WebServer,
    resolver: StaticResolver,
    content_type: str | None,
    body: bytes,
    expected_text: str,
    expected_encoding: str,
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    web.add_route(HOST, "/", Response(200, headers, body))
    page = get_page(resolver, "http://acme.test/")
    assert expected_text in page.text
    assert not page.text.startswith("\ufeff")
    assert page.encoding == expected_encoding
    assert (page.url, page.final_url, page.status, page.redirects) == (
        "http://acme.test/",
        "http://acme.test/",
        200,
        (),
    )


def test_page_sends_user_agent_and_accept_headers(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route(HOST, "/", html("<p>hi</p>"))
    get_page(resolver, "http://acme.test/", CrawlOptions(timeout=1, user_agent="testbot/9"))
    [request] = web.requests
    assert request.headers["user-agent"] == "testbot/9"
    assert request.headers["accept"] == "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
    assert "gzip" in request.headers["accept-encoding"]


def test_gzip_encoded_page_is_decoded(web: WebServer, resolver: StaticResolver) -> None:
    body = gzip.compress("<p>Grüße</p>".encode())
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    web.add_route(HOST, "/", Response(200, headers, body))
    assert "Grüße" in get_page(resolver, "http://acme.test/").text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, ("", None)),
        ("TEXT/HTML", ("text/html", None)),
        ('text/html; Charset="UTF-8"; foo=bar', ("text/html", "UTF-8")),
        ("application/pdf;charset=", ("application/pdf", None)),
    ],
)
def test_parse_content_type(header: str | None, expected: tuple[str, str | None]) -> None:
    assert parse_content_type(header) == expected


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (b"  \n<!doctype html><html>", True),
        (b"\xef\xbb\xbf<HTML lang=en>", True),
        (b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>", True),
        (b"<!-- generated --><div>", True),
        (b"<p>just a paragraph</p>", True),
        (b"%PDF-1.7\n", False),
        (b"\x89PNG\r\n", False),
        (b"<?xml version='1.0'?><urlset>", False),
        (b'{"json": true}', False),
        (b"<pre>", False),
        (b"", False),
    ],
)
def test_html_sniffing(prefix: bytes, expected: bool) -> None:
    assert looks_like_html(prefix) is expected


def test_decode_html_never_fails_on_bad_bytes() -> None:
    text, encoding = decode_html(b"<p>\x81\x8d\xff</p>", None)
    assert encoding == "cp1252"
    assert text.startswith("<p>") and text.endswith("</p>")


# --- redirects ------------------------------------------------------------------------------


def test_relative_redirect_chain_is_followed(web: WebServer, resolver: StaticResolver) -> None:
    web.add_alias("www.acme.test", HOST)
    web.add_route(HOST, "/a", redirect("b?x=1", 302))
    web.add_route(HOST, "/b", redirect("http://www.acme.test/c#frag", 308))
    web.add_route(HOST, "/c", redirect("/d", 303))
    web.add_route(HOST, "/d", html("<p>done</p>"))
    page = get_page(resolver, "http://acme.test/a", allow=on_acme)
    assert page.final_url == "http://www.acme.test/d"
    assert page.redirects == ("http://acme.test/b?x=1", "http://www.acme.test/c",
                              "http://www.acme.test/d")  # fmt: skip
    assert "done" in page.text
    assert web.paths() == ["/a", "/b?x=1", "/c", "/d"]


@pytest.mark.parametrize(
    ("routes", "start", "match"),
    [
        ({"/x": "/y", "/y": "/x"}, "/x", "loop"),
        ({"/x": "/x"}, "/x", "loop"),
        ({f"/{i}": f"/{i + 1}" for i in range(10)}, "/0", "More than 5 redirects"),
    ],
)
def test_redirect_loops_and_long_chains_fail(
    web: WebServer, resolver: StaticResolver, routes: dict[str, str], start: str, match: str
) -> None:
    for source, target in routes.items():
        web.add_route(HOST, source, redirect(target))
    with pytest.raises(TooManyRedirects, match=match):
        get_page(resolver, f"http://acme.test{start}")
    assert len(web.requests) <= OPTIONS.max_redirects + 1


def test_off_site_redirect_is_refused(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route("evil.test", "/", html("<p>elsewhere</p>"))
    web.add_route(HOST, "/go", redirect("http://evil.test/"))
    with pytest.raises(OffSiteRedirect) as caught:
        get_page(resolver, "http://acme.test/go", allow=on_acme)
    assert "http://acme.test/go" in str(caught.value)
    assert "http://evil.test/" in str(caught.value)
    assert web.paths("evil.test") == []


def test_redirect_to_another_scheme_is_refused(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route(HOST, "/mail", redirect("mailto:info@acme.test"))
    with pytest.raises(OffSiteRedirect, match=r"mailto:info@acme\.test"):
        get_page(resolver, "http://acme.test/mail")


# --- statuses and retries -------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500, 502])
def test_error_status_raises(web: WebServer, resolver: StaticResolver, status: int) -> None:
    web.add_route(HOST, "/", html("<p>nope</p>", status))
    with pytest.raises(HTTPStatusError) as caught:
        get_page(resolver, "http://acme.test/")
    assert caught.value.status == status
    assert str(caught.value) == f"HTTP {status} for http://acme.test/"


def in_seconds(seconds: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize("retry_after", ["0", "0.1", in_seconds(-60)])
def test_429_is_retried_after_retry_after(
    web: WebServer, resolver: StaticResolver, retry_after: str
) -> None:
    route = Counter(Response(429, {"Retry-After": retry_after}), html("<p>finally</p>"))
    web.add_route(HOST, "/", route)
    page = get_page(resolver, "http://acme.test/")
    assert "finally" in page.text
    assert route.calls == 2


def test_503_retries_run_out(web: WebServer, resolver: StaticResolver) -> None:
    route = Counter(Response(503, {"Retry-After": "0"}))
    web.add_route(HOST, "/", route)
    with pytest.raises(HTTPStatusError) as caught:
        get_page(resolver, "http://acme.test/")
    assert caught.value.status == 503
    assert route.calls == OPTIONS.max_retries + 1


def test_503_without_retry_after_backs_off_then_succeeds(
    web: WebServer, resolver: StaticResolver
) -> None:
    route = Counter(Response(503), html("<p>back</p>"))
    web.add_route(HOST, "/", route)
    assert "back" in get_page(resolver, "http://acme.test/").text
    assert route.calls == 2


@pytest.mark.parametrize("retry_after", ["3600", in_seconds(3600)])
def test_retry_after_beyond_the_cap_gives_up_at_once(
    web: WebServer, resolver: StaticResolver, retry_after: str
) -> None:
    route = Counter(Response(429, {"Retry-After": retry_after}))
    web.add_route(HOST, "/", route)
    with pytest.raises(HTTPStatusError, match="HTTP 429"):
        get_page(resolver, "http://acme.test/")
    assert route.calls == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("12", 12.0), (" 0 ", 0.0), ("-5", 0.0), ("soon", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)  # fmt: skip
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


# --- timeouts and size caps -----------------------------------------------------------------


def test_server_that_never_answers_times_out(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route(HOST, "/", Response(delay=30))
    with pytest.raises(FetchTimeout) as caught:
        get_page(resolver, "http://acme.test/")
    assert str(caught.value) == "Connection timeout after 1s"
    assert caught.value.url == "http://acme.test/"


def test_slow_drip_body_cannot_outlast_the_deadline(
    web: WebServer, resolver: StaticResolver
) -> None:
    def drip() -> Iterator[bytes | Pause]:
        yield b"<!doctype html><p>"
        for _ in range(50):
            yield Pause(0.2)
            yield b"x"

    web.add_route(HOST, "/", Response(200, {"Content-Type": "text/html"}, drip()))
    with pytest.raises(FetchTimeout, match="Connection timeout after 1s"):
        get_page(resolver, "http://acme.test/")


def endless(chunk: bytes) -> Iterator[bytes]:
    return itertools.repeat(chunk)


@pytest.mark.parametrize("declare_length", [True, False])
def test_oversized_body_is_cut_off(
    web: WebServer, resolver: StaticResolver, declare_length: bool
) -> None:
    headers = {"Content-Type": "text/html"}
    if declare_length:
        headers["Content-Length"] = str(10**9)
    web.add_route(HOST, "/", Response(200, headers, endless(b"<p>" + b"x" * 4093)))
    options = CrawlOptions(timeout=1, max_page_bytes=100_000)
    with pytest.raises(ResponseTooLarge, match="100000-byte cap"):
        get_page(resolver, "http://acme.test/", options)


def test_size_cap_counts_decoded_bytes(web: WebServer, resolver: StaticResolver) -> None:
    body = gzip.compress(b"<p>" + b" " * 1_000_000)
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    web.add_route(HOST, "/", Response(200, headers, body))
    with pytest.raises(ResponseTooLarge):
        get_page(resolver, "http://acme.test/", CrawlOptions(timeout=1, max_page_bytes=100_000))


def test_body_at_the_cap_is_fine(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route(HOST, "/", html("<p>" + "x" * 997))
    page = get_page(resolver, "http://acme.test/", CrawlOptions(timeout=1, max_page_bytes=1000))
    assert len(page.text) == 1000


# --- not HTML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["application/pdf", "image/png", "application/zip", "application/json", "text/plain"],
)
def test_non_html_is_refused_without_reading_the_body(
    web: WebServer, resolver: StaticResolver, content_type: str
) -> None:
    # The body only starts after 5 s: reading it would end in FetchTimeout, not NotHTML.
    body: list[bytes | Pause] = [Pause(5), b"%PDF-1.7 ..."]
    web.add_route(HOST, "/file", Response(200, {"Content-Type": content_type}, body))
    with pytest.raises(NotHTML, match=content_type):
        get_page(resolver, "http://acme.test/file")


def test_body_without_content_type_is_sniffed(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route(HOST, "/doc", Response(200, {}, [b"%PDF-1.7\n", b"x" * 600, Pause(5)]))
    with pytest.raises(NotHTML, match="no content type"):
        get_page(resolver, "http://acme.test/doc")


# --- connection failures --------------------------------------------------------------------


def test_refused_connection_by_name() -> None:
    port = closed_port()
    resolver = StaticResolver({"closed.test": ("127.0.0.1", port)})
    with pytest.raises(ConnectError) as caught:
        get_page(resolver, "http://closed.test/")
    assert str(caught.value) == f"Connection refused by closed.test (127.0.0.1:{port})"


def test_refused_connection_by_address() -> None:
    port = closed_port()
    # An IP literal never reaches DNS, so the system resolver is safe here.
    with pytest.raises(ConnectError, match=f"^Connection refused by 127.0.0.1:{port}$"):
        get_page(SystemResolver(), f"http://127.0.0.1:{port}/")


def test_unknown_host_fails_to_resolve(resolver: StaticResolver) -> None:
    with pytest.raises(ConnectError, match=r"^Could not resolve host nowhere\.test$") as caught:
        get_page(resolver, "http://nowhere.test/page")
    assert caught.value.url == "http://nowhere.test/page"


def test_connection_cut_mid_body_is_a_connect_error(
    web: WebServer, resolver: StaticResolver
) -> None:
    headers = {"Content-Type": "text/html", "Content-Length": "1000"}
    web.add_route(HOST, "/", Response(200, headers, [b"<p>only part of it"]))
    with pytest.raises(ConnectError, match=r"acme\.test"):
        get_page(resolver, "http://acme.test/")


def test_unsupported_scheme_is_a_fetch_error(resolver: StaticResolver) -> None:
    with pytest.raises(FetchError, match=r"ftp://acme\.test/"):
        get_page(resolver, "ftp://acme.test/")


# --- proxy and resources --------------------------------------------------------------------


def test_explicit_proxy_gets_absolute_form_requests(
    web: WebServer, resolver: StaticResolver
) -> None:
    web.add_route(HOST, "/", html("<p>via proxy</p>"))
    options = CrawlOptions(timeout=1, proxy=web.url, trust_env=False)
    page = get_page(resolver, "http://acme.test/", options)
    assert "via proxy" in page.text
    [request] = web.requests
    assert (request.host, request.path, request.absolute_form) == (HOST, "/", True)
    assert [host for host, _ in resolver.lookups] == ["127.0.0.1"]


def test_resource_of_any_type(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route(HOST, "/data.xml", Response(200, {"Content-Type": "application/xml"}, b"<x/>"))
    resource = get_resource(resolver, "http://acme.test/data.xml")
    assert resource == Resource(
        "http://acme.test/data.xml", "http://acme.test/data.xml", 200, "application/xml", b"<x/>"
    )


@pytest.mark.parametrize("status", [404, 410, 500])
def test_resource_error_status_raises(
    web: WebServer, resolver: StaticResolver, status: int
) -> None:
    web.add_route(HOST, "/robots.txt", Response(status, {"Content-Type": "text/plain"}, b"no"))
    with pytest.raises(HTTPStatusError):
        get_resource(resolver, "http://acme.test/robots.txt")


def test_resource_size_cap(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route(HOST, "/big", Response(200, {}, endless(b"y" * 4096)))
    with pytest.raises(ResponseTooLarge):
        get_resource(resolver, "http://acme.test/big", max_bytes=50_000)


def test_client_and_resolver_are_exclusive(resolver: StaticResolver) -> None:
    async def go() -> None:
        client = build_client(OPTIONS, resolver)
        try:
            with pytest.raises(ValueError, match="not both"):
                Fetcher(OPTIONS, resolver=resolver, client=client)
        finally:
            await client.aclose()

    asyncio.run(go())


def test_shared_client_stays_open(web: WebServer, resolver: StaticResolver, sites: Path) -> None:
    web.add_site(HOST, sites / "tiny")

    async def go() -> tuple[FetchedPage, FetchedPage]:
        async with build_client(OPTIONS, resolver) as client:
            async with Fetcher(OPTIONS, client=client) as first:
                one = await first.fetch_page("http://acme.test/", allow=anywhere)
            assert not client.is_closed
            async with Fetcher(OPTIONS, client=client) as second:
                two = await second.fetch_page("http://acme.test/pricing", allow=anywhere)
            return one, two

    one, two = asyncio.run(go())
    assert "Tiny Test Site" in one.text and "Basic: $5/month" in two.text
