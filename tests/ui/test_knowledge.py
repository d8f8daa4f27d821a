"""The Knowledge screen in a real browser: the key's sites, one site's stored knowledge,
and a search over them with its filters."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.ui.uikit import Dashboard, sign_in


def _search(dashboard: Dashboard, **body: Any) -> dict[str, Any]:
    response = dashboard.client().post("/v1/search", json={"limit": 20, **body})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_the_sites_are_listed_opened_and_searched(
    ui: Page, dashboard: Dashboard, acme: str
) -> None:
    done = dashboard.client().post("/v1/extract", json={"url": acme, "maxPages": 5}, timeout=30)
    assert done.status_code == 200, done.text
    stored = dashboard.client().get("/v1/knowledge/acme.test").json()
    sign_in(ui, dashboard)
    ui.get_by_role("link", name="Knowledge").click()

    site = ui.get_by_role("button", name="acme.test")
    expect(site).to_contain_text(f"{len(stored['knowledgeItems'])} items")
    site.click()
    expect(site).to_have_attribute("aria-pressed", "true")
    expect(ui.get_by_role("heading", name="Knowledge of acme.test")).to_be_focused()
    items = ui.locator("#site-detail article.item")
    expect(items).to_have_count(len(stored["knowledgeItems"]))
    ui.locator("#site-detail").get_by_role("button", name="Copy curl").click()
    expect(ui.locator("#site-detail pre.curl")).to_contain_text("/v1/knowledge/acme.test")

    answer = _search(dashboard, query="plan")
    assert 0 < len(answer["hits"]) <= answer["total"]
    ui.get_by_label("Search your sites").fill("plan")
    ui.get_by_role("button", name="Search", exact=True).click()
    hits = ui.locator("#search-results article.hit")
    expect(hits.locator("h3")).to_have_text([hit["title"] for hit in answer["hits"]])
    expect(ui.locator("#search-count")).to_have_text(f"{answer['total']} matches")
    expect(hits.first.locator("mark").first).to_have_text("plan", ignore_case=True)

    narrowed = _search(dashboard, query="plan", category="PRICING", domain="acme.test")
    ui.get_by_label("Category").select_option("PRICING")
    ui.get_by_label("Site", exact=True).select_option("acme.test")
    ui.get_by_role("button", name="Search", exact=True).click()
    expect(hits.locator("h3")).to_have_text([hit["title"] for hit in narrowed["hits"]])
    expect(hits.first).to_contain_text("Pricing · acme.test")
