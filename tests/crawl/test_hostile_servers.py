"""Limits against hostile servers: compression bombs, link farms, giant sitemaps, endless waits.

Each limit is exercised by a local server that misbehaves on purpose; memory is measured
with ``tracemalloc`` (allocations, not wall-clock time).
"""

from __future__ import annotations

import asyncio
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from sitelore.crawl.crawler import MAX_FETCHES_PER_PAGE
from sitelore.crawl.fetcher import FetchedPage, Fetcher
from sitelore.errors import FetchError, ResponseTooLarge
from sitelore.models import CrawlOptions, ExtractRequest
from sitelore.pipeline import extract_site
from tests.webserver import Response, StaticResolver, WebServer, html

HOST = "hostile.test"
CAP = 200_000
OPTIONS = CrawlOptions(timeout=5, max_page_bytes=CAP, max_retries=0, trust_env=False)


def fetch(resolver: StaticResolver, url: str, options: CrawlOptions = OPTIONS) -> FetchedPage:
    async def go() -> FetchedPage:
        async with Fetcher(options, resolver=resolver) as fetcher:
            return await fetcher.fetch_page(url, allow=lambda _url: True)

    return asyncio.run(go())


def compressed_zeros(size: int, wbits: int) -> Iterator[bytes]:
    """``size`` bytes of spaces, compressed as gzip (wbits 31), zlib (15) or raw deflate (-15)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * 1_000_000
    yield packer.compress(b"<!doctype html><p>")
    for _ in range(size // len(block)):
        yield packer.compress(block)
    yield packer.flush()


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", 31), ("deflate", 15), ("deflate", -15)],
    ids=["gzip", "zlib-deflate", "raw-deflate"],
)
def test_compression_bomb_stops_at_the_cap_with_bounded_memory(
    web: WebServer, resolver: StaticResolver, encoding: str, wbits: int
) -> None:
    # 2 GB of spaces compress to about 2 MB: inflating it whole would need gigabytes.
    headers = {"Content-Type": "text/html", "Content-Encoding": encoding}
    web.add_route(HOST, "/", Response(200, headers, compressed_zeros(2_000_000_000, wbits)))
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge):
            fetch(resolver, f"http://{HOST}/")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * CAP, f"peak {peak} bytes while reading a bomb against a {CAP}-byte cap"


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 31), ("deflate", 15), ("deflate", -15)])
def test_compressed_pages_under_the_cap_decode(
    web: WebServer, resolver: StaticResolver, encoding: str, wbits: int
) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress("<p>Grüße aus Köln</p>".encode()) + packer.flush()
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": encoding}
    web.add_route(HOST, "/", Response(200, headers, body))
    assert "Grüße aus Köln" in fetch(resolver, f"http://{HOST}/").text


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("br", b"\x1b\x00"), ("gzip, gzip", b""), ("gzip", b"not gzip at all")],
    ids=["unadvertised-brotli", "stacked", "corrupt"],
)
def test_unusable_encodings_fail_the_page(
    web: WebServer, resolver: StaticResolver, encoding: str, body: bytes
) -> None:
    headers = {"Content-Type": "text/html", "Content-Encoding": encoding}
    web.add_route(HOST, "/", Response(200, headers, body))
    with pytest.raises(FetchError):
        fetch(resolver, f"http://{HOST}/")


def test_link_farm_is_bounded(web: WebServer, resolver: StaticResolver) -> None:
    """A page with 50,000 links: the crawl keeps to its budget and its link cap."""
    links = "".join(f'<a href="/farm/{n}">page {n}</a>' for n in range(50_000))
    web.add_route(HOST, "/", html(f"<html><body><main><h1>Farm</h1>{links}</main></body></html>"))
    farm = html("<html><body><main><p>One more farm page with words.</p></main></body></html>")
    web.add_route(HOST, "*", farm)
    request = ExtractRequest(url=f"http://{HOST}/", max_pages=3)
    result = asyncio.run(
        extract_site(request, options=CrawlOptions(timeout=5, trust_env=False), resolver=resolver)
    )
    assert result.pages_scraped <= 3
    assert result.urls_discovered <= 2_001  # links per page are capped at 2,000 (+ the page)
    # Farm pages are duplicates of each other: they are replaced, up to the fetch cap (of
    # which the home page takes one).
    fetched = [p for p in web.paths(HOST) if p.startswith("/farm/")]
    assert len(fetched) <= MAX_FETCHES_PER_PAGE * 3 - 1


def test_giant_sitemap_is_bounded(web: WebServer, resolver: StaticResolver) -> None:
    """A sitemap listing 200,000 URLs: only the configured number is read."""

    def urls() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><urlset>'
        for start in range(0, 200_000, 1_000):
            yield "".join(
                f"<url><loc>http://{HOST}/s/{n}</loc></url>" for n in range(start, start + 1_000)
            ).encode()
        yield b"</urlset>"

    web.add_route(HOST, "/sitemap.xml", Response(200, {"Content-Type": "application/xml"}, urls()))
    web.add_route(
        HOST, "/", html("<html><body><main><p>Home of a big site.</p></main></body></html>")
    )
    options = CrawlOptions(timeout=5, trust_env=False, max_sitemap_urls=500)
    request = ExtractRequest(url=f"http://{HOST}/", max_pages=1)
    result = asyncio.run(extract_site(request, options=options, resolver=resolver))
    assert result.urls_discovered <= 501


def test_giant_response_headers_fail_the_page(web: WebServer, resolver: StaticResolver) -> None:
    headers = {"Content-Type": "text/html", "X-Padding": "x" * 1_000_000}
    web.add_route(HOST, "/", Response(200, headers, b"<p>hello</p>"))
    with pytest.raises(FetchError):
        fetch(resolver, f"http://{HOST}/")


def test_absurdly_long_urls_are_not_followed(web: WebServer, resolver: StaticResolver) -> None:
    long_path = "/" + "a" * 50_000
    page = (
        f'<html><body><main><p>A page that links very far away.</p><a href="{long_path}">x</a>'
        f'<a href="/ok/">ok</a></main></body></html>'
    )
    web.add_route(HOST, "/", html(page))
    web.add_route(
        HOST,
        "/ok/",
        html("<html><body><main><p>A page with a sane address.</p></main></body></html>"),
    )
    request = ExtractRequest(url=f"http://{HOST}/", max_pages=5)
    asyncio.run(
        extract_site(request, options=CrawlOptions(timeout=5, trust_env=False), resolver=resolver)
    )
    assert all(len(path) < 5_000 for path in web.paths(HOST))
    assert "/ok/" in web.paths(HOST)


def test_link_and_url_caps_are_settings(web: WebServer, resolver: StaticResolver) -> None:
    links = "".join(f'<a href="/p/{n}">page {n}</a>' for n in range(100))
    long_link = '<a href="/' + "b" * 300 + '">far</a>'
    web.add_route(HOST, "/", html(f"<html><body><main>{long_link}{links}</main></body></html>"))
    options = CrawlOptions(timeout=5, trust_env=False, max_links_per_page=10, max_url_length=200)
    request = ExtractRequest(url=f"http://{HOST}/", single_page=False, max_pages=1)
    result = asyncio.run(extract_site(request, options=options, resolver=resolver))
    assert result.urls_discovered <= 11  # the start page and at most 10 links of it
