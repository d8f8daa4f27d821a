"""Every screen in light and dark, at desktop and phone width: a screenshot of each (in
``build/screenshots``; the README shows a set copied to ``docs/screenshots``), nothing
wider than the screen, and text contrast of at least 4.5:1 (WCAG AA) everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.sitekit import ACME, SITES
from tests.ui.uikit import (
    DESKTOP,
    PHONE,
    Console,
    Dashboard,
    Gate,
    extract,
    hold_folder_page,
    shoot,
    sign_in,
    wait_result,
)
from tests.webserver import WebServer

AA_CONTRAST = 4.5  # WCAG AA for normal text; disabled buttons are exempt
LOW_CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


def _check(page: Page, name: str) -> None:
    """Screenshot the screen; it must fit the width and have readable text."""
    page.evaluate("document.activeElement?.blur()")  # no focus ring in the pictures
    page.mouse.move(0, 0)  # nor a hovered button
    shoot(page, name)
    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], (name, width)
    assert page.evaluate(LOW_CONTRAST, AA_CONTRAST) == [], name


VARIANTS = [
    pytest.param("light", DESKTOP, id="light-desktop"),
    pytest.param("dark", DESKTOP, id="dark-desktop"),
    pytest.param("light", PHONE, id="light-phone"),
    pytest.param("dark", PHONE, id="dark-phone"),
]


@pytest.mark.parametrize(("scheme", "viewport"), VARIANTS)
def test_every_screen(
    new_context: CreateContextCallback,
    console: Console,
    dashboard: Dashboard,
    acme: str,
    web: WebServer,
    gate: Gate,
    scheme: Any,
    viewport: ViewportSize,
) -> None:
    phone = viewport == PHONE
    context = new_context(color_scheme=scheme, viewport=viewport, is_mobile=phone, has_touch=phone)
    page = console.watch(context.new_page())
    page.goto(dashboard.url)
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    _check(page, "signin")

    sign_in(page, dashboard)
    page.get_by_label("Website URL").fill(acme)
    page.get_by_label("Include patterns").fill("/pricing*\n/features/**")
    _check(page, "new-extraction")
    page.get_by_label("Include patterns").fill("")

    done = dashboard.client().post(
        "/v1/extract", json={"url": acme, "maxPages": 6, "explain": True}, timeout=30
    )
    assert done.status_code == 200, done.text
    hold_folder_page(web, ACME, SITES / "acme", "/pricing/", gate)
    extract(page, acme, max_pages=6)
    expect(page.locator(f'#job-pages li[data-url="{acme}"] .status')).to_have_text("done")
    _check(page, "extraction-live")
    gate.open()
    wait_result(page)
    page.locator("#job-result h2").scroll_into_view_if_needed()
    _check(page, "result")

    # A site that cannot be reached: the list shows a failed job with its cause too.
    failing = dashboard.client().post("/v1/extract/async", json={"url": "http://gone.test/"})
    assert failing.status_code == 202, failing.text
    page.get_by_role("link", name="Jobs").click()
    expect(page.locator("#jobs-rows tr")).to_have_count(3)
    expect(page.locator("#jobs-rows .status.failed")).to_have_count(1, timeout=15_000)
    _check(page, "jobs")

    page.get_by_role("link", name="Knowledge").click()
    expect(page.get_by_role("button", name="acme.test")).to_be_visible()
    _check(page, "knowledge")
    page.get_by_label("Search your sites").fill("plan")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#search-results article.hit").first).to_be_visible()
    _check(page, "search")
