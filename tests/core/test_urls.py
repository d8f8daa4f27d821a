"""URL normalisation, the page key, registrable domains and the site scope."""

from __future__ import annotations

import pytest

from sitelore.core.urls import (
    SiteScope,
    host_syntax_problem,
    normalize_url,
    registrable_domain,
    site_host,
    url_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "HTTP://Example.COM/About", "http://example.com/About", id="scheme-host-lower"
        ),
        pytest.param("https://example.com", "https://example.com/", id="empty-path-is-root"),
        pytest.param("http://example.com:80/a", "http://example.com/a", id="default-http-port"),
        pytest.param("https://example.com:443/a", "https://example.com/a", id="default-https-port"),
        pytest.param(
            "https://example.com:8443/a", "https://example.com:8443/a", id="other-port-kept"
        ),
        pytest.param("https://example.com/a#team", "https://example.com/a", id="fragment-dropped"),
        pytest.param(
            "https://example.com/docs/index.html", "https://example.com/docs/", id="index-html"
        ),
        pytest.param(
            "https://example.com/index.php?x=1", "https://example.com/?x=1", id="index-php"
        ),
        pytest.param(
            "https://example.com/p?utm_source=news&utm_medium=mail&id=7",
            "https://example.com/p?id=7",
            id="utm-params-dropped",
        ),
        pytest.param(
            "https://example.com/p?gclid=abc", "https://example.com/p", id="gclid-dropped"
        ),
        pytest.param(
            "https://example.com/p?fbclid=abc&x=1", "https://example.com/p?x=1", id="fbclid"
        ),
        pytest.param(
            "https://example.com/p?UTM_Campaign=x", "https://example.com/p", id="utm-any-case"
        ),
        pytest.param(
            "https://example.com/p?b=2&a=1", "https://example.com/p?a=1&b=2", id="query-sorted"
        ),
        pytest.param(
            "https://example.com/p?ref=home", "https://example.com/p?ref=home", id="ref-kept"
        ),
        pytest.param("https://example.com/p?", "https://example.com/p", id="empty-query"),
        pytest.param("https://user:secret@example.com/x", "https://example.com/x", id="userinfo"),
        pytest.param(
            "https://example.com/a/../b/./c", "https://example.com/b/c", id="dot-segments"
        ),
        pytest.param("https://example.com//a//b", "https://example.com/a/b", id="double-slashes"),
        pytest.param(
            "https://example.com/team/", "https://example.com/team/", id="trailing-slash-kept"
        ),
        pytest.param("https://example.com/Team", "https://example.com/Team", id="path-case-kept"),
        pytest.param(
            "https://example.com/%7Eann", "https://example.com/~ann", id="unreserved-decoded"
        ),
        pytest.param("https://example.com/%41bc", "https://example.com/Abc", id="letter-decoded"),
        pytest.param(
            "https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9", id="escape-case"
        ),
        pytest.param("https://example.com/a%3fb", "https://example.com/a%3Fb", id="reserved-kept"),
        pytest.param("https://example.com/a b", "https://example.com/a%20b", id="space-encoded"),
        pytest.param(
            "https://example.com/über", "https://example.com/%C3%BCber", id="utf8-encoded"
        ),
        pytest.param("https://example.com./x", "https://example.com/x", id="trailing-dot-host"),
        pytest.param("  https://example.com/x \n", "https://example.com/x", id="whitespace"),
        pytest.param("http://[::1]:8080/x", "http://[::1]:8080/x", id="ipv6"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("mailto:team@example.com", id="mailto"),
        pytest.param("tel:+15550100", id="tel"),
        pytest.param("javascript:void(0)", id="javascript"),
        pytest.param("ftp://example.com/file", id="ftp"),
        pytest.param("data:text/html,hello", id="data"),
        pytest.param("https://exa mple.com/", id="space-in-host"),
        pytest.param("https://example.com:99999/", id="port-out-of-range"),
        pytest.param("http://[::1/", id="broken-ipv6"),
        pytest.param("https:///path-only", id="no-host"),
        pytest.param("", id="empty"),
    ],
)
def test_normalize_url_rejects_what_is_not_a_web_page(raw: str) -> None:
    assert normalize_url(raw) is None


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        pytest.param(
            "../pricing",
            "https://acme.test/docs/intro/",
            "https://acme.test/docs/pricing",
            id="parent",
        ),
        pytest.param(
            "/about", "https://www.acme.test/a/b", "https://www.acme.test/about", id="root-relative"
        ),
        pytest.param(
            "team", "https://acme.test/about/", "https://acme.test/about/team", id="child"
        ),
        pytest.param("team", "https://acme.test/about", "https://acme.test/team", id="sibling"),
        pytest.param(
            "//cdn.acme.test/x.png",
            "https://acme.test/",
            "https://cdn.acme.test/x.png",
            id="scheme-relative",
        ),
        pytest.param(
            "?page=2", "https://acme.test/blog/", "https://acme.test/blog/?page=2", id="query-only"
        ),
        pytest.param("#top", "https://acme.test/blog/", "https://acme.test/blog/", id="fragment"),
        pytest.param(
            "https://other.test/x", "https://acme.test/", "https://other.test/x", id="absolute"
        ),
        pytest.param("mailto:a@acme.test", "https://acme.test/", None, id="mailto-relative"),
    ],
)
def test_normalize_url_resolves_relative_links(href: str, base: str, expected: str | None) -> None:
    assert normalize_url(href, base) == expected


