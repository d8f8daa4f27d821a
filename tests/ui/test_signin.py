"""Sign-in in a real browser: the form's readiness and the page's weight, the policy the
page runs under, wrong and revoked keys, and a key kept in the tab only."""

from __future__ import annotations

from importlib import resources

import pytest
from playwright.sync_api import Page, expect

from tests.apikit import run_store
from tests.ui.uikit import Console, Dashboard, off_loop, sign_in

WEIGHT_LIMIT = 150_000  # bytes: the bound for the whole page
ONLY_SELF = ("default-src", "script-src", "style-src", "connect-src")


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def _static_files() -> set[str]:
    folder = resources.files("sitelore").joinpath("ui", "static")
    return {entry.name for entry in folder.iterdir() if entry.is_file()}


def test_the_sign_in_form_is_ready_soon_and_the_page_is_light(
    ui: Page, dashboard: Dashboard, capsys: pytest.CaptureFixture[str]
) -> None:
    # A server's very first answer waits for its start-up (its page processes start beside
    # it): the figure is the page's, so the server answers once before it is measured.
    assert dashboard.client().get("/ui/").status_code == 200
    ui.goto(dashboard.url)
    expect(ui.get_by_role("button", name="Sign in")).to_be_enabled()
    ready = ui.evaluate("performance.getEntriesByName('sitelore:signin-ready')[0].startTime")
    loaded: list[list[object]] = ui.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .map((entry) => [entry.name, entry.encodedBodySize])"""
    )
    sizes = {str(name).rsplit("/", 1)[-1] or "index.html": int(str(size)) for name, size in loaded}
    # Every file of the dashboard is loaded up front, so this is the weight of all of it.
    assert _static_files() <= set(sizes), (sorted(_static_files()), sizes)
    weight = sum(sizes.values())
    with capsys.disabled():
        print(
            f"\ndashboard: sign-in form interactive {ready:.0f} ms after navigation; "
            f"page weight {weight:,} bytes in {len(sizes)} files"
        )
    assert weight < WEIGHT_LIMIT, sizes


def test_the_page_runs_under_a_policy_of_its_own_origin_only(
    ui: Page, dashboard: Dashboard
) -> None:
    response = ui.goto(dashboard.url)
    assert response is not None and response.ok
    header = response.headers["content-security-policy"]
    policy = _policy(header)
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    for directive in ONLY_SELF:
        assert policy[directive] == ["'self'"], (directive, header)
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert not any("http" in source or "*" in source for v in policy.values() for source in v)
    violations = ui.evaluate(
        "document.querySelectorAll('[style], style, script:not([src])').length"
    )
    assert violations == 0


@pytest.mark.parametrize(
    ("key", "message"),
    [("sl_nope_nope", "x-api-key is not a valid API key"), ("", "Paste an API key first")],
)
def test_a_wrong_key_is_refused_with_the_reason(
    ui: Page, dashboard: Dashboard, console: Console, key: str, message: str
) -> None:
    console.expect(401, "/v1/jobs")
    ui.goto(dashboard.url)
    ui.get_by_label("API key").fill(key)
    ui.get_by_label("API key").press("Enter")
    expect(ui.get_by_role("alert").filter(has_text=message)).to_be_visible()
    expect(ui.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(ui.get_by_role("navigation", name="Main")).to_be_hidden()
    assert ui.evaluate("sessionStorage.length") == 0


def test_a_revoked_key_is_refused_with_the_reason(
    ui: Page, dashboard: Dashboard, console: Console
) -> None:
    console.expect(401, "/v1/jobs")
    database = dashboard.data_dir / "sitelore.db"
    off_loop(lambda: run_store(database, lambda store: store.revoke_key(dashboard.key.id)))
    ui.goto(dashboard.url)
    ui.get_by_label("API key").fill(dashboard.key.key)
    ui.get_by_role("button", name="Sign in").click()
    expect(ui.get_by_role("alert")).to_have_text(
        "This key was not accepted: this API key was revoked."
    )


def test_the_key_stays_in_its_tab_and_sign_out_forgets_it(ui: Page, dashboard: Dashboard) -> None:
    sign_in(ui, dashboard)
    assert ui.evaluate("sessionStorage.getItem('sitelore.apiKey')") == dashboard.key.key
    assert ui.evaluate("localStorage.length") == 0
    assert dashboard.key.key not in ui.url
    other_tab = ui.context.new_page()
    other_tab.goto(dashboard.url + "#/jobs")
    expect(other_tab.get_by_role("heading", name="Sign in")).to_be_visible()
    other_tab.close()
    ui.get_by_role("button", name="Sign out").click()
    expect(ui.get_by_role("heading", name="Sign in")).to_be_visible()
    assert ui.evaluate("sessionStorage.getItem('sitelore.apiKey')") is None


def test_signing_in_and_extracting_work_from_the_keyboard(
    ui: Page, dashboard: Dashboard, acme: str
) -> None:
    ui.goto(dashboard.url)
    expect(ui.get_by_label("API key")).to_be_focused()
    ui.keyboard.type(dashboard.key.key)
    ui.keyboard.press("Enter")
    heading = ui.get_by_role("heading", name="New extraction", level=1)
    expect(heading).to_be_focused()  # a screen reader hears where it is
    ui.keyboard.press("Tab")
    expect(ui.get_by_label("Website URL")).to_be_focused()
    ui.keyboard.type(acme)
    ui.keyboard.press("Enter")
    expect(ui.get_by_role("heading", name="Result")).to_be_visible(timeout=30_000)


def test_a_key_revoked_while_signed_in_signs_the_tab_out(
    ui: Page, dashboard: Dashboard, console: Console
) -> None:
    console.expect(401, "/v1/jobs")
    sign_in(ui, dashboard)
    ui.get_by_role("link", name="Jobs").click()
    database = dashboard.data_dir / "sitelore.db"
    off_loop(lambda: run_store(database, lambda store: store.revoke_key(dashboard.key.id)))
    signed_out = ui.get_by_role("heading", name="Sign in")
    # The server trusts a key it checked for a few seconds (KEY_CACHE_SECONDS): ask again
    # until it has noticed.
    for _ in range(40):
        if signed_out.is_visible():
            break
        ui.evaluate("document.getElementById('jobs-refresh').click()")  # hidden once out
        ui.wait_for_timeout(250)
    expect(signed_out).to_be_visible()
    expect(ui.get_by_role("alert")).to_have_text("You were signed out: this API key was revoked.")
    assert ui.evaluate("sessionStorage.getItem('sitelore.apiKey')") is None
