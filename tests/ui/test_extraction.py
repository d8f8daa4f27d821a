"""An extraction in a real browser: its pages appear as they are scraped, then the result:
the business card, items by category, the filter, the three exports and the curl command."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.sitekit import ACME, SITES
from tests.ui.uikit import Dashboard, Gate, extract, hold_folder_page, sign_in, wait_result
from tests.webserver import WebServer

CSV_COLUMNS = ["category", "title", "description", "content", "source"]
TIMING = re.compile(r"^\d+ ms|^\d+\.\d s")


def _row(page: Page, url: str) -> Any:
    return page.locator(f'#job-pages li[data-url="{url}"]')


def _job(dashboard: Dashboard, job_id: str) -> dict[str, Any]:
    response = dashboard.client().get(f"/v1/jobs/{job_id}")
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


def test_pages_appear_as_they_are_scraped_then_the_result(
    ui: Page, dashboard: Dashboard, acme: str, web: WebServer, gate: Gate
) -> None:
    hold_folder_page(web, ACME, SITES / "acme", "/pricing/", gate)
    sign_in(ui, dashboard)
    job_id = extract(ui, acme, max_pages=4)
    expect(ui.locator("#job-id")).to_have_text(job_id)

    # Mid-way: the home page is done and timed, the pricing page is planned, no result yet.
    expect(_row(ui, acme).locator(".status")).to_have_text("done")
    expect(_row(ui, acme).locator(".took")).to_have_text(TIMING)
    expect(_row(ui, acme + "pricing/")).to_have_attribute("data-status", "planned")
    expect(ui.locator("#job-count")).to_have_text(re.compile(r"^1 / [2-4] pages$"))
    expect(ui.get_by_role("button", name="Cancel job")).to_be_visible()
    expect(ui.locator("#job-result")).to_be_empty()
    assert _job(dashboard, job_id)["status"] == "processing"

    gate.open()
    wait_result(ui)
    expect(_row(ui, acme + "pricing/").locator(".status")).to_have_text("done")
    expect(ui.locator("#job-step")).to_have_text("Complete")
    expect(ui.locator("#job-count")).to_have_text("4 / 4 pages")
    expect(ui.get_by_role("button", name="Cancel job")).to_be_hidden()
    rows = ui.locator("#job-pages li")
    assert rows.count() == len(set(rows.evaluate_all("(rows) => rows.map((r) => r.dataset.url)")))


def test_the_result_shows_the_business_and_its_items_by_category(
    ui: Page, dashboard: Dashboard, acme: str
) -> None:
    sign_in(ui, dashboard)
    job_id = extract(ui, acme, max_pages=5)
    wait_result(ui)
    result = _job(dashboard, job_id)["result"]
    card = ui.locator("#job-result [data-testid=business]")
    business = result["business"]
    expect(card.get_by_role("heading", name=business["name"])).to_be_visible()
    expect(card).to_contain_text(business["category"])
    expect(card).to_contain_text(business["domain"])
    expect(card).to_contain_text(business["description"])
    # The logo is a link to the site's image, never loaded by the dashboard itself.
    expect(card.get_by_role("link", name="open")).to_have_attribute("href", business["logo"])
    expect(card.locator("img")).to_have_count(0)

    counts: dict[str, int] = {}
    for item in result["knowledgeItems"]:
        counts[item["category"]] = counts.get(item["category"], 0) + 1
    sections = ui.locator("#job-result section.category")
    assert sections.count() == len(counts)
    for category, count in counts.items():
        section = ui.locator(f"#job-result-cat-{category}")
        expect(section.locator("h3 .n")).to_have_text(str(count))
        expect(section.locator("article.item")).to_have_count(count)
    first = result["knowledgeItems"][0]
    link = ui.locator("#job-result article.item .source a").first
    expect(link).to_have_attribute("href", first["source"])
    expect(link).to_have_attribute("rel", "noopener noreferrer")

    # Opened again from the Jobs list: its events replayed, the same result.
    ui.get_by_role("link", name="Jobs").click()
    ui.locator(f'#jobs-rows tr[data-job="{job_id}"] a').click()
    expect(ui.locator("#job-result article.item")).to_have_count(len(result["knowledgeItems"]))
    expect(ui.locator('#job-pages li[data-status="done"]')).to_have_count(result["pagesScraped"])
    expect(ui.locator("#job-url")).to_have_text(acme)


def _matches(item: dict[str, Any], words: list[str]) -> bool:
    text = " ".join(str(item[c]) for c in CSV_COLUMNS).lower()
    return all(word in text for word in words)


def test_the_filter_keeps_the_items_that_have_every_word(
    ui: Page, dashboard: Dashboard, acme: str
) -> None:
    sign_in(ui, dashboard)
    job_id = extract(ui, acme, max_pages=5)
    wait_result(ui)
    items = _job(dashboard, job_id)["result"]["knowledgeItems"]
    for query in ("plan", "acme crew", "zzzz-nothing"):
        words = query.split()
        expected = sum(_matches(item, words) for item in items)
        assert query.startswith("zzzz") or 0 < expected < len(items), (query, expected)
        ui.get_by_label("Filter items").fill(query)
        expect(ui.locator("#job-result article.item:visible")).to_have_count(expected)
        expect(ui.locator("#job-result").get_by_role("status").last).to_have_text(
            f"{expected} of {len(items)} items match"
        )
    ui.get_by_label("Filter items").fill("")
    expect(ui.locator("#job-result article.item:visible")).to_have_count(len(items))


def _download(page: Page, button: str) -> tuple[str, str]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    download = info.value
    path = download.path()
    return download.suggested_filename, path.read_bytes().decode("utf-8")  # newlines as sent


def _guarded(cell: str) -> str:
    """A CSV cell as the export writes it: a would-be formula gets a leading apostrophe."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def test_the_exports_hold_the_whole_result(ui: Page, dashboard: Dashboard, acme: str) -> None:
    sign_in(ui, dashboard)
    job_id = extract(ui, acme, max_pages=5)
    wait_result(ui)
    result = _job(dashboard, job_id)["result"]
    items = result["knowledgeItems"]
    ui.get_by_label("Filter items").fill("plan")  # a filter does not narrow an export

    name, text = _download(ui, "Export JSON")
    assert name == "acme.test.json" and json.loads(text) == result

    name, text = _download(ui, "Export CSV")
    assert name == "acme.test.csv" and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == CSV_COLUMNS
    assert rows[1:] == [[_guarded(str(item[c])) for c in CSV_COLUMNS] for item in items]

    name, text = _download(ui, "Export Markdown")
    assert name == "acme.test.md"
    assert text.startswith(f"# {result['business']['name']}\n")
    for item in items:
        assert f"### {item['title']}\n" in text and f"Source: <{item['source']}>" in text
    for category in {item["category"] for item in items}:
        count = sum(item["category"] == category for item in items)
        assert re.search(rf"^## [\w ]+ \({count}\)$", text, re.MULTILINE), category


