"""robots.txt rules, and loading them from the local web server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.robots import RobotsPolicy, load_robots, product_token
from sitelore.models import DEFAULT_USER_AGENT, CrawlOptions
from tests.webserver import Pause, Response, StaticResolver, WebServer, redirect

ROBOTS = """\
User-agent: *
Disallow: /private/
Allow: /private/press-kit
Crawl-delay: 2

User-agent: sitelore
Disallow: /no-sitelore/
Disallow: /*.pdf$
Request-rate: 1/5s

User-agent: otherbot
Disallow: /

Sitemap: http://acme.test/sitemap.xml
Sitemap: http://acme.test/sitemap-news.xml
Sitemap: http://acme.test/sitemap.xml
"""


@pytest.mark.parametrize(
    ("user_agent", "path", "allowed"),
    [
        (DEFAULT_USER_AGENT, "/", True),
        (DEFAULT_USER_AGENT, "/no-sitelore/page", False),
        (DEFAULT_USER_AGENT, "/private/page", True),  # its own group replaces the * group
        (DEFAULT_USER_AGENT, "/files/menu.pdf", False),
        (DEFAULT_USER_AGENT, "/files/menu.pdf?x=1", True),
        ("SiteLore/2.0", "/no-sitelore/", False),
        ("randombot/1.0", "/private/page", False),
        ("randombot/1.0", "/private/press-kit", True),
        ("randombot/1.0", "/no-sitelore/page", True),
        ("otherbot/3.1 (+https://other.test)", "/anything", False),
        ("otherbot/3.1", "/robots.txt", True),
    ],
)
def test_rules_per_user_agent(user_agent: str, path: str, allowed: bool) -> None:
    policy = RobotsPolicy.parse(ROBOTS, user_agent)
    assert policy.can_fetch(f"http://acme.test{path}") is allowed


@pytest.mark.parametrize(
    ("text", "user_agent", "delay"),
    [
        (ROBOTS, "randombot/1.0", 2.0),
        (ROBOTS, DEFAULT_USER_AGENT, 5.0),  # Request-rate 1/5s
        ("User-agent: *\nCrawl-delay: 3\nRequest-rate: 1/1s\n", "bot/1", 3.0),
        ("User-agent: *\nCrawl-delay: 0.5\nRequest-rate: 2/10s\n", "bot/1", 5.0),
        ("User-agent: *\nDisallow: /x\n", "bot/1", None),
        ("User-agent: *\nCrawl-delay: soon\n", "bot/1", None),
        ("", "bot/1", None),
    ],
)
def test_crawl_delay(text: str, user_agent: str, delay: float | None) -> None:
    assert RobotsPolicy.parse(text, user_agent).crawl_delay == delay


def test_sitemaps_are_listed_once_in_order() -> None:
    policy = RobotsPolicy.parse(ROBOTS, DEFAULT_USER_AGENT)
    assert policy.sitemaps == ("http://acme.test/sitemap.xml", "http://acme.test/sitemap-news.xml")


def test_allow_all() -> None:
    policy = RobotsPolicy.allow_all()
    assert policy.can_fetch("http://acme.test/private/")
    assert (policy.crawl_delay, policy.sitemaps) == (None, ())


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [(DEFAULT_USER_AGENT, "sitelore"), ("mybot", "mybot"), ("  a/b/c", "a"), ("x y/1", "x")],
)
def test_product_token(user_agent: str, token: str) -> None:
    assert product_token(user_agent) == token


def load(resolver: StaticResolver, origin: str = "http://acme.test") -> RobotsPolicy:
    async def go() -> RobotsPolicy:
        async with Fetcher(CrawlOptions(timeout=1, max_retries=0), resolver=resolver) as fetcher:
            return await load_robots(fetcher, origin, allow=lambda url: "acme.test" in url)

    return asyncio.run(go())


def test_load_from_a_folder_site(web: WebServer, resolver: StaticResolver, sites: Path) -> None:
    web.add_site("acme.test", sites / "tiny")
    policy = load(resolver, "http://acme.test/")
    assert not policy.can_fetch("http://acme.test/private/x")
    assert policy.can_fetch("http://acme.test/about/")
    assert policy.sitemaps == ("http://tiny.test/sitemap.xml",)
    assert web.paths() == ["/robots.txt"]


def test_robots_redirect_within_the_site_is_followed(
    web: WebServer, resolver: StaticResolver
) -> None:
    web.add_route("acme.test", "/robots.txt", redirect("http://www.acme.test/robots.txt"))
    web.add_route(
        "www.acme.test", "/robots.txt", Response(200, {}, b"User-agent: *\nDisallow: /\n")
    )
    assert not load(resolver).can_fetch("http://acme.test/page")


@pytest.mark.parametrize(
    "response",
    [
        Response(404, {}, b"not here"),
        Response(410),
        Response(403),
        Response(500),
        Response(503, {"Retry-After": "0"}),
        Response(200, {}, [b"User-agent: *\nDisallow: /\n", Pause(5)]),  # never finishes
        Response(200, {"Content-Length": str(10**7)}, [b"User-agent: *\nDisallow: /\n"]),
        redirect("http://elsewhere.test/robots.txt"),
    ],
)
def test_unusable_robots_allows_everything(
    web: WebServer, resolver: StaticResolver, response: Response
) -> None:
    web.add_route("acme.test", "/robots.txt", response)
    web.add_route("elsewhere.test", "/robots.txt", Response(200, {}, b"User-agent: *\nDisallow: /"))
    policy = load(resolver)
    assert policy.can_fetch("http://acme.test/anything")
    assert web.paths("elsewhere.test") == []


def test_unreachable_host_allows_everything(resolver: StaticResolver) -> None:
    assert load(resolver, "http://unknown.test").can_fetch("http://unknown.test/x")


def test_robots_body_with_bom_and_odd_bytes(web: WebServer, resolver: StaticResolver) -> None:
    body = b"\xef\xbb\xbfUser-agent: *\nDisallow: /caf\xe9/\nDisallow: /secret\n"
    web.add_route("acme.test", "/robots.txt", Response(200, {"Content-Type": "text/plain"}, body))
    policy = load(resolver)
    assert not policy.can_fetch("http://acme.test/secret")
