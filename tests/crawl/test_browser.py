"""The renderer with a real headless Chromium against the local web server: script-built
pages come back built, the same every time; the browser survives crashes, hung pages and
dialogs; each page starts from a clean context. (The network guard: test_browser_guard.)"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

import pytest

from sitelore.crawl.sources.browser import BrowserSettings, Renderer, find_chromium
from sitelore.errors import BrowserUnavailable, RenderError
from tests.browserkit import chromium, guarded_client, renderer, serve_spa
from tests.webserver import Response, WebServer, html, redirect

BUILT = ("Nimbus Ledger", "Team plan: 29 EUR a month", "Support answers within one business day.")


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never came true")


def test_a_script_built_page_is_rendered_once_its_requests_and_dom_have_settled(
    web: WebServer,
) -> None:
    url = serve_spa(web)

    async def scenario() -> tuple[str, str]:
        async with renderer(web) as rendering:
            first = await rendering.render(url)
            second = await rendering.render(url)
        assert (first.final_url, first.status) == (url, 200)
        return first.html, second.html

    first, second = asyncio.run(scenario())
    for text in BUILT:  # the last one is added 60 ms after the last XHR answered
        assert text in first
    assert '<a href="/pricing">' in first
    assert first == second


def test_given_html_is_the_document_and_is_not_fetched_again(web: WebServer) -> None:
    serve_spa(web)
    shell = '<html><body><div id="root"></div><script src="/app.js"></script></body></html>'

    async def scenario() -> str:
        async with renderer(web) as rendering:
            rendered = await rendering.render(f"{web.url}/given", html=shell, status=203)
        assert rendered.status == 203
        return rendered.html

    assert "Team plan: 29 EUR a month" in asyncio.run(scenario())
    assert web.count("/given") == 0
    assert web.count("/app.js") == 1


def test_a_redirected_document_is_followed_hop_by_hop(web: WebServer) -> None:
    url = serve_spa(web)
    web.add_route("127.0.0.1", "/old", redirect("/moved", 301))
    web.add_route("127.0.0.1", "/moved", redirect("/", 302))

    async def scenario() -> None:
        async with renderer(web) as rendering:
            rendered = await rendering.render(f"{web.url}/old")
        assert (rendered.final_url, rendered.status) == (url, 200)
        assert "Nimbus Ledger" in rendered.html

    asyncio.run(scenario())
    assert web.paths()[:3] == ["/old", "/moved", "/"]


def test_a_crash_mid_render_fails_that_page_and_the_next_render_gets_a_new_browser(
    web: WebServer,
) -> None:
    url = serve_spa(web)
    slow = '<html><body><p>Waiting</p><script>fetch("/slow")</script></body></html>'
    web.add_route("127.0.0.1", "/waiting", html(slow))
    web.add_route("127.0.0.1", "/slow", Response(200, {}, b"late", delay=30))

    async def scenario() -> None:
        async with renderer(web) as rendering:
            waiting = asyncio.create_task(rendering.render(f"{web.url}/waiting"))
            await until(lambda: "/slow" in web.paths())
            pid = rendering.browser_pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(RenderError, match="the browser stopped") as failed:
                await waiting
            assert failed.value.url == f"{web.url}/waiting"
            rendered = await rendering.render(url)
            assert "Nimbus Ledger" in rendered.html
            assert rendering.launches == 2
            assert rendering.browser_pid != pid

    asyncio.run(scenario())


def test_a_page_over_its_time_budget_fails_alone(web: WebServer) -> None:
    url = serve_spa(web)
    web.add_route("127.0.0.1", "/hang", html("<html><body><script>while (true) {}</script>"))

    async def scenario() -> None:
        async with renderer(web, page_timeout=2.0) as rendering:
            with pytest.raises(RenderError, match="longer than the 2s page time limit"):
                await rendering.render(f"{web.url}/hang")
            assert "Nimbus Ledger" in (await rendering.render(url)).html

    asyncio.run(scenario())


def test_dialogs_are_dismissed(web: WebServer) -> None:
    page = '<html><body><script>alert("Subscribe!")</script><p>After the dialog</p></body>'
    web.add_route("127.0.0.1", "/dialog", html(page))

    async def scenario() -> str:
        async with renderer(web, page_timeout=5.0) as rendering:
            return (await rendering.render(f"{web.url}/dialog")).html

    assert "After the dialog" in asyncio.run(scenario())


def test_every_page_starts_in_a_clean_browser_context(web: WebServer) -> None:
    script = """<html><body><p id="seen"></p><script>
      document.getElementById("seen").textContent =
        "stored: " + (localStorage.getItem("visit") || "nothing") + "; cookie: " + document.cookie;
      localStorage.setItem("visit", "earlier");
      document.cookie = "visit=earlier";
    </script></body></html>"""
    web.add_route("127.0.0.1", "/visit", html(script))

    async def scenario() -> list[str]:
        async with renderer(web, tabs=1) as rendering:
            return [(await rendering.render(f"{web.url}/visit")).html for _ in range(2)]

    for page in asyncio.run(scenario()):
        assert "stored: nothing; cookie: <" in page


def test_the_browser_is_replaced_after_restart_after_pages(web: WebServer) -> None:
    url = serve_spa(web)

    async def scenario() -> int:
        async with renderer(web, tabs=2, restart_after=2) as rendering:
            pages = await asyncio.gather(*(rendering.render(url) for _ in range(5)))
            assert all("Nimbus Ledger" in page.html for page in pages)
            return rendering.launches

    assert asyncio.run(scenario()) == 3


def test_a_screenshot_is_a_png_of_the_page_with_its_images(web: WebServer) -> None:
    url = serve_spa(web)
    web.add_route("127.0.0.1", "/pictured", html('<html><body><img src="/logo.svg">'))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    web.add_route("127.0.0.1", "/logo.svg", Response(200, {"Content-Type": "image/svg+xml"}, svg))

    async def scenario() -> bytes:
        async with renderer(web) as rendering:
            await rendering.render(f"{web.url}/pictured")
            assert web.count("/logo.svg") == 0  # a render reads text: no pictures
            return await rendering.screenshot(url, width=640, height=400)

    png = asyncio.run(scenario())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == 640  # the IHDR width


def test_screenshots_fetch_images(web: WebServer) -> None:
    web.add_route("127.0.0.1", "/pictured", html('<html><body><img src="/logo.svg">'))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    web.add_route("127.0.0.1", "/logo.svg", Response(200, {"Content-Type": "image/svg+xml"}, svg))

    async def scenario() -> None:
        async with renderer(web) as rendering:
            await rendering.screenshot(f"{web.url}/pictured")

    asyncio.run(scenario())
    assert web.count("/logo.svg") == 1


def test_chromium_is_found_and_the_debian_wrapper_is_never_used() -> None:
    found = find_chromium(None)
    assert found is not None, BrowserUnavailable.MESSAGE
    assert found != "/usr/bin/chromium"
    assert find_chromium("/opt/chromium/chrome") == "/opt/chromium/chrome"


def test_a_missing_browser_says_how_to_install_one(web: WebServer) -> None:
    async def scenario() -> None:
        client = guarded_client(web)
        missing = BrowserSettings("/nonexistent/chromium")
        try:
            async with Renderer(missing, client) as rendering:
                await rendering.render(f"{web.url}/")
        finally:
            await client.aclose()

    with pytest.raises(BrowserUnavailable) as raised:
        asyncio.run(scenario())
    message = str(raised.value)
    assert message.startswith(
        "JavaScript rendering needs Chromium: apt-get install chromium-headless-shell "
        "(or set SITELORE_CHROMIUM)"
    )
    assert "/nonexistent/chromium" in message
    chromium()  # and the tests' own browser is there (they fail, never skip, without it)