def test_normalize_url_is_idempotent() -> None:
    once = normalize_url("HTTPS://WWW.Acme.test:443/a/./b/index.html?z=1&utm_source=x&a=2#f")
    assert once == "https://www.acme.test/a/b/?a=2&z=1"
    assert normalize_url(once) == once


def test_normalize_url_keeps_an_encoded_percent_sign() -> None:
    assert (
        normalize_url("https://example.com/100%25-organic") == "https://example.com/100%25-organic"
    )


def test_normalize_url_keeps_an_encoded_slash() -> None:
    assert normalize_url("https://example.com/files/a%2Fb") == "https://example.com/files/a%2Fb"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("https://www.acme.test/pricing", "https://acme.test/pricing", id="www-bare"),
        pytest.param("http://acme.test/pricing", "https://acme.test/pricing", id="http-https"),
        pytest.param(
            "https://acme.test/pricing/", "https://acme.test/pricing", id="trailing-slash"
        ),
        pytest.param("https://WWW.acme.test/", "https://acme.test", id="root"),
    ],
)
def test_url_key_is_equal_for_spellings_of_one_page(a: str, b: str) -> None:
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("https://acme.test/pricing", "https://acme.test/plans", id="other-path"),
        pytest.param("https://acme.test/p?id=1", "https://acme.test/p?id=2", id="other-query"),
        pytest.param("https://acme.test/x", "https://docs.acme.test/x", id="other-subdomain"),
        pytest.param("https://acme.test/x", "https://acme.test:8080/x", id="other-port"),
    ],
)
def test_url_key_tells_different_pages_apart(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param("www.shop.acme.co.uk", "acme.co.uk", id="co-uk"),
        pytest.param("acme.co.uk", "acme.co.uk", id="co-uk-bare"),
        pytest.param("a.b.example.com", "example.com", id="deep-subdomain"),
        pytest.param("www.acme.test", "acme.test", id="unknown-tld"),
        pytest.param("docs.acme.test", "acme.test", id="unknown-tld-subdomain"),
        pytest.param("Example.COM.", "example.com", id="case-and-dot"),
        pytest.param("127.0.0.1", "127.0.0.1", id="ipv4"),
        pytest.param("::1", "::1", id="ipv6"),
        pytest.param("localhost", "localhost", id="single-label"),
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param("www.acme.test", "acme.test", id="www"),
        pytest.param("WWW.Acme.test.", "acme.test", id="case-dot"),
        pytest.param("docs.acme.test", "docs.acme.test", id="other-subdomain"),
        pytest.param("wwwacme.test", "wwwacme.test", id="www-without-dot"),
    ],
)
def test_site_host(host: str, expected: str) -> None:
    assert site_host(host) == expected


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        pytest.param("https://acme.test/x", True, id="bare-domain"),
        pytest.param("http://www.acme.test/x", True, id="www-other-scheme"),
        pytest.param("https://docs.acme.test/", True, id="subdomain"),
        pytest.param("https://ACME.TEST./a", True, id="case-and-dot"),
        pytest.param("https://acme.test:443/", True, id="explicit-default-port"),
        pytest.param("https://acme.test:8443/", False, id="other-port"),
        pytest.param("https://notacme.test/", False, id="suffix-lookalike"),
        pytest.param("https://acme.test.evil.example/", False, id="prefix-lookalike"),
        pytest.param("https://other.test/", False, id="other-domain"),
        pytest.param("mailto:team@acme.test", False, id="mailto"),
        pytest.param("ftp://acme.test/file", False, id="ftp"),
        pytest.param("https://acme.test:bad/", False, id="broken-port"),
    ],
)
def test_site_scope_contains(url: str, inside: bool) -> None:
    assert SiteScope("https://www.acme.test/start").contains(url) is inside


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        pytest.param("http://127.0.0.1:8080/about", True, id="same-port"),
        pytest.param("https://127.0.0.1:8080/about", True, id="same-port-other-scheme"),
        pytest.param("http://127.0.0.1:8081/about", False, id="other-port"),
        pytest.param("http://127.0.0.1/about", False, id="default-port"),
        pytest.param("http://127.0.0.2:8080/about", False, id="other-ip"),
    ],
)
def test_site_scope_of_an_ip_address_with_a_port(url: str, inside: bool) -> None:
    assert SiteScope("http://127.0.0.1:8080/").contains(url) is inside


