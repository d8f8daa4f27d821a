"""POST /v1/extract (sync), /v1/extract/async and /v1/extract/stream against a real server."""

from __future__ import annotations

import time
from typing import Any

from tests.api.conftest import StartApi
from tests.apikit import (
    JOB_ID,
    JOB_ID_IN_TEXT,
    Api,
    error_body,
    get_job,
    read_sse,
    submit,
    wait_job,
)
from tests.sitekit import ACME_PAGES
from tests.webserver import WebServer

RESULT_KEYS = {
    "business", "knowledgeItems", "pagesScraped", "urlsDiscovered", "durationMs",
    "startedAt", "finishedAt", "warnings",
}  # fmt: skip
ITEM_KEYS = {"title", "description", "content", "category", "source"}


def _check_result(result: dict[str, Any], max_pages: int) -> None:
    assert set(result) == RESULT_KEYS
    business = result["business"]
    assert {"name", "domain", "category", "description", "logo"} <= set(business)
    assert business["name"] == "Acme"
    assert business["domain"] == "acme.test"
    assert 1 <= result["pagesScraped"] <= max_pages
    assert result["urlsDiscovered"] >= result["pagesScraped"]
    assert result["knowledgeItems"]
    for item in result["knowledgeItems"]:
        assert set(item) == ITEM_KEYS
        assert item["source"].startswith("http://acme.test/")


# -- sync -----------------------------------------------------------------------------------


def test_sync_extract_answers_the_result(api: Api, acme: str) -> None:
    client = api.client()
    response = client.post("/v1/extract", json={"url": acme, "maxPages": 2})
    assert response.status_code == 200, response.text
    result = response.json()
    _check_result(result, 2)
    # The sync answer is the job's result, as any later read of the job shows.
    listed = client.get("/v1/jobs", params={"limit": 1}).json()["jobs"][0]
    job = get_job(client, listed["id"])
    assert job["status"] == "completed"
    assert job["result"] == result


def test_sync_extract_of_a_failing_site_is_502_with_the_job_error(api: Api) -> None:
    client = api.client()
    response = client.post("/v1/extract", json={"url": "http://nowhere.test/", "maxPages": 1})
    message = error_body(response, 502)
    listed = client.get("/v1/jobs", params={"limit": 1}).json()["jobs"][0]
    job = get_job(client, listed["id"])
    assert job["status"] == "failed"
    assert message == job["error"]
    assert "nowhere.test" in message


def test_sync_extract_past_the_timeout_is_504_naming_the_job_which_goes_on(
    start_api: StartApi, slow: str
) -> None:
    api = start_api(sync_timeout=0.3)
    client = api.client()
    response = client.post("/v1/extract", json={"url": slow, "maxPages": 3})
    message = error_body(response, 504)
    found = JOB_ID_IN_TEXT.search(message)
    assert found is not None, message
    job = get_job(client, found.group(0))
    assert job["status"] in ("pending", "processing")
    done = wait_job(client, found.group(0))
    assert done["status"] == "completed"
    assert done["result"]["pagesScraped"] == 3


# -- async ----------------------------------------------------------------------------------


def test_async_extract_answers_202_with_location_then_completes(api: Api, acme: str) -> None:
    client = api.client()
    response = client.post("/v1/extract/async", json={"url": acme, "maxPages": 3})
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"jobId", "status"}
    assert body["status"] == "pending"
    assert JOB_ID.match(body["jobId"])
    assert response.headers["location"] == f"/v1/jobs/{body['jobId']}"
    followed = client.get(response.headers["location"])
    assert followed.status_code == 200
    assert followed.json()["id"] == body["jobId"]
    job = wait_job(client, body["jobId"])
    assert job["status"] == "completed", job
    _check_result(job["result"], 3)


def test_async_job_ids_are_unique(api: Api, acme: str) -> None:
    client = api.client()
    ids = {
        client.post("/v1/extract/async", json={"url": acme, "singlePage": True}).json()["jobId"]
        for _ in range(5)
    }
    assert len(ids) == 5


def test_urls_are_scraped_exactly(api: Api, acme: str) -> None:
    client = api.client()
    urls = [acme + "pricing/", acme + "faq/"]
    body = {"url": acme, "maxPages": 2, "urls": urls}
    job = wait_job(client, client.post("/v1/extract/async", json=body).json()["jobId"])
    assert job["status"] == "completed", job
    assert {item["source"] for item in job["result"]["knowledgeItems"]} <= set(urls)
    assert job["result"]["pagesScraped"] == 2


# -- stream ---------------------------------------------------------------------------------


