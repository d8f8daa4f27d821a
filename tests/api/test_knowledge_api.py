"""Knowledge through the API: a completed job's site is kept under its key, listed, read,
searched and deleted; another key sees none of it; bad queries are 400s."""

from __future__ import annotations

import pytest

from tests.apikit import Api, error_body, submit, wait_job
from tests.sitekit import ACME_HOME, serve_acme
from tests.webserver import WebServer


@pytest.fixture
def extracted(api: Api, web: WebServer) -> Api:
    serve_acme(web)
    client = api.client()
    job = wait_job(client, submit(client, {"url": ACME_HOME, "maxPages": 5}), timeout=60)
    assert job["status"] == "completed", job
    return api


def test_a_completed_jobs_site_is_kept_listed_and_read(extracted: Api) -> None:
    client = extracted.client()
    listed = client.get("/v1/knowledge").json()
    assert [entry["domain"] for entry in listed["domains"]] == ["acme.test"]
    assert listed["domains"][0]["itemCount"] > 0
    site = client.get("/v1/knowledge/acme.test").json()
    assert site["business"]["name"]
    assert site["knowledgeItems"] and all(item["id"] for item in site["knowledgeItems"])


def test_search_finds_the_items_and_another_key_sees_nothing(extracted: Api) -> None:
    client = extracted.client()
    found = client.post("/v1/search", json={"query": "technicians"}).json()
    assert found["total"] >= 1 and found["query"] == "technicians"
    hit = found["hits"][0]
    assert {"id", "title", "content", "category", "source", "score", "domain", "snippet"} <= set(
        hit
    )
    assert hit["domain"] == "acme.test" and 0 < hit["score"] <= 1
    other = extracted.client(extracted.other.key)
    assert other.post("/v1/search", json={"query": "technicians"}).json()["total"] == 0
    assert other.get("/v1/knowledge").json()["domains"] == []
    assert "no knowledge of acme.test" in error_body(other.get("/v1/knowledge/acme.test"), 404)
    assert other.delete("/v1/knowledge/acme.test").status_code == 404


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"query": ""}, "query"),
        ({"query": "   "}, "query"),
        ({"query": '"'}, "query"),
        ({"query": "*"}, "query"),
        ({"query": "pricing", "category": "NOT_A_CATEGORY"}, "category"),
        ({"query": "pricing", "limit": 0}, "limit"),
        ({"query": "x" * 2_001}, "query"),
        ({}, "query"),
    ],
)
def test_bad_searches_are_400s(extracted: Api, body: dict[str, object], said: str) -> None:
    assert said in error_body(extracted.client().post("/v1/search", json=body), 400)


@pytest.mark.parametrize("query", ["C++", "starter-plan", "NEAR(a b)", "-x", 'a "b', "é", "a*"])
def test_odd_queries_answer(extracted: Api, query: str) -> None:
    response = extracted.client().post("/v1/search", json={"query": query})
    assert response.status_code == 200, response.text


def test_delete_forgets_the_site(extracted: Api) -> None:
    client = extracted.client()
    assert client.delete("/v1/knowledge/acme.test").json() == {
        "domain": "acme.test",
        "deleted": True,
    }
    assert client.get("/v1/knowledge/acme.test").status_code == 404
    assert client.post("/v1/search", json={"query": "technicians"}).json()["total"] == 0
