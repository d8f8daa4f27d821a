"""A live view whose connection drops mid-stream resumes from the last event it had
(``Last-Event-ID`` on the job's event route): no page is lost or shown twice."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.sitekit import ACME, SITES
from tests.ui.uikit import (
    Console,
    CuttingProxy,
    Dashboard,
    Gate,
    extract,
    hold_folder_page,
    sign_in,
    wait_result,
)
from tests.webserver import WebServer

RESUMED = re.compile(r"Reconnected after a dropped connection: resumed after event (\d+)\.")


def test_a_dropped_stream_resumes_after_its_last_event(
    ui: Page, dashboard: Dashboard, acme: str, web: WebServer, gate: Gate, console: Console
) -> None:
    console.expect("ERR_INCOMPLETE_CHUNKED_ENCODING", "/v1/extract/stream")  # the cut
    hold_folder_page(web, ACME, SITES / "acme", "/pricing/", gate)
    proxy = CuttingProxy(dashboard.server.port)
    try:
        sign_in(ui, dashboard, url=f"{proxy.url}/ui/")
        # The connection carrying the first page event is cut right after it.
        proxy.arm(b"event: page_scraped")
        job_id = extract(ui, acme, max_pages=4)
        notice = ui.get_by_role("status").filter(has_text="Reconnected")
        expect(notice).to_have_text(RESUMED)
        last_id = RESUMED.search(notice.inner_text())
        assert last_id is not None and proxy.cuts == 1
        resumed = proxy.requests_with(f"GET /v1/jobs/{job_id}/events")
        assert len(resumed) == 1, resumed
        assert f"last-event-id: {last_id.group(1)}\r\n" in resumed[0].lower() + "\r\n"
        expect(ui.locator(f'#job-pages li[data-url="{acme}"] .status')).to_have_text("done")

        gate.open()
        wait_result(ui)
        rows = ui.locator("#job-pages li")
        urls = rows.evaluate_all("(rows) => rows.map((row) => row.dataset.url)")
        assert len(urls) == len(set(urls)) == 4, urls
        expect(rows.locator(".status")).to_have_text(["done"] * 4)
        expect(ui.locator("#job-count")).to_have_text("4 / 4 pages")
    finally:
        proxy.close()