def _replay_curl(command: str, key: str) -> httpx.Response:
    """Run a copied curl command's request with httpx, ``$SITELORE_API_KEY`` set to ``key``."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[0] == "curl"
    method, url, headers, data = "GET", "", {}, None
    options = iter(words[1:])
    for word in options:
        if word == "-X":
            method = next(options)
        elif word == "-H":
            name, _, value = next(options).partition(": ")
            headers[name] = value.replace("$SITELORE_API_KEY", key)
        elif word == "-d":
            data = next(options)
        elif not word.startswith("-"):
            url = word
    return httpx.request(method, url, headers=headers, content=data, trust_env=False, timeout=30)


def test_the_curl_command_repeats_the_request_without_the_key(
    ui: Page, dashboard: Dashboard, acme: str
) -> None:
    sign_in(ui, dashboard)
    extract(ui, acme, max_pages=3, explain=True)
    wait_result(ui)
    ui.get_by_role("button", name="Copy curl").click()
    command = ui.locator("#job-result pre.curl").inner_text()
    assert ui.evaluate("navigator.clipboard.readText()") == command
    assert "$SITELORE_API_KEY" in command and dashboard.key.key not in command
    assert '"maxPages":3' in command and '"explain":true' in command
    answer = _replay_curl(command, dashboard.key.key)
    assert answer.status_code == 200, answer.text
    assert answer.json()["business"]["domain"] == ACME


def test_explain_says_why_each_page_and_each_item(
    ui: Page, dashboard: Dashboard, acme: str
) -> None:
    sign_in(ui, dashboard)
    job_id = extract(ui, acme, max_pages=4, explain=True)
    wait_result(ui)
    explained = _job(dashboard, job_id)["result"]["explain"]
    pages = ui.locator("#job-result .explain-pages tbody tr")
    expect(pages).to_have_count(len(explained["pages"]))
    expect(pages.first).to_contain_text(explained["pages"][0]["reason"])
    reasons = ui.locator("#job-result article.item .why")
    expect(reasons).to_have_count(len(explained["items"]))
    first = explained["items"][0]
    expect(reasons.first).to_contain_text(first["categoryReason"])
