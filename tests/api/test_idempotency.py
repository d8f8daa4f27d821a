"""``Idempotency-Key`` on ``POST /v1/extract/async``, on both stores (SQLite, PostgreSQL).

As the IETF Idempotency-Key draft says: the same key with the same request is the same job;
the same key with another request is a 422, never the old job passed off as the new one.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.apikit import ApiServer, create_key, error_body, quick_settings
from tests.jobs.conftest import fresh_pg_schema
from tests.pgkit import store_create_key

SITE = "http://a.test/"
ASYNC = "/v1/extract/async"


@pytest.fixture(params=["sqlite", "postgres"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[httpx.Client]:
    """A client of an API-only server (its jobs stay pending) on each store."""
    data = tmp_path / "data"
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            key = create_key(data, "main").key
            settings = quick_settings(data, workers=0)
        else:
            conninfo = stack.enter_context(fresh_pg_schema())
            key = store_create_key(conninfo)
            settings = quick_settings(data, workers=0, database_url=conninfo)
        server = stack.enter_context(ApiServer(settings))
        yield stack.enter_context(
            httpx.Client(base_url=server.url, headers={"x-api-key": key}, trust_env=False)
        )


def _post(client: httpx.Client, body: bytes, key: str) -> httpx.Response:
    headers = {"content-type": "application/json", "idempotency-key": key}
    return client.post(ASYNC, content=body, headers=headers)


def _job_ids(client: httpx.Client) -> list[str]:
    return [job["id"] for job in client.get("/v1/jobs", params={"limit": 100}).json()["jobs"]]


def test_the_same_request_again_is_the_same_job_whatever_its_spelling(
    client: httpx.Client,
) -> None:
    first = _post(client, json.dumps({"url": SITE, "maxPages": 3}).encode(), "order-42")
    assert first.status_code == 202, first.text
    # The same request: keys in another order, other whitespace, a default spelled out.
    again = b'{\n  "maxPages" : 3,  "singlePage": false,\n  "url" : "http://a.test/"\n}'
    second = _post(client, again, "order-42")
    assert second.status_code == 202, second.text
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert _job_ids(client) == [first.json()["jobId"]]


@pytest.mark.parametrize(
    "other",
    [
        {"url": SITE, "maxPages": 4},
        {"url": "http://b.test/", "maxPages": 3},
        {"url": SITE, "maxPages": 3, "excludePatterns": ["/blog/**"]},
    ],
    ids=["other-max-pages", "other-url", "other-patterns"],
)
def test_the_same_key_with_another_request_is_422_not_the_old_job(
    client: httpx.Client, other: dict[str, object]
) -> None:
    first = _post(client, json.dumps({"url": SITE, "maxPages": 3}).encode(), "order-42")
    job_id = first.json()["jobId"]
    message = error_body(_post(client, json.dumps(other).encode(), "order-42"), 422)
    assert message == (
        f"Idempotency-Key 'order-42' was used for another request (job {job_id}): send the "
        "same request to get that job again, or a new key for a new job"
    )
    assert _job_ids(client) == [job_id]
    # The key still stands for its own request; another key makes another job.
    assert (
        _post(client, json.dumps({"url": SITE, "maxPages": 3}).encode(), "order-42").json()["jobId"]
        == job_id
    )
    assert _post(client, json.dumps(other).encode(), "order-43").status_code == 202
    assert len(_job_ids(client)) == 2
