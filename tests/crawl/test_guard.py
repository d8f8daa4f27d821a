"""The network guard at the choke point: hostile DNS answers, redirects, rebinding, proxies.

Hostile addresses only ever come from :class:`~tests.guardkit.ScriptedResolver`, behind the
guard under test and in front of :class:`~tests.guardkit.LoopbackOnly`, so nothing but
127.0.0.1 can be connected to even if the guard is broken. Tests of the production wiring
(the fetcher, the pipeline wrapping their resolver in the guard) use loopback answers only.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.transport import BlockedAddress, GuardedResolver, Resolver
from sitelore.errors import Blocked, ExtractionFailed, OffSiteRedirect
from sitelore.models import CrawlOptions, ExtractRequest, PageScraped
from sitelore.pipeline import extract_site
from tests.guardkit import HOSTILE_ADDRESSES, ScriptedResolver, guarded
from tests.sitekit import links_page, page_html, prose, route_site
from tests.webserver import Response, StaticResolver, WebServer, html, redirect

DEFAULT = NetworkPolicy()
# The test web server plays the public internet: 127.0.0.1 (only) is opened for it.
SITE_OPEN = NetworkPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
OPTIONS = CrawlOptions(timeout=2, trust_env=False, max_retries=0, max_crawl_delay=0.1)
PRIVATE = "Blocked: 10.0.0.5 is a private address"
METADATA = "Blocked: 169.254.169.254 is a cloud metadata address"
IDS = [ip for ip, _ in HOSTILE_ADDRESSES]


def fetch(
    resolver: Resolver, url: str, policy: NetworkPolicy | None, options: CrawlOptions = OPTIONS
) -> str:
    """Fetch ``url`` as a page, leaving every redirect to the guard; the final URL."""

    async def go() -> str:
        async with Fetcher(options, resolver=resolver, policy=policy) as fetcher:
            page = await fetcher.fetch_page(url, allow=lambda _url: True)
            return page.final_url

    return asyncio.run(go())


# --- the guard itself, through the resolver seam -------------------------------------------


@pytest.mark.parametrize(("ip", "reason"), HOSTILE_ADDRESSES, ids=IDS)
def test_the_guard_refuses_every_hostile_answer(web: WebServer, ip: str, reason: str) -> None:
    scripted = ScriptedResolver(web, {"evil.test": [[ip]]})
    with pytest.raises(BlockedAddress) as refused:
        asyncio.run(GuardedResolver(scripted, DEFAULT).resolve("evil.test", 80))
    assert str(refused.value) == f"Blocked: {ipaddress.ip_address(ip)} is {reason}"
    assert scripted.lookups == [("evil.test", 80)]


@pytest.mark.parametrize(("ip", "reason"), HOSTILE_ADDRESSES, ids=IDS)
def test_a_name_answering_a_hostile_address_is_never_connected(
    web: WebServer, ip: str, reason: str
) -> None:
    web.add_route("evil.test", "/", html("<p>must never be served</p>"))
    scripted, net = guarded(web, {"evil.test": [[ip]]}, DEFAULT)
    with pytest.raises(Blocked) as refused:
        fetch(net, "http://evil.test/", DEFAULT)
    assert str(refused.value) == f"Blocked: {ipaddress.ip_address(ip)} is {reason}"
    assert refused.value.url == "http://evil.test/"
    assert scripted.lookups == [("evil.test", 80)]
    assert net.passed == [] and web.requests == ()


@pytest.mark.parametrize(
    "answer",
    [["127.0.0.1", "10.0.0.5"], ["10.0.0.5", "127.0.0.1"], ["127.0.0.1", "169.254.169.254"]],
    ids=["allowed-first", "hostile-first", "metadata-second"],
)
def test_one_hostile_address_in_an_answer_refuses_the_whole_answer(
    web: WebServer, answer: list[str]
) -> None:
    web.add_route("mixed.test", "/", html("<p>must never be served</p>"))
    _, net = guarded(web, {"mixed.test": [answer]}, SITE_OPEN)
    with pytest.raises(Blocked, match=r"^Blocked: (10\.0\.0\.5|169\.254\.169\.254) is "):
        fetch(net, "http://mixed.test/", SITE_OPEN)
    assert net.passed == [] and web.requests == ()


def test_dns_rebinding_cannot_slip_through(web: WebServer) -> None:
    """First answer allowed, second private: each connection resolves once, checked, and the
    connector gets the checked addresses, never the name."""
    closing = Response(200, {"Content-Type": "text/html", "Connection": "close"}, b"<p>hi</p>")
    web.add_route("rebind.test", "/", closing)
    script = {"rebind.test": [["127.0.0.1"], ["10.0.0.5"], ["169.254.169.254"]]}
    scripted, net = guarded(web, script, SITE_OPEN)
    assert fetch(net, "http://rebind.test/", SITE_OPEN) == "http://rebind.test/"
    for reason in (PRIVATE, "Blocked: 169.254.169.254 is a cloud metadata address"):
        with pytest.raises(Blocked, match=f"^{reason}$"):
            fetch(net, "http://rebind.test/", SITE_OPEN)
    assert scripted.lookups == [("rebind.test", 80)] * 3  # once per connection
    assert net.passed == [("127.0.0.1", web.port)]
    assert len(web.requests) == 1


# --- redirects: every hop is judged --------------------------------------------------------

HOSTILE_NAMES: Mapping[str, Sequence[Sequence[str]]] = {
    "evil.test": [["10.0.0.5"]],
    "metadata.test": [["169.254.169.254"]],
    "mapped.test": [["::ffff:10.0.0.5"]],
    "nat64.test": [["64:ff9b::a00:5"]],
    "ula.test": [["fd00::1"]],
    "cgnat.test": [["100.64.0.1"]],
    "zero.test": [["0.0.0.0"]],
    "multicast.test": [["224.0.0.1"]],
    "internal.site.test": [["10.0.0.5"]],
}

REDIRECTS = [
    ("http://10.0.0.5/", PRIVATE),
    ("http://167772165/", PRIVATE),
    ("http://012.0.0.5/admin", PRIVATE),
    ("http://user@10.0.0.5/", PRIVATE),
    ("http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/", METADATA),
    ("http://[::ffff:a9fe:a9fe]/", "Blocked: ::ffff:a9fe:a9fe is a cloud metadata address"
     " (it embeds 169.254.169.254)"),
    ("http://[fd00:ec2::254]/", "Blocked: fd00:ec2::254 is a cloud metadata address"),
    ("http://127.0.0.2/", "Blocked: 127.0.0.2 is a loopback address"),
    ("http://[::1]/", "Blocked: ::1 is a loopback address"),
    ("http://site.test:6379/", "Blocked: port 6379 is not allowed (allowed: 80, 443, 8000-8999)"),
    ("http://site.test:22/", "Blocked: port 22 is not allowed (allowed: 80, 443, 8000-8999)"),
    ("http://evil.test/", PRIVATE),
    ("https://evil.test/", PRIVATE),
    ("http://internal.site.test/", PRIVATE),
    ("http://metadata.test/", METADATA),
    ("http://mapped.test/", "Blocked: ::ffff:a00:5 is a private address (it embeds 10.0.0.5)"),
    ("http://nat64.test/", "Blocked: 64:ff9b::a00:5 is a private address (it embeds 10.0.0.5)"),
    ("http://ula.test/", "Blocked: fd00::1 is a unique-local address"),
    ("http://cgnat.test/", "Blocked: 100.64.0.1 is a carrier-grade NAT address"),
    ("http://zero.test/", "Blocked: 0.0.0.0 is an unspecified address"),
    ("http://multicast.test/", "Blocked: 224.0.0.1 is a multicast address"),
]  # fmt: skip


@pytest.mark.parametrize(("target", "message"), REDIRECTS, ids=[t for t, _ in REDIRECTS])
def test_a_redirect_to_a_hostile_target_is_blocked(
    web: WebServer, target: str, message: str
) -> None:
    web.add_route("site.test", "/hop", redirect(target, 302))
    web.add_route("site.test", "/second", redirect("/hop", 307))
    _, net = guarded(web, HOSTILE_NAMES, SITE_OPEN)
    with pytest.raises(Blocked) as refused:
        fetch(net, "http://site.test/second", SITE_OPEN)
    assert str(refused.value) == message
    served = [(r.host, r.path) for r in web.requests]
    assert served == [("site.test", "/second"), ("site.test", "/hop")]
    assert {address for address, _ in net.passed} == {"127.0.0.1"}


def test_a_redirect_out_of_the_web_is_refused_too(web: WebServer) -> None:
    web.add_route("site.test", "/hop", redirect("gopher://127.0.0.1:6379/_FLUSHALL", 302))
    _, net = guarded(web, {}, SITE_OPEN)
    with pytest.raises(OffSiteRedirect, match="leaves the web"):
        fetch(net, "http://site.test/hop", SITE_OPEN)
    assert len(web.requests) == 1


def test_a_resource_redirect_is_judged_like_a_page_redirect(web: WebServer) -> None:
    web.add_route("site.test", "/robots.txt", redirect("http://internal.site.test/robots.txt"))
    scripted, net = guarded(web, HOSTILE_NAMES, SITE_OPEN)

    async def go() -> None:
        async with Fetcher(OPTIONS, resolver=net, policy=SITE_OPEN) as fetcher:
            await fetcher.fetch_resource(
                "http://site.test/robots.txt", allow=lambda _url: True, max_bytes=1000
            )

    with pytest.raises(Blocked, match=f"^{PRIVATE}$"):
        asyncio.run(go())
    assert ("internal.site.test", 80) in scripted.lookups
    assert len(web.requests) == 1


# --- the crawl: robots.txt, sitemaps, discovered pages -------------------------------------


def test_blocked_pages_fail_alone_and_the_crawl_goes_on(web: WebServer) -> None:
    robots = "User-agent: *\nAllow: /\nSitemap: http://internal.site.test/sitemap.xml\n"
    pages: dict[str, str | Response] = {
        "/": links_page("/a/", "/b/", "/c/", "http://internal.site.test/d/"),
        "/a/": redirect("http://10.0.0.5/", 302),
        "/b/": redirect("http://internal.site.test/b/", 302),
        "/c/": page_html("Pricing", prose("Pricing of the Site company")),
    }
    route_site(web, "site.test", pages, robots)
    scripted, net = guarded(web, HOSTILE_NAMES, SITE_OPEN)
    events: list[object] = []
    request = ExtractRequest("http://site.test/", max_pages=10)
    result = asyncio.run(
        extract_site(request, events.append, options=OPTIONS, resolver=net, policy=SITE_OPEN)
    )
    assert result.pages_scraped == 2
    failed = {e.url: e.error for e in events if isinstance(e, PageScraped) and e.error}
    assert failed == {
        "http://site.test/a/": PRIVATE,
        "http://site.test/b/": PRIVATE,
        "http://internal.site.test/d/": PRIVATE,
    }
    # robots.txt of the internal host, its sitemap and its page were all asked for, refused.
    assert scripted.lookups and {host for host, _ in scripted.lookups} == {"internal.site.test"}
    assert {r.host for r in web.requests} == {"site.test"}
    assert {address for address, _ in net.passed} == {"127.0.0.1"}


def test_a_start_host_resolving_to_a_private_address_fails_the_job(web: WebServer) -> None:
    scripted, net = guarded(web, {"evil.site.test": [["10.0.0.5"]]}, SITE_OPEN)
    request = ExtractRequest("http://evil.site.test/")
    with pytest.raises(ExtractionFailed, match=f"^Failed to scrape URL: {PRIVATE}$"):
        asyncio.run(extract_site(request, options=OPTIONS, resolver=net, policy=SITE_OPEN))
    assert scripted.lookups == [("evil.site.test", 80)] * 3  # robots.txt, sitemap, the page
    assert net.passed == [] and web.requests == ()


# --- the production wiring, with loopback answers only -------------------------------------


def test_the_fetcher_guards_its_own_resolver(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route("acme.test", "/", html("<p>must never be served</p>"))
    with pytest.raises(Blocked, match=r"^Blocked: 127\.0\.0\.1 is a loopback address$"):
        fetch(resolver, "http://acme.test/", DEFAULT)
    assert resolver.lookups == [("acme.test", 80)]
    assert web.requests == ()


def test_without_a_policy_nothing_is_guarded(web: WebServer, resolver: StaticResolver) -> None:
    web.add_route("acme.test", "/", html("<p>served</p>"))
    assert fetch(resolver, "http://acme.test/", None) == "http://acme.test/"


def test_the_pipeline_guards_robots_and_the_start_page(
    web: WebServer, resolver: StaticResolver
) -> None:
    route_site(web, "acme.test", {"/": page_html("Home", prose("Acme"))})
    request = ExtractRequest("http://acme.test/")
    with pytest.raises(ExtractionFailed, match=r"Blocked: 127\.0\.0\.1 is a loopback address$"):
        asyncio.run(extract_site(request, options=OPTIONS, resolver=resolver, policy=DEFAULT))
    assert resolver.lookups == [("acme.test", 80)] * 3  # robots.txt, sitemap, the page
    assert web.requests == ()


# --- an operator's proxy -------------------------------------------------------------------


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.mark.parametrize("source", ["options", "environment"])
def test_the_proxy_is_reachable_wherever_it_is_but_literals_are_still_judged(
    web: WebServer, resolver: StaticResolver, no_proxy_env: pytest.MonkeyPatch, source: str
) -> None:
    web.add_route("mover.test", "/", html("<p>proxied</p>"))
    web.add_host("proxy.test")  # resolves to 127.0.0.1: refused unless it is the proxy
    proxy = "http://proxy.test:8765"
    options = replace(OPTIONS, proxy=proxy)
    if source == "environment":
        no_proxy_env.setenv("HTTP_PROXY", proxy)
        options = replace(OPTIONS, trust_env=True)
    assert fetch(resolver, "http://mover.test/", DEFAULT, options) == "http://mover.test/"
    for url, reason in [
        ("http://10.0.0.5/", "10.0.0.5 is a private address"),
        ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
        ("http://mover.test:6379/", "port 6379 is not allowed"),
    ]:
        with pytest.raises(Blocked, match=f"^Blocked: {reason}"):
            fetch(resolver, url, DEFAULT, options)
    assert [(r.host, r.absolute_form) for r in web.requests] == [("mover.test", True)]
    assert {host for host, _ in resolver.lookups} == {"proxy.test"}


def test_a_proxy_host_is_no_exemption_for_other_names(
    web: WebServer, resolver: StaticResolver
) -> None:
    web.add_host("proxy.test")
    guard = GuardedResolver(resolver, DEFAULT, frozenset({"proxy.test"}))
    assert asyncio.run(guard.resolve("PROXY.test.", 3128)) == [("127.0.0.1", web.port)]
    web.add_host("other.test")
    with pytest.raises(BlockedAddress, match=r"^Blocked: 127\.0\.0\.1 is a loopback address$"):
        asyncio.run(guard.resolve("other.test", 80))
    with pytest.raises(BlockedAddress, match="port 3128 is not allowed"):
        asyncio.run(guard.resolve("other.test", 3128))
