"""Validation of the extraction request: API.md's request table, one message per rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sitelore.core.request import validate_request
from sitelore.errors import InvalidRequest
from sitelore.models import ExtractRequest

START = ExtractRequest(url="https://acme.test/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://acme.test", "https://acme.test/", id="https"),
        pytest.param("http://acme.test/about", "http://acme.test/about", id="http"),
        pytest.param(
            "HTTPS://ACME.test/Pricing#plans", "https://acme.test/Pricing", id="normalised"
        ),
        pytest.param("  https://acme.test/  ", "https://acme.test/", id="whitespace"),
    ],
)
def test_valid_url_is_normalised(url: str, expected: str) -> None:
    assert validate_request(ExtractRequest(url=url)).url == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        pytest.param("", "required", id="empty"),
        pytest.param("   ", "required", id="blank"),
        pytest.param("ftp://acme.test/", "must start with http:// or https://", id="ftp"),
        pytest.param("javascript:alert(1)", "must start with http://", id="javascript"),
        pytest.param("tel:+1.555.0100", "must start with http://", id="tel"),
        pytest.param("localhost", "must start with http://", id="no-dot-no-scheme"),
        # The API never guesses a scheme (the command line does, saying so).
        pytest.param("acme.test/pricing", "must start with http://", id="no-scheme"),
        pytest.param("www.acme.test", "must start with http://", id="no-scheme-www"),
        pytest.param("127.0.0.1:8801", "must start with http://", id="no-scheme-host-port"),
        pytest.param("http:acme.test", "must start with http://", id="no-slashes"),
        pytest.param("http://a.test:99999/", "port must be a number from 1", id="bad-port"),
        pytest.param("https://acme.test/" + "a" * 2100, "longer than", id="too-long"),
    ],
)
def test_invalid_url_names_the_field(url: str, words: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request(ExtractRequest(url=url))
    assert caught.value.field == "url"
    assert str(caught.value).startswith("url ")
    assert words in str(caught.value)


def test_url_with_user_info_is_rejected() -> None:
    with pytest.raises(InvalidRequest, match="user name or password") as caught:
        validate_request(ExtractRequest(url="https://user:secret@acme.test/"))
    assert caught.value.field == "url"


def test_mailto_url_is_rejected() -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request(ExtractRequest(url="mailto:info@acme.test"))
    assert caught.value.field == "url"


@pytest.mark.parametrize(
    ("max_pages", "cap", "ok"),
    [
        pytest.param(1, 50, True, id="lowest"),
        pytest.param(10, 50, True, id="default"),
        pytest.param(50, 50, True, id="at-cap"),
        pytest.param(0, 50, False, id="zero"),
        pytest.param(-3, 50, False, id="negative"),
        pytest.param(51, 50, False, id="over-cap"),
        pytest.param(80, 100, True, id="raised-cap"),
        pytest.param(101, 100, False, id="over-raised-cap"),
    ],
)
def test_max_pages_range(max_pages: int, cap: int, ok: bool) -> None:
    request = replace(START, max_pages=max_pages)
    if ok:
        assert validate_request(request, max_pages_cap=cap).max_pages == max_pages
        return
    with pytest.raises(InvalidRequest) as caught:
        validate_request(request, max_pages_cap=cap)
    assert caught.value.field == "maxPages"
    assert str(caught.value) == f"maxPages must be between 1 and {cap}"


def test_urls_are_normalised_and_deduplicated_and_may_use_any_subdomain() -> None:
    request = replace(
        START,
        max_pages=4,
        urls=(
            "https://acme.test/pricing#plans",
            "https://acme.test/pricing",
            "http://www.acme.test/about",
            "https://docs.acme.test/start",
        ),
    )
    assert validate_request(request).urls == (
        "https://acme.test/pricing",
        "http://www.acme.test/about",
        "https://docs.acme.test/start",
    )


@pytest.mark.parametrize(
    ("urls", "max_pages", "words"),
    [
        pytest.param(
            ("https://acme.test/a", "https://acme.test/b", "https://acme.test/c"),
            2,
            "more than maxPages (2)",
            id="more-than-max-pages",
        ),
        pytest.param(("https://other.test/a",), 10, "not on the same site", id="off-site"),
        pytest.param(
            ("https://acme.test.evil.example/",), 10, "not on the same site", id="lookalike"
        ),
        pytest.param(("ftp://acme.test/file",), 10, "must start with http://", id="scheme"),
        pytest.param(("acme.test/file",), 10, "must start with http://", id="no-scheme"),
        pytest.param((), 10, "at least one", id="empty-list"),
    ],
)
def test_bad_urls_name_the_field(urls: tuple[str, ...], max_pages: int, words: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request(replace(START, urls=urls, max_pages=max_pages))
    assert caught.value.field == "urls"
    assert "urls" in str(caught.value)
    assert words in str(caught.value)


def test_off_site_url_is_named_in_the_message() -> None:
    with pytest.raises(InvalidRequest, match=r"https://other\.test/a"):
        validate_request(replace(START, urls=("https://acme.test/ok", "https://other.test/a")))


@pytest.mark.parametrize(
    ("field", "patterns", "words"),
    [
        pytest.param(
            "includePatterns", ("/blog/**", "/docs**"), "whole path segment", id="include"
        ),
        pytest.param("excludePatterns", ("/a b",), "without spaces", id="exclude"),
        pytest.param("includePatterns", tuple(f"/p{i}" for i in range(101)), "at most", id="count"),
    ],
)
def test_bad_patterns_name_their_field(field: str, patterns: tuple[str, ...], words: str) -> None:
    request = (
        replace(START, include_patterns=patterns)
        if field == "includePatterns"
        else replace(START, exclude_patterns=patterns)
    )
    with pytest.raises(InvalidRequest) as caught:
        validate_request(request)
    assert caught.value.field == field
    assert str(caught.value).startswith(field)
    assert words in str(caught.value)


def test_valid_patterns_pass_through_unchanged() -> None:
    request = replace(START, include_patterns=("/blog/**",), exclude_patterns=("/blog/tag/*",))
    validated = validate_request(request)
    assert validated.include_patterns == ("/blog/**",)
    assert validated.exclude_patterns == ("/blog/tag/*",)


@pytest.mark.parametrize(
    ("callback", "expected"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param(
            "https://hooks.example.org/x#f", "https://hooks.example.org/x", id="other-site-ok"
        ),
    ],
)
def test_callback_url_accepted(callback: str | None, expected: str | None) -> None:
    assert validate_request(replace(START, callback_url=callback)).callback_url == expected


def test_callback_url_must_be_http() -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request(replace(START, callback_url="ftp://hooks.example.org/x"))
    assert caught.value.field == "callbackUrl"
    assert "callbackUrl" in str(caught.value)


@pytest.mark.parametrize(
    ("callback", "words"),
    [
        pytest.param("http://xn--/", "host 'xn--' is not a valid internationalised", id="xn--"),
        pytest.param("http://xn--zz/", "Invalid A-label", id="bad-a-label"),
        pytest.param("http://" + "a" * 64 + ".test/", "more than 63", id="long-label"),
        pytest.param("http://" + "a.b" * 90 + "/", "more than 253", id="long-host"),
        pytest.param("http://hooks..test/", "empty label", id="empty-label"),
        pytest.param("http://ho%20oks.test/", "only letters, digits", id="bad-character"),
        pytest.param("http://☃.test/", "U+2603", id="bad-unicode"),
        pytest.param("http://1.2.3.999/", "not a valid IPv4 address", id="bad-ipv4"),
        pytest.param("http:///hook", "no host name", id="no-host"),
        pytest.param("http://hooks.test:99999/", "port must be a number", id="port-too-big"),
        pytest.param("http://hooks.test:0/", "port must be a number", id="port-zero"),
        pytest.param("http://hooks.test:x/", "port must be a number", id="port-not-a-number"),
        pytest.param("ftp://hooks.test/", "must start with http:// or https://", id="scheme"),
        pytest.param("http://u:p@hooks.test/", "user name or password", id="userinfo"),
    ],
)
def test_callback_url_that_cannot_be_sent_is_refused(callback: str, words: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_request(replace(START, callback_url=callback))
    assert caught.value.field == "callbackUrl"
    assert str(caught.value).startswith("callbackUrl ")
    assert words in str(caught.value)


@pytest.mark.parametrize("field", ["url", "urls"])
def test_site_url_that_cannot_be_fetched_is_refused(field: str) -> None:
    request = (
        ExtractRequest(url="http://xn--zz.test/")
        if field == "url"
        else replace(START, urls=("https://xn--zz.acme.test/",))
    )
    with pytest.raises(InvalidRequest, match="Invalid A-label") as caught:
        validate_request(request)
    assert caught.value.field == field


def test_explain_is_kept_and_must_be_a_boolean() -> None:
    assert validate_request(replace(START, explain=True)).explain is True
    assert validate_request(START).explain is False
    with pytest.raises(InvalidRequest) as caught:
        validate_request(replace(START, explain="yes"))  # type: ignore[arg-type]
    assert caught.value.field == "explain"
