"""Account webhooks receive their key's jobs' events, signed with their own token, beside a
job's ``callbackUrl`` (signed with the key's secret); ``POST /v1/webhooks/{id}/test``.

The receivers are routes of the test web server (``hooks.test``, resolved to 127.0.0.1).
The job's events are sent on both stores (an in-process server on each).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitelore.webhooks import EVENT_ID_HEADER, verify
from tests.api.conftest import StartApi
from tests.apikit import (
    Api,
    ApiServer,
    Key,
    Receiver,
    error_body,
    eventually,
    quick_settings,
    read_sse,
    submit,
    wait_job,
)
from tests.jobs.conftest import fresh_pg_schema, open_postgres
from tests.webserver import Request, Response, WebServer

HOOKS = "hooks.test"
JOB_EVENTS = ["EXTRACTION_STARTED", "PAGE_SCRAPED", "EXTRACTION_COMPLETED", "EXTRACTION_FAILED"]


def _receiver(web: WebServer, path: str) -> Receiver:
    found = Receiver()

    def answer(request: Request) -> Response:
        found.record(request.headers, request.body)
        return Response(200, {"Content-Type": "text/plain"}, b"ok\n")

    web.add_route(HOOKS, path, answer)
    return found


@pytest.fixture
def receivers(web: WebServer) -> dict[str, Receiver]:
    """A callbackUrl's receiver, and two account webhooks' (every event / completions)."""
    return {name: _receiver(web, f"/{name}") for name in ("callback", "every", "done")}


@pytest.fixture(params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, start_api: StartApi, tmp_path: Path, web: WebServer
) -> Iterator[Api]:
    """A server with job workers on each store."""
    if request.param == "sqlite":
        yield start_api()
        return
    with fresh_pg_schema() as conninfo:
        key, other = _postgres_keys(conninfo)
        settings = quick_settings(tmp_path / "pg", database_url=conninfo)
        with ApiServer(settings, web.resolver()) as server:
            api = Api(server, key, other, tmp_path / "pg")
            yield api
            api.close()


def _postgres_keys(conninfo: str) -> tuple[Key, Key]:
    async def create() -> tuple[Key, Key]:
        async with open_postgres(conninfo) as store:
            made = [await store.create_key(name) for name in ("main", "other")]
            return Key(*made[0]), Key(*made[1])

    return asyncio.run(create())


def _create(client: Any, name: str, events: list[str]) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={"url": f"http://{HOOKS}/{name}", "events": events})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(body) for _, body in receiver.received()]


def test_a_jobs_events_reach_its_keys_webhooks_signed_with_their_tokens(
    served: Api, acme: str, receivers: dict[str, Receiver]
) -> None:
    api = served
    client = api.client()
    every = _create(client, "every", JOB_EVENTS)
    done = _create(client, "done", ["EXTRACTION_COMPLETED"])
    job_id = submit(client, {"url": acme, "maxPages": 2, "callbackUrl": f"http://{HOOKS}/callback"})
    assert wait_job(client, job_id)["status"] == "completed"
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        pages = len(read_sse(sse).of("page_scraped"))
    assert pages >= 2

    def all_sent() -> bool:
        return all(
            receiver.events().count("PAGE_SCRAPED") == pages
            and "EXTRACTION_COMPLETED" in receiver.events()
            for receiver in (receivers["every"], receivers["callback"])
        ) and bool(receivers["done"].received())

    eventually(all_sent, timeout=10)
    time.sleep(0.3)  # nothing else should come

    expected = ["EXTRACTION_STARTED"] + ["PAGE_SCRAPED"] * pages + ["EXTRACTION_COMPLETED"]
    assert sorted(receivers["every"].events()) == sorted(expected)
    assert receivers["done"].events() == ["EXTRACTION_COMPLETED"], "its events only"
    assert sorted(receivers["callback"].events()) == sorted(expected)

    signers = {
        "every": every["token"],
        "done": done["token"],
        "callback": api.key.webhook_secret,
    }
    for name, receiver in receivers.items():
        for headers, body in receiver.received():
            assert verify(signers[name], headers, body), f"{name} signed with its secret"
            others = [secret for other, secret in signers.items() if other != name]
            assert not any(verify(secret, headers, body) for secret in others)
            assert not verify(api.other.webhook_secret, headers, body)

    # The same bodies as the callbackUrl's, each delivery with an event id of its own.
    assert sorted(r.decode() for _, r in receivers["every"].received()) == sorted(
        r.decode() for _, r in receivers["callback"].received()
    )
    ids = [h[EVENT_ID_HEADER] for receiver in receivers.values() for h, _ in receiver.received()]
    assert len(set(ids)) == len(ids)
    [completed] = _bodies(receivers["done"])
    assert completed["payload"]["id"] == job_id and completed["payload"]["status"] == "completed"


def test_a_webhook_of_another_key_or_deleted_hears_nothing(
    api: Api, acme: str, receivers: dict[str, Receiver]
) -> None:
    mine, theirs = api.client(), api.client(api.other.key)
    _create(theirs, "every", JOB_EVENTS)
    deleted = _create(mine, "done", JOB_EVENTS)
    assert mine.delete(f"/v1/webhooks/{deleted['id']}").status_code == 204
    job_id = submit(
        mine, {"url": acme, "singlePage": True, "callbackUrl": f"http://{HOOKS}/callback"}
    )
    assert wait_job(mine, job_id)["status"] == "completed"
    eventually(lambda: "EXTRACTION_COMPLETED" in receivers["callback"].events())
    time.sleep(0.3)
    assert receivers["every"].received() == [] and receivers["done"].received() == []


def test_the_test_route_queues_one_signed_test_event(
    start_api: StartApi, receivers: dict[str, Receiver]
) -> None:
    api = start_api(workers=0)  # no job workers: the sender runs in every process
    client = api.client()
    hook = _create(client, "every", ["EXTRACTION_COMPLETED"])
    answer = client.post(f"/v1/webhooks/{hook['id']}/test")
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert queued["status"] == "queued" and queued["id"].startswith("evt_")

    [(headers, body)] = eventually(lambda: receivers["every"].received() or None)
    assert headers[EVENT_ID_HEADER] == queued["id"]
    assert verify(hook["token"], headers, body)
    assert not verify(api.key.webhook_secret, headers, body)
    sent = json.loads(body)
    assert set(sent) == {"event", "payload", "timestamp", "version"}
    assert (sent["event"], sent["payload"], sent["version"]) == (
        "WEBHOOK_TEST",
        {"webhookId": hook["id"]},
        1,
    )


def test_the_test_route_answers_404_for_a_webhook_not_the_keys(
    start_api: StartApi, receivers: dict[str, Receiver]
) -> None:
    api = start_api(workers=0)
    mine, theirs = api.client(), api.client(api.other.key)
    hook = _create(mine, "every", JOB_EVENTS)
    assert hook["id"] in error_body(theirs.post(f"/v1/webhooks/{hook['id']}/test"), 404)
    assert mine.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    assert hook["id"] in error_body(mine.post(f"/v1/webhooks/{hook['id']}/test"), 404)
    error_body(mine.post("/v1/webhooks/weh_unknown/test"), 404)
    time.sleep(0.3)
    assert receivers["every"].received() == []