def test_site_scope_under_a_two_label_public_suffix() -> None:
    scope = SiteScope("https://shop.acme.co.uk/")
    assert scope.domain == "acme.co.uk"
    assert scope.contains("https://www.acme.co.uk/contact")
    assert not scope.contains("https://other.co.uk/")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param("crumb.myshopify.com", "crumb.myshopify.com", id="shop-platform"),
        pytest.param("www.alice.github.io", "alice.github.io", id="pages-host"),
        pytest.param("crumb-bakery.netlify.app", "crumb-bakery.netlify.app", id="static-host"),
    ],
)
def test_registrable_domain_under_a_hosting_platform_suffix(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


def test_site_scope_does_not_cross_into_another_tenant_of_a_platform() -> None:
    assert not SiteScope("https://alice.github.io/").contains("https://bob.github.io/")


# -- hosts a request can be sent to ------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("example.com", id="name"),
        pytest.param("Example.COM.", id="upper-case-trailing-dot"),
        pytest.param("localhost", id="single-label"),
        pytest.param("a" * 63 + ".com", id="label-of-63"),
        pytest.param(".".join(["a" * 63] * 3 + ["a" * 61]), id="name-of-253"),
        pytest.param("my_host.example.com", id="underscore"),
        pytest.param("café.example", id="unicode"),
        pytest.param("xn--caf-dma.example", id="a-label"),
        pytest.param("XN--CAF-DMA.example", id="a-label-upper-case"),
        pytest.param("93.184.216.34", id="ipv4"),
        pytest.param("2130706433", id="ipv4-as-one-number"),
        pytest.param("2001:db8::1", id="ipv6"),
    ],
)
def test_host_problem_accepts_what_a_request_can_reach(host: str) -> None:
    assert host_syntax_problem(host) is None


@pytest.mark.parametrize(
    ("host", "words"),
    [
        pytest.param("", "no host name", id="empty"),
        pytest.param("xn--", "not a valid internationalised domain name", id="empty-a-label"),
        pytest.param("xn--zz", "Invalid A-label", id="bad-a-label"),
        pytest.param("shop.xn--zz.example", "Invalid A-label", id="bad-a-label-inside"),
        pytest.param("xn--caf-dma.a_b.example", "U+005F", id="a-label-beside-underscore"),
        pytest.param("☃.example", "U+2603", id="symbol"),
        pytest.param("ａcme.example", "U+FF41", id="full-width"),
        pytest.param("é" * 64 + ".example", "Label too long", id="unicode-label-too-long"),
        pytest.param("a" * 64 + ".com", "label of 64 characters, more than 63", id="label-64"),
        pytest.param(".".join(["a" * 63] * 4), "255 characters long, more than 253", id="name"),
        pytest.param("a..example", "empty label", id="two-dots"),
        pytest.param(".example", "empty label", id="leading-dot"),
        pytest.param("ex ample.com", "only letters, digits", id="space"),
        pytest.param("ex%41mple.com", "only letters, digits", id="percent"),
        pytest.param("ex*mple.com", "only letters, digits", id="star"),
        pytest.param("1.2.3.999", "not a valid IPv4 address", id="ipv4-out-of-range"),
    ],
)
def test_host_problem_says_what_stops_a_request(host: str, words: str) -> None:
    problem = host_syntax_problem(host)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    "url", ["http://xn--/", "https://" + "a" * 64 + ".com/", "http://ex%41mple.com/"]
)
def test_a_url_no_request_can_reach_is_not_normalised(url: str) -> None:
    assert normalize_url(url) is None


@pytest.mark.parametrize(
    ("url", "normalized", "key"),
    [
        ("http://a.test/#/pricing", "http://a.test/#/pricing", "a.test/#/pricing"),
        ("http://a.test/#!/team", "http://a.test/#!/team", "a.test/#!/team"),
        ("http://a.test/faq#pricing", "http://a.test/faq", "a.test/faq"),  # a place in a page
        ("http://a.test/#", "http://a.test/", "a.test/"),
    ],
)
def test_hash_routes_are_kept_and_are_pages(url: str, normalized: str, key: str) -> None:
    assert normalize_url(url) == normalized
    assert url_key(normalized) == key