def test_stream_sends_events_in_order(api: Api, acme: str) -> None:
    client = api.client()
    with client.stream("POST", "/v1/extract/stream", json={"url": acme, "maxPages": 3}) as sse:
        assert sse.status_code == 200
        assert sse.headers["content-type"].startswith("text/event-stream")
        stream = read_sse(sse)
    names = stream.names
    assert names[0] == "connected"
    assert names[-1] == "complete"
    assert names.count("connected") == names.count("complete") == 1
    assert "error" not in names
    assert set(names) <= {
        "connected", "pages_planned", "page_scraped", "progress", "business_classified",
        "complete",
    }  # fmt: skip
    planned = names.index("pages_planned")
    scraped = [i for i, name in enumerate(names) if name == "page_scraped"]
    classified = names.index("business_classified")
    assert scraped, names
    assert planned < scraped[0]
    assert scraped[-1] < classified < len(names) - 1
    assert names.count("business_classified") == 1

    for frame in stream.frames:  # every frame: id, event, one-line data
        assert sorted(line.split(":", 1)[0] for line in frame.lines) == ["data", "event", "id"]
    ids = [int(frame.id or "") for frame in stream.frames]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    job_id = stream.frames[0].data["jobId"]
    assert JOB_ID.match(job_id)
    first_plan = stream.of("pages_planned")[0].data
    assert set(first_plan) == {"pages", "urlsDiscovered"}
    assert all(set(page) == {"url", "purpose"} for page in first_plan["pages"])
    for frame in stream.of("page_scraped"):
        assert set(frame.data) == {
            "url", "index", "total", "status", "error", "rendered", "durationMs",
        }  # fmt: skip
        assert isinstance(frame.data["durationMs"], int) and frame.data["durationMs"] >= 0
        assert frame.data["status"] in ("done", "failed")
        assert frame.data["total"] <= 3
    for frame in stream.of("progress"):
        assert set(frame.data) == {"pagesScraped", "totalPages", "currentStep"}
        assert frame.data["totalPages"] <= 3
    assert set(stream.of("business_classified")[0].data) == {"business"}
    result = stream.of("complete")[0].data["result"]
    _check_result(result, 3)
    assert get_job(client, job_id)["result"] == result
    paths = {page["url"].removeprefix("http://acme.test") for page in first_plan["pages"]}
    assert paths <= ACME_PAGES


def test_stream_of_a_failing_site_ends_with_error(api: Api) -> None:
    client = api.client()
    body = {"url": "http://nowhere.test/", "maxPages": 1}
    with client.stream("POST", "/v1/extract/stream", json=body) as sse:
        stream = read_sse(sse)
    # The start page is planned before it is reported (never an empty plan, then a page).
    assert stream.names == ["connected", "pages_planned", "page_scraped", "progress", "error"]
    [plan] = stream.of("pages_planned")
    assert plan.data["pages"] == [{"url": "http://nowhere.test/", "purpose": "home"}]
    assert stream.of("page_scraped")[0].data["url"] == "http://nowhere.test/"
    message = stream.frames[-1].data["message"]
    assert "nowhere.test" in message
    assert get_job(client, stream.frames[0].data["jobId"])["error"] == message


def test_stream_pings_while_idle(start_api: StartApi, slow: str) -> None:
    api = start_api(ping_interval=0.2)
    with api.client().stream(
        "POST", "/v1/extract/stream", json={"url": slow, "maxPages": 3}
    ) as sse:
        stream = read_sse(sse)
    assert stream.names[-1] == "complete"
    assert ": ping" in stream.comments


def test_stream_client_leaving_does_not_stop_the_job(api: Api, slow: str) -> None:
    client = api.client()
    with client.stream("POST", "/v1/extract/stream", json={"url": slow, "maxPages": 3}) as sse:
        first = read_sse(sse, stop=lambda frame: frame.event == "connected")
    job_id = first.frames[0].data["jobId"]
    time.sleep(0.2)
    job = wait_job(client, job_id)
    assert job["status"] == "completed", job
    assert job["result"]["pagesScraped"] == 3


def test_include_and_exclude_patterns(api: Api, acme: str, web: WebServer) -> None:
    client = api.client()
    body = {"url": acme, "maxPages": 6, "excludePatterns": ["/pricing*", "/blog/**"]}
    excluded = wait_job(client, submit(client, body))
    assert excluded["status"] == "completed", excluded
    sources = {item["source"] for item in excluded["result"]["knowledgeItems"]}
    assert not any("/pricing" in url or "/blog/" in url for url in sources), sources
    assert not any(p.startswith(("/pricing", "/blog/")) for p in web.paths("acme.test"))

    body = {"url": acme, "maxPages": 3, "includePatterns": ["/faq*"]}
    included = wait_job(client, submit(client, body))
    assert included["status"] == "completed", included
    sources = {item["source"] for item in included["result"]["knowledgeItems"]}
    assert sources == {acme + "faq/"}, sources
