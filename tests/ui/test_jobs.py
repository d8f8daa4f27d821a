"""The Jobs screen in a real browser: newest first, paging, and cancelling a running job
from the list and from the live view."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.apikit import wait_job
from tests.sitekit import ACME, SITES
from tests.ui.uikit import Dashboard, Gate, extract, hold_folder_page, sign_in
from tests.webserver import WebServer

PAGE_SIZE = 20  # the Jobs screen's page


def _submit(dashboard: Dashboard, url: str) -> str:
    response = dashboard.client().post("/v1/extract/async", json={"url": url})
    assert response.status_code == 202, response.text
    job_id: str = response.json()["jobId"]
    return job_id


def test_jobs_are_listed_newest_first_a_page_at_a_time(ui: Page, start_dashboard: Any) -> None:
    dashboard: Dashboard = start_dashboard(workers=0)  # no workers: the jobs stay pending
    submitted = [_submit(dashboard, f"http://site{n}.test/") for n in range(PAGE_SIZE + 3)]
    newest_first = submitted[::-1]
    sign_in(ui, dashboard)
    ui.get_by_role("link", name="Jobs").click()
    rows = ui.locator("#jobs-rows tr")
    expect(rows).to_have_count(PAGE_SIZE)
    assert rows.evaluate_all("(rows) => rows.map((r) => r.dataset.job)") == newest_first[:PAGE_SIZE]
    expect(rows.first.locator(".status")).to_have_text("pending")
    expect(rows.first).to_contain_text(f"site{PAGE_SIZE + 2}.test")
    expect(ui.get_by_role("button", name="Newer")).to_be_disabled()

    ui.get_by_role("button", name="Older").click()
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("(rows) => rows.map((r) => r.dataset.job)") == newest_first[PAGE_SIZE:]
    expect(ui.get_by_role("button", name="Older")).to_be_disabled()
    ui.get_by_role("button", name="Newer").click()
    expect(rows).to_have_count(PAGE_SIZE)

    ui.get_by_label("Status").select_option("completed")
    expect(rows).to_have_count(0)
    expect(ui.get_by_text("No jobs yet.")).to_be_visible()


def test_a_running_job_is_cancelled_from_the_list(
    ui: Page, dashboard: Dashboard, acme: str, web: WebServer, gate: Gate
) -> None:
    hold_folder_page(web, ACME, SITES / "acme", "/pricing/", gate)
    job_id = _submit(dashboard, acme)
    assert gate.waiting.acquire(timeout=20)  # the crawl is at the held page: it runs
    sign_in(ui, dashboard)
    ui.get_by_role("link", name="Jobs").click()
    row = ui.locator(f'#jobs-rows tr[data-job="{job_id}"]')
    expect(row.locator(".status")).to_have_text("processing")
    expect(row.get_by_role("progressbar")).to_be_visible()
    row.get_by_role("button", name="Cancel").click()
    # The list refreshes itself until the job has ended.
    expect(row.locator(".status")).to_have_text("failed", timeout=15_000)
    expect(row).to_contain_text("Job cancelled")
    expect(row).to_contain_text(" s")  # its duration
    expect(row.get_by_role("button", name="Cancel")).to_have_count(0)
    assert wait_job(dashboard.client(), job_id)["error"] == "Job cancelled"


def test_the_live_view_cancels_its_job(
    ui: Page, dashboard: Dashboard, acme: str, web: WebServer, gate: Gate
) -> None:
    hold_folder_page(web, ACME, SITES / "acme", "/pricing/", gate)
    sign_in(ui, dashboard)
    job_id = extract(ui, acme, max_pages=4)
    expect(ui.locator(f'#job-pages li[data-url="{acme}"] .status')).to_have_text("done")
    ui.get_by_role("button", name="Cancel job").click()
    expect(ui.get_by_role("alert").filter(has_text="Job cancelled")).to_be_visible()
    expect(ui.locator("#job-step")).to_have_text("Failed")
    expect(ui.get_by_role("button", name="Cancel job")).to_be_hidden()
    assert wait_job(dashboard.client(), job_id)["status"] == "failed"
