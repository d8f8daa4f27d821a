"""Script-built sites end to end, with a real browser: a client-rendered site yields its
pages and items with ``render: auto`` and only its HTTP text with ``never``; hash routes
are pages; a hybrid page gets its client-drawn offer; a server-rendered site with framework
markers is never rendered; without a browser ``auto`` warns and ``always`` fails."""

from __future__ import annotations

import pytest

from sitelore.errors import BrowserUnavailable, ExtractionFailed
from sitelore.models import ExtractRequest, ItemCategory, RenderMode
from tests.spakit import extract_rendering, serve_app
from tests.webserver import StaticResolver, WebServer

LUMEN_PAGES = {"/", "/features", "/pricing", "/faq", "/about", "/contact"}


def paths(urls: dict[str, bool]) -> set[str]:
    return {"/" + url.split("/", 3)[3] for url in urls}


def test_a_client_rendered_site_yields_its_pages_and_items(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    run = extract_rendering(resolver, ExtractRequest(home, max_pages=10))
    rendered = run.rendered()
    assert paths(rendered) == LUMEN_PAGES  # links came from the rendered DOM
    assert all(rendered.values())
    result = run.result
    assert result.business.name == "Lumen Ledger"
    categories = {item.category for item in result.knowledge_items}
    assert {ItemCategory.PRICING, ItemCategory.FAQ} <= categories
    texts = " ".join(item.content for item in result.knowledge_items)
    assert "£49 per month" in texts and "30-day trial" in texts
    assert result.warnings == ()


def test_never_keeps_what_the_http_text_holds(web: WebServer, resolver: StaticResolver) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    run = extract_rendering(resolver, ExtractRequest(home, max_pages=10, render=RenderMode.NEVER))
    assert run.rendered() == {home: False}
    assert run.result.knowledge_items == ()


def test_hash_routes_are_pages_of_a_hash_routed_site(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = serve_app(web, "kestrel.test", "kestrel-hash")
    run = extract_rendering(resolver, ExtractRequest(home, max_pages=10))
    assert set(run.rendered()) == {home, home + "#/services", home + "#/team", home + "#/contact"}
    texts = " ".join(item.content for item in run.result.knowledge_items)
    assert "2,000 hectares a day" in texts and "flights@kestrel.test" in texts


def test_a_hybrid_page_gets_its_client_drawn_offer(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = serve_app(web, "corvid.test", "corvid-hybrid")
    run = extract_rendering(resolver, ExtractRequest(home, single_page=True))
    assert run.rendered() == {home: True}
    prices = [i for i in run.result.knowledge_items if i.category is ItemCategory.PRICING]
    assert any("£11 a parcel" in item.content for item in prices)


def test_a_server_rendered_site_with_framework_markers_is_not_rendered(
    web: WebServer, resolver: StaticResolver, sites: object
) -> None:
    from tests.sitekit import SITES

    web.add_site("marten.test", SITES / "marten-ssr")
    request = ExtractRequest("http://marten.test/", max_pages=5)
    auto = extract_rendering(resolver, request)
    never = extract_rendering(resolver, ExtractRequest("http://marten.test/", max_pages=5,
                                                       render=RenderMode.NEVER))  # fmt: skip
    assert set(auto.rendered().values()) == {False}
    assert auto.result.knowledge_items == never.result.knowledge_items
    assert auto.result.business == never.result.business


def test_without_a_browser_auto_warns_and_keeps_the_http_text(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    run = extract_rendering(resolver, ExtractRequest(home, max_pages=3), browser=None)
    assert run.rendered() == {home: False}
    assert run.result.warnings == (
        f"{BrowserUnavailable()}; script-built pages were read from their HTML alone",
    )


def test_without_a_browser_always_fails_the_job_saying_why(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    request = ExtractRequest(home, max_pages=3, render=RenderMode.ALWAYS)
    with pytest.raises(BrowserUnavailable, match="apt-get install chromium-headless-shell"):
        extract_rendering(resolver, request, browser=None)


def test_a_start_page_that_is_a_bot_challenge_fails_the_job(
    web: WebServer, resolver: StaticResolver
) -> None:
    from tests.webserver import Response

    challenge = (
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        b"<div id='challenge-platform'><noscript>Enable JavaScript and cookies to continue"
        b"</noscript></div><script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'>"
        b"</script></body></html>"
    )
    headers = {"Content-Type": "text/html", "Server": "cloudflare", "cf-mitigated": "challenge"}
    web.add_route("guarded.test", "/", Response(403, headers, challenge))
    with pytest.raises(ExtractionFailed, match=r"^Blocked by a bot challenge \("):
        extract_rendering(resolver, ExtractRequest("http://guarded.test/", max_pages=3))


def test_a_page_that_renders_into_a_bot_challenge_is_never_extracted(
    web: WebServer, resolver: StaticResolver
) -> None:
    """Over HTTP a shell; once its script has run, a 'verify you are human' interstitial."""
    from tests.webserver import Response, html

    shell = (
        '<!doctype html><html><head><title>Loading…</title><script src="/gate.js" defer>'
        '</script></head><body><div id="root"></div></body></html>'
    )
    gate = (
        b"document.title = 'One moment';"
        b"document.getElementById('root').innerHTML = '<h1>One moment</h1>"
        b"<p>Please verify you are human to continue.</p>';"
    )
    web.add_route("gated.test", "/", html(shell))
    web.add_route(
        "gated.test", "/gate.js", Response(200, {"Content-Type": "text/javascript"}, gate)
    )
    with pytest.raises(ExtractionFailed, match=r"^Blocked by a bot challenge \("):
        extract_rendering(resolver, ExtractRequest("http://gated.test/", max_pages=3))
