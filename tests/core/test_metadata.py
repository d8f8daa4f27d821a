"""What a page says about itself: title, meta, OpenGraph, canonical, refresh, icons and JSON-LD."""

from __future__ import annotations

from typing import Any

import pytest

from sitelore.core.document import parse_document
from sitelore.core.metadata import jsonld_types, parse_jsonld
from tests.core.helpers import doc, page

HEAD = """
<meta name="description" content="  Quillby is a   shared writing desk for newsrooms. ">
<meta property="og:site_name" content="Quillby">
<meta property="og:description" content="Write, edit and publish together.">
<meta name="twitter:title" content="Quillby on Twitter">
<link rel="canonical" href="/pricing/">
<link rel="icon" href="/favicon.ico">
<link rel="apple-touch-icon" href="/touch-icon.png">
"""


def test_head_fields() -> None:
    meta = doc(
        "<p>x</p>", "https://quillby.test/pricing?ref=x", title=" Pricing |  Quillby ", head=HEAD
    )
    assert meta.metadata.title == "Pricing | Quillby"
    assert meta.metadata.description == "Quillby is a shared writing desk for newsrooms."
    assert meta.metadata.site_name == "Quillby"
    assert meta.metadata.og["og:description"] == "Write, edit and publish together."
    assert meta.metadata.og["twitter:title"] == "Quillby on Twitter"
    assert meta.metadata.canonical == "https://quillby.test/pricing/"
    assert meta.metadata.lang == "en"


def test_touch_icon_comes_before_the_favicon() -> None:
    meta = doc("<p>x</p>", "https://quillby.test/", head=HEAD).metadata
    assert meta.icons == ["https://quillby.test/touch-icon.png", "https://quillby.test/favicon.ico"]


def test_first_description_wins() -> None:
    head = '<meta name="description" content="First."><meta name="description" content="Second.">'
    assert doc("", head=head).metadata.description == "First."


def test_application_name_is_a_site_name() -> None:
    head = '<meta name="application-name" content="Crumb Bakery">'
    assert doc("", head=head).metadata.site_name == "Crumb Bakery"


@pytest.mark.parametrize(
    ("content", "target"),
    [
        pytest.param("0; url=/moved", "https://acme.test/moved", id="relative"),
        pytest.param(
            "5;URL='https://acme.test/new#x'", "https://acme.test/new", id="quoted-absolute"
        ),
        pytest.param("0", None, id="reload-only"),
    ],
)
def test_meta_refresh_target(content: str, target: str | None) -> None:
    head = f'<meta http-equiv="refresh" content="{content}">'
    assert parse_document(page("", head=head), "https://acme.test/old").metadata.refresh == target


def test_base_href_resolves_links() -> None:
    document = doc(
        '<main><p><a href="plans">Plans</a></p></main>',
        "https://acme.test/x/y",
        head='<base href="https://acme.test/en/">',
    )
    assert document.metadata.base_url == "https://acme.test/en/"
    assert [link.url for link in document.links] == ["https://acme.test/en/plans"]


def test_title_in_body_is_read_when_head_has_none() -> None:
    html = "<html><body><title>Stray Title</title><p>x</p></body></html>"
    assert parse_document(html, "https://acme.test/").metadata.title == "Stray Title"


ORG = {"@type": "Organization", "name": "Crumb"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param('{"@type":"Organization","name":"Crumb"}', [ORG], id="object"),
        pytest.param('[{"@type":"Organization","name":"Crumb"}]', [ORG], id="list"),
        pytest.param(
            '{"@context":"https://schema.org","@graph":[{"@type":"Organization","name":"Crumb"}]}',
            [ORG],
            id="graph",
        ),
        pytest.param('<!-- {"@type":"Organization","name":"Crumb"} -->', [ORG], id="html-comment"),
        pytest.param(
            '//<![CDATA[\n{"@type":"Organization","name":"Crumb"}\n//]]>', [ORG], id="cdata"
        ),
        pytest.param('{"@type":"Organization","name":"Crumb",}', [ORG], id="trailing-comma"),
        pytest.param(
            '{"@type":"Organization","name":"Line\nbreak"}',
            [{"@type": "Organization", "name": "Line\nbreak"}],
            id="raw-newline-in-string",
        ),
        pytest.param("{broken json", [], id="broken"),
        pytest.param('{"name":"untyped"}', [], id="untyped"),
        pytest.param("42", [], id="scalar"),
        pytest.param("", [], id="empty"),
    ],
)
def test_parse_jsonld(raw: str, expected: list[dict[str, Any]]) -> None:
    assert parse_jsonld(raw) == expected


def test_parse_jsonld_reaches_nested_publisher_and_faq_entities() -> None:
    raw = """{"@type":"FAQPage","mainEntity":[{"@type":"Question","name":"Open on Sundays?"}],
              "publisher":{"@type":"Bakery","name":"Crumb"}}"""
    types = [jsonld_types(node)[0] for node in parse_jsonld(raw)]
    assert types == ["FAQPage", "Question", "Bakery"]


@pytest.mark.parametrize(
    ("node", "types"),
    [
        pytest.param({"@type": "Hotel"}, ["Hotel"], id="plain"),
        pytest.param({"@type": "schema:Dentist"}, ["Dentist"], id="prefixed"),
        pytest.param(
            {"@type": ["http://schema.org/Restaurant", "LocalBusiness", 5]},
            ["Restaurant", "LocalBusiness"],
            id="list-of-iris",
        ),
        pytest.param({"name": "x"}, [], id="none"),
    ],
)
def test_jsonld_types(node: dict[str, Any], types: list[str]) -> None:
    assert jsonld_types(node) == types


def test_broken_script_does_not_hide_the_good_ones() -> None:
    head = (
        '<script type="application/ld+json">{oops</script>'
        '<script type="application/ld+json">{"@type":"Bakery","name":"Crumb",'
        '"logo":{"@type":"ImageObject","url":"https://crumb.test/logo.png"}}</script>'
    )
    document = doc("<p>x</p>", "https://crumb.test/", head=head)
    assert [node["name"] for node in document.jsonld] == ["Crumb"]
    assert document.metadata.jsonld_logos("https://crumb.test/") == ["https://crumb.test/logo.png"]


def test_relative_jsonld_logo_is_made_absolute() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"Organization","name":"Crumb",'
        '"logo":"/img/crumb.svg"}</script>'
    )
    document = doc("<p>Fresh bread every morning.</p>", "https://crumb.test/about/", head=head)
    assert document.logos[0] == "https://crumb.test/img/crumb.svg"
