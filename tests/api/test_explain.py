"""``"explain": true`` on the three extract routes: the result's ``explain`` object, kept with
the job's stored request, and a 400 for anything but a boolean."""

from __future__ import annotations

from typing import Any

import pytest

from sitelore.client import Client
from tests.api.conftest import StartApi
from tests.apikit import Api, error_body, get_job, read_sse, submit, wait_job

EXTRACT_ROUTES = ("/v1/extract", "/v1/extract/async", "/v1/extract/stream")


def _check_explain(result: dict[str, Any]) -> None:
    explain = result["explain"]
    assert set(explain) == {"pages", "items"}
    done = [page for page in explain["pages"] if page["status"] == "done"]
    assert len(done) == result["pagesScraped"]
    assert all(page["kind"] and page["reason"] for page in explain["pages"])
    assert len(explain["items"]) == len(result["knowledgeItems"]) > 0
    for item, why in zip(result["knowledgeItems"], explain["items"], strict=True):
        assert (why["title"], why["source"]) == (item["title"], item["source"])
        assert why["categoryReason"] and why["titleReason"]


def test_sync_extract_with_explain_answers_the_explained_result(api: Api, acme: str) -> None:
    client = api.client()
    response = client.post("/v1/extract", json={"url": acme, "maxPages": 3, "explain": True})
    assert response.status_code == 200, response.text
    result = response.json()
    _check_explain(result)
    kinds = {page["url"]: page["kind"] for page in result["explain"]["pages"]}
    assert kinds[acme] == "home"
    listed = client.get("/v1/jobs", params={"limit": 1}).json()["jobs"][0]
    assert get_job(client, listed["id"])["result"] == result


def test_explain_false_gives_the_plain_result(api: Api, acme: str) -> None:
    body = {"url": acme, "singlePage": True, "explain": False}
    response = api.client().post("/v1/extract", json=body)
    assert response.status_code == 200, response.text
    assert "explain" not in response.json()


def test_the_stream_completes_with_the_explained_result(api: Api, acme: str) -> None:
    client = api.client()
    body = {"url": acme, "maxPages": 2, "explain": True}
    with client.stream("POST", "/v1/extract/stream", json=body) as sse:
        stream = read_sse(sse)
    _check_explain(stream.of("complete")[0].data["result"])


def test_explain_survives_the_queue_and_a_restart(start_api: StartApi, acme: str) -> None:
    # Submitted to a server that runs no jobs, run by the next one on the same database:
    # the worker knows ``explain`` only from the request stored with the job.
    first = start_api(workers=0)
    job_id = submit(first.client(), {"url": acme, "maxPages": 2, "explain": True})
    first.close()
    first.server.stop()
    second = start_api(data_dir=first.data_dir, workers=1)
    job = wait_job(second.client(), job_id, timeout=15)
    assert job["status"] == "completed", job
    _check_explain(job["result"])


def test_the_python_client_passes_explain_through(api: Api, acme: str) -> None:
    with Client(api.url, api.key.key) as client:
        result = client.extract(acme, singlePage=True, explain=True)
    _check_explain(result)


@pytest.mark.parametrize("route", EXTRACT_ROUTES)
@pytest.mark.parametrize("value", ["yes", 1, None], ids=["string", "number", "null"])
def test_explain_must_be_a_boolean(api: Api, route: str, value: object) -> None:
    client = api.client()
    response = client.post(route, json={"url": "http://acme.test/", "explain": value})
    assert "explain" in error_body(response, 400)
    assert client.get("/v1/jobs").json()["jobs"] == [], "a refused request creates no job"
