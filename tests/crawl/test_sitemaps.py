"""Sitemap parsing (tolerant, gzip, text) and the bounded walk over sitemap indexes."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Sequence

import pytest

from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.sitemaps import SitemapDoc, collect_sitemap_urls, gunzip_capped, parse_sitemap
from sitelore.models import CrawlOptions
from tests.webserver import Response, StaticResolver, WebServer, redirect

BASE = "http://acme.test/sitemap.xml"

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <!-- <url><loc>http://acme.test/commented-out</loc></url> -->
  <url><loc>http://acme.test/</loc><lastmod>2024-01-01</lastmod></url>
  <url>
    <loc>
      http://acme.test/pricing/
    </loc>
    <image:image><image:loc>http://acme.test/img/plan.png</image:loc></image:image>
  </url>
  <url><loc><![CDATA[http://acme.test/search?q=a&b=c]]></loc></url>
  <url><loc>http://acme.test/faq?x=1&amp;y=2</loc></url>
  <url><loc>http://acme.test/</loc></url>
</urlset>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://acme.test/sitemap-pages.xml</loc></sitemap>
  <sitemap><loc>/sitemap-posts.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
</sitemapindex>
"""


def urlset(*locs: str) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0"?><urlset>{entries}</urlset>'.encode()


def index(*locs: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0"?><sitemapindex>{entries}</sitemapindex>'.encode()


def test_urlset() -> None:
    assert parse_sitemap(URLSET, BASE) == SitemapDoc(
        urls=(
            "http://acme.test/",
            "http://acme.test/pricing/",
            "http://acme.test/search?q=a&b=c",
            "http://acme.test/faq?x=1&y=2",
        )
    )


def test_sitemap_index() -> None:
    assert parse_sitemap(INDEX, BASE) == SitemapDoc(
        children=("http://acme.test/sitemap-pages.xml", "http://acme.test/sitemap-posts.xml.gz")
    )


def test_gzipped_sitemap() -> None:
    assert parse_sitemap(gzip.compress(URLSET), BASE) == parse_sitemap(URLSET, BASE)


def test_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(urlset("http://acme.test/first") + b" " * 20_000_000)
    assert len(gunzip_capped(bomb, 1_000_000)) == 1_000_000
    doc = parse_sitemap(bomb, BASE, max_bytes=1_000_000)
    assert doc.urls == ("http://acme.test/first",)


def test_truncated_gzip_keeps_what_inflated() -> None:
    data = gzip.compress(urlset(*(f"http://acme.test/p{i}" for i in range(500))))
    doc = parse_sitemap(data[: len(data) // 2], BASE)
    assert 0 < len(doc.urls) < 500
    assert doc.urls[0] == "http://acme.test/p0"


@pytest.mark.parametrize(
    ("data", "urls"),
    [
        (b"<urlset><url><loc>http://acme.test/a</loc><url><loc>http://acme.test/b</loc>",
         ("http://acme.test/a", "http://acme.test/b")),
        (b"<urlset><url><LOC>http://acme.test/a</LOC></url>garbage &nbsp; <url><loc>"
         b"http://acme.test/b</loc></url></urlset", ("http://acme.test/a", "http://acme.test/b")),
        (b"<sm:urlset xmlns:sm='http://www.sitemaps.org/schemas/sitemap/0.9'><sm:url><sm:loc>"
         b"http://acme.test/ns</sm:loc></sm:url></sm:urlset>", ("http://acme.test/ns",)),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "&#38;boom;">]><urlset><url><loc>'
         b"http://acme.test/&e;</loc></url></urlset>", ("http://acme.test/&e;",)),
        (b"<html><body><h1>Page not found</h1></body></html>", ()),
        (b"<urlset><url><loc></loc></url><url><loc>javascript:alert(1)</loc></url></urlset>", ()),
        (b"\xef\xbb\xbf<urlset><url><loc>http://acme.test/\xc3\xa9t\xc3\xa9</loc></url></urlset>",
         ("http://acme.test/été",)),
        (b"", ()),
    ],
)  # fmt: skip
def test_broken_xml_is_tolerated(data: bytes, urls: tuple[str, ...]) -> None:
    assert parse_sitemap(data, BASE).urls == urls


def test_text_sitemap() -> None:
    text = (
        b"http://acme.test/\r\n\n  https://acme.test/about  \nnot a url\n"
        b"acme.test/menu/\n/relative-is-not-allowed-in-text\n"
    )
    assert parse_sitemap(text, "https://acme.test/sitemap.txt").urls == (
        "http://acme.test/",
        "https://acme.test/about",
        "https://acme.test/menu/",
    )


@pytest.mark.parametrize(
    ("loc", "base", "expected"),
    [
        ("thebottleroom.test/menu/", "http://thebottleroom.test/sitemap.xml",
         "http://thebottleroom.test/menu/"),
        ("acme.test/menu/", "https://acme.test/sitemap.xml", "https://acme.test/menu/"),
        ("www.acme.test", BASE, "http://www.acme.test"),
        ("acme.test:8080/x", BASE, "http://acme.test:8080/x"),
        ("/about/", "https://acme.test/maps/sitemap.xml", "https://acme.test/about/"),
        ("team.html", "https://acme.test/maps/sitemap.xml", "https://acme.test/maps/team.html"),
        ("menu/", BASE, "http://acme.test/menu/"),
        ("//cdn.acme.test/x", "https://acme.test/s.xml", "https://cdn.acme.test/x"),
        ("https://acme.test/a b", BASE, "https://acme.test/a%20b"),
        ("mailto:info@acme.test", BASE, None),
        ("ftp://acme.test/file", BASE, None),
    ],
)  # fmt: skip
def test_loc_forms(loc: str, base: str, expected: str | None) -> None:
    doc = parse_sitemap(urlset(loc), base)
    assert doc.urls == (() if expected is None else (expected,))


# --- collect_sitemap_urls against the web server --------------------------------------------

XML = {"Content-Type": "application/xml"}


def collect(
    resolver: StaticResolver,
    roots: Sequence[str],
    options: CrawlOptions | None = None,
    host: str = "acme.test",
) -> list[str]:
    options = options or CrawlOptions(timeout=1, max_retries=0)

    async def go() -> list[str]:
        async with Fetcher(options, resolver=resolver) as fetcher:
            return await collect_sitemap_urls(
                fetcher, roots, options, allow=lambda url: f"//{host}/" in url
            )

    return asyncio.run(go())


def serve(web: WebServer, files: dict[str, bytes]) -> None:
    for path, body in files.items():
        web.add_route("acme.test", path, Response(200, XML, body))


def test_index_walk_in_document_order(web: WebServer, resolver: StaticResolver) -> None:
    serve(web, {
        "/sitemap.xml": INDEX,
        "/sitemap-pages.xml": urlset("http://acme.test/", "http://acme.test/pricing/"),
        "/sitemap-posts.xml.gz": gzip.compress(urlset("http://acme.test/blog/1",
                                                      "http://acme.test/pricing/")),
    })  # fmt: skip
    assert collect(resolver, ["http://acme.test/sitemap.xml"]) == [
        "http://acme.test/",
        "http://acme.test/pricing/",
        "http://acme.test/blog/1",
    ]


def test_broken_children_are_skipped(web: WebServer, resolver: StaticResolver) -> None:
    serve(web, {
        "/sitemap.xml": index("/missing.xml", "/error.xml", "http://other.test/s.xml",
                              "/moved.xml", "/ok.xml", "/sitemap.xml"),
        "/ok.xml": urlset("http://acme.test/ok"),
    })  # fmt: skip
    web.add_route("acme.test", "/error.xml", Response(500))
    web.add_route("acme.test", "/moved.xml", redirect("http://other.test/s.xml"))
    web.add_route("other.test", "/s.xml", Response(200, XML, urlset("http://other.test/x")))
    assert collect(resolver, ["http://acme.test/sitemap.xml"]) == ["http://acme.test/ok"]
    assert web.paths("other.test") == []
    assert web.count("/sitemap.xml") == 1


def test_bound_on_urls(web: WebServer, resolver: StaticResolver) -> None:
    serve(web, {
        "/sitemap.xml": index("/a.xml", "/b.xml"),
        "/a.xml": urlset(*(f"http://acme.test/a{i}" for i in range(4))),
        "/b.xml": urlset(*(f"http://acme.test/b{i}" for i in range(4))),
    })  # fmt: skip
    options = CrawlOptions(timeout=1, max_sitemap_urls=6)
    urls = collect(resolver, ["http://acme.test/sitemap.xml"], options)
    assert urls == [f"http://acme.test/a{i}" for i in range(4)] + [
        "http://acme.test/b0",
        "http://acme.test/b1",
    ]


def test_bound_on_depth(web: WebServer, resolver: StaticResolver) -> None:
    # level0 (depth 0) → level1 + page0 (depth 1) → level2 + page1 (depth 2) → ... not read
    files = {f"/level{i}.xml": index(f"/level{i + 1}.xml", f"/page{i}.xml") for i in range(6)}
    files.update({f"/page{i}.xml": urlset(f"http://acme.test/depth{i}") for i in range(6)})
    serve(web, files)
    options = CrawlOptions(timeout=1, max_sitemap_depth=2)
    assert collect(resolver, ["http://acme.test/level0.xml"], options) == [
        "http://acme.test/depth0",
        "http://acme.test/depth1",
    ]
    assert "/level3.xml" not in web.paths()


def test_bound_on_files(web: WebServer, resolver: StaticResolver) -> None:
    serve(web, {"/sitemap.xml": index(*(f"/s{i}.xml" for i in range(10)))})
    serve(web, {f"/s{i}.xml": urlset(f"http://acme.test/p{i}") for i in range(10)})
    options = CrawlOptions(timeout=1, max_sitemaps=4)
    urls = collect(resolver, ["http://acme.test/sitemap.xml"], options)
    assert urls == ["http://acme.test/p0", "http://acme.test/p1", "http://acme.test/p2"]
    assert len(web.requests) == 4


def test_bound_on_bytes(web: WebServer, resolver: StaticResolver) -> None:
    big = urlset(*(f"http://acme.test/big{i}" for i in range(1000)))
    serve(web, {"/big.xml": big, "/small.xml": urlset("http://acme.test/small")})
    options = CrawlOptions(timeout=1, max_sitemap_bytes=10_000)
    roots = ["http://acme.test/big.xml", "http://acme.test/small.xml"]
    assert collect(resolver, roots, options) == ["http://acme.test/small"]


def test_unreachable_roots_give_nothing(resolver: StaticResolver) -> None:
    assert collect(resolver, ["http://nowhere.test/sitemap.xml"], host="nowhere.test") == []
