"""POST /v1/sitemap and POST /v1/scrape: run as jobs on the workers and awaited."""

from __future__ import annotations

from tests.apikit import Api, error_body
from tests.sitekit import ACME_HOME, serve_acme
from tests.webserver import WebServer


def test_a_sitemap_ranks_the_sites_urls(api: Api, web: WebServer) -> None:
    serve_acme(web)
    response = api.client().post("/v1/sitemap", json={"url": ACME_HOME, "limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["url"] == ACME_HOME and body["count"] == len(body["urls"]) == 5
    assert body["urls"][0] == ACME_HOME
    assert [page["url"] for page in body["pages"]] == body["urls"]
    assert {"pricing", "home"} <= {page["purpose"] for page in body["pages"]}


def test_a_scrape_is_one_page_as_markdown(api: Api, web: WebServer) -> None:
    serve_acme(web)
    response = api.client().post("/v1/scrape", json={"url": ACME_HOME + "pricing/"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"url", "markdown", "title", "description", "links"}
    assert "\n# " in body["markdown"] and body["title"]


def test_bad_and_failing_requests(api: Api, web: WebServer) -> None:
    serve_acme(web)
    client = api.client()
    assert "must start with http" in error_body(client.post("/v1/scrape", json={"url": "x"}), 400)
    assert "limit" in error_body(
        client.post("/v1/sitemap", json={"url": ACME_HOME, "limit": 0}), 400
    )
    missing = client.post("/v1/scrape", json={"url": ACME_HOME + "nope/"})
    assert "404" in error_body(missing, 502)


def test_a_site_tools_job_is_its_keys_alone(api: Api, web: WebServer) -> None:
    serve_acme(web)
    mine, other = api.client(), api.client(api.other.key)
    assert mine.post("/v1/scrape", json={"url": ACME_HOME}).status_code == 200
    assert mine.post("/v1/sitemap", json={"url": ACME_HOME}).status_code == 200
    jobs = mine.get("/v1/jobs").json()["jobs"]
    assert len(jobs) == 2 and all(job["url"] == ACME_HOME for job in jobs)
    assert other.get("/v1/jobs").json()["jobs"] == []
    for job in jobs:
        assert other.get(f"/v1/jobs/{job['id']}").status_code == 404
