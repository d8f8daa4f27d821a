"""Webhooks: signed, unique-id deliveries to ``callbackUrl``, retried, kept across a restart.

The receiver is a route of the test web server (``hooks.test``, resolved to 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from sitelore.crawl.transport import build_client
from sitelore.jobs.deliveries import DeliverySender
from sitelore.jobs.metrics import JobMetrics
from sitelore.jobs.models import webhook_body
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, verify
from tests.api.conftest import StartApi, serve_slow
from tests.apikit import (
    CRAWL,
    ISO_MILLIS,
    Api,
    Receiver,
    create_key,
    error_body,
    eventually,
    get_job,
    read_sse,
    submit,
    wait_job,
)
from tests.webserver import Request, Response, WebServer

HOOK = "http://hooks.test/hook"
CALLER = "http://acme.test/"
HOOK_EVENTS = {"EXTRACTION_STARTED", "PAGE_SCRAPED", "EXTRACTION_COMPLETED", "EXTRACTION_FAILED"}


@pytest.fixture
def receiver(web: WebServer) -> Receiver:
    found = Receiver()

    def answer(request: Request) -> Response:
        found.record(request.headers, request.body)
        if found.hang:
            web.sleep(found.hang)
        return Response(found.status, {"Content-Type": "text/plain"}, b"ok\n")

    web.add_route("hooks.test", "/hook", answer)
    return found


def _bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(body) for _, body in receiver.received()]


def _wait_for_event(receiver: Receiver, event: str, timeout: float = 10.0) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next((body for body in _bodies(receiver) if body["event"] == event), None)

    return eventually(found, timeout=timeout)


def test_a_job_with_a_callback_sends_signed_events(api: Api, acme: str, receiver: Receiver) -> None:
    client = api.client()
    job_id = submit(client, {"url": acme, "maxPages": 2, "callbackUrl": HOOK})
    job = wait_job(client, job_id)
    assert job["status"] == "completed"
    completed = _wait_for_event(receiver, "EXTRACTION_COMPLETED")
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as sse:
        pages = len(read_sse(sse).of("page_scraped"))
    eventually(lambda: receiver.events().count("PAGE_SCRAPED") == pages, timeout=5)
    time.sleep(0.3)  # nothing else should come

    calls = receiver.received()
    events = receiver.events()
    assert sorted(set(events)) == ["EXTRACTION_COMPLETED", "EXTRACTION_STARTED", "PAGE_SCRAPED"]
    assert events.count("EXTRACTION_STARTED") == events.count("EXTRACTION_COMPLETED") == 1
    ids = [headers[EVENT_ID_HEADER] for headers, _ in calls]
    assert len(set(ids)) == len(ids), "every delivery has its own event id"
    secret = api.key.webhook_secret
    for headers, body in calls:
        assert headers["content-type"].startswith("application/json")
        assert headers[SIGNATURE_HEADER].startswith("t=")
        assert verify(secret, headers, body)
        assert not verify(secret, headers, body.replace(b'"version":1', b'"version":2'))
        assert not verify(secret, headers, body + b" ")
        assert not verify(api.other.webhook_secret, headers, body)
        message = json.loads(body)
        assert set(message) == {"event", "payload", "timestamp", "version"}
        assert message["version"] == 1
        assert ISO_MILLIS.match(message["timestamp"])
        assert message["event"] in HOOK_EVENTS

    assert completed["payload"] == get_job(client, job_id)  # the job object with its result
    assert completed["payload"]["result"]["pagesScraped"] == 2
    started = _wait_for_event(receiver, "EXTRACTION_STARTED")
    assert started["payload"]["id"] == job_id
    assert started["payload"]["status"] == "processing"
    for sent in _bodies(receiver):
        if sent["event"] == "PAGE_SCRAPED":
            assert sent["payload"]["jobId"] == job_id
            assert sent["payload"]["status"] in ("done", "failed")


def test_a_failed_job_sends_extraction_failed(api: Api, receiver: Receiver) -> None:
    client = api.client()
    job_id = submit(client, {"url": "http://nowhere.test/", "callbackUrl": HOOK})
    job = wait_job(client, job_id)
    failed = _wait_for_event(receiver, "EXTRACTION_FAILED")
    assert failed["payload"] == job
    assert failed["payload"]["error"] and failed["payload"]["result"] is None
    assert "EXTRACTION_COMPLETED" not in receiver.events()


def test_cancelling_a_pending_job_sends_extraction_failed(
    start_api: StartApi, acme: str, receiver: Receiver
) -> None:
    api = start_api(workers=0)
    client = api.client()
    job_id = submit(client, {"url": acme, "callbackUrl": HOOK})
    assert client.post(f"/v1/jobs/{job_id}/cancel").status_code == 202
    failed = _wait_for_event(receiver, "EXTRACTION_FAILED", timeout=2.5)
    assert failed["payload"]["error"] == "Job cancelled"


def test_cancelling_a_processing_job_sends_extraction_failed(
    api: Api, web: WebServer, receiver: Receiver
) -> None:
    home = serve_slow(web, delay=2.5)
    client = api.client()
    job_id = submit(client, {"url": home, "maxPages": 3, "callbackUrl": HOOK})
    wait_job(client, job_id, until=lambda job: job["status"] == "processing", timeout=5)
    assert client.post(f"/v1/jobs/{job_id}/cancel").status_code == 202
    failed = _wait_for_event(receiver, "EXTRACTION_FAILED")
    assert failed["payload"]["error"] == "Job cancelled"


def test_a_failing_receiver_never_changes_the_job(api: Api, acme: str, receiver: Receiver) -> None:
    receiver.status = 500
    client = api.client()
    job_id = submit(client, {"url": acme, "singlePage": True, "callbackUrl": HOOK})
    _wait_for_event(receiver, "EXTRACTION_COMPLETED")
    job = wait_job(client, job_id)
    assert job["status"] == "completed" and job["error"] is None


def test_a_pending_delivery_survives_a_restart(
    start_api: StartApi, acme: str, receiver: Receiver
) -> None:
    """The first server's deliveries hang at the receiver; it stops; the next one sends them."""
    receiver.hang = 8.0
    first = start_api()
    client = first.client()
    job_id = submit(client, {"url": acme, "singlePage": True, "callbackUrl": HOOK})
    assert wait_job(client, job_id)["status"] == "completed"
    eventually(lambda: receiver.received() or None, timeout=5)  # one attempt is in flight
    first.close()
    first.server.stop()
    tried = {headers[EVENT_ID_HEADER] for headers, _ in receiver.received()}

    before = receiver.received()
    tried = {headers[EVENT_ID_HEADER] for headers, _ in before}
    assert tried
    receiver.hang = 0.0
    start_api(data_dir=first.data_dir)

    def resent_all() -> list[tuple[dict[str, str], bytes]] | None:
        after = receiver.received()[len(before) :]
        events = [json.loads(body)["event"] for _, body in after]
        done = "EXTRACTION_COMPLETED" in events and "EXTRACTION_STARTED" in events
        return after if done else None

    after = eventually(resent_all, timeout=10)
    assert tried <= {headers[EVENT_ID_HEADER] for headers, _ in after}, "same event ids"
    ids_per_event: dict[str, set[str]] = {}
    for headers, body in after:
        assert verify(first.key.webhook_secret, headers, body)
        ids_per_event.setdefault(json.loads(body)["event"], set()).add(headers[EVENT_ID_HEADER])
    assert all(len(ids) == 1 for ids in ids_per_event.values()), ids_per_event
    completed = next(json.loads(b) for _, b in after if b"EXTRACTION_COMPLETED" in b)
    assert completed["payload"]["id"] == job_id
    assert completed["payload"]["status"] == "completed"


@pytest.mark.parametrize(
    ("callback", "words"),
    [
        pytest.param("http://xn--/", "host 'xn--' is not a valid internationalised", id="xn--"),
        pytest.param("http://" + "a" * 64 + ".test/", "label of 64 characters", id="long-label"),
        pytest.param("http://hooks.test:70000/", "port must be a number", id="port"),
    ],
)
def test_a_callback_url_that_cannot_be_sent_is_a_400_saying_why(
    api: Api, callback: str, words: str
) -> None:
    client = api.client()
    response = client.post("/v1/extract/async", json={"url": CALLER, "callbackUrl": callback})
    message = error_body(response, 400)
    assert message.startswith("callbackUrl is not a valid URL: ") and words in message
    assert client.get("/v1/jobs").json()["jobs"] == []


# -- the sender alone: the app has no setting for the first retry delay (5 s) --------------


def test_sender_retries_a_failed_delivery_with_the_same_event_id(
    web: WebServer, receiver: Receiver, tmp_path: Path
) -> None:
    answers = [500, 503, 200]
    moments: list[float] = []

    def answer(request: Request) -> Response:
        moments.append(time.monotonic())
        receiver.record(request.headers, request.body)
        return Response(answers.pop(0) if answers else 200, {}, b"")

    web.add_route("hooks.test", "/hook", answer)
    key = create_key(tmp_path, "main")

    async def scenario() -> None:
        store = SQLiteStore(tmp_path / "sitelore.db")
        client = _client(web)
        try:
            body = webhook_body("EXTRACTION_COMPLETED", {"id": "job_x"})
            await store.add_delivery("job_x", key.id, HOOK, "EXTRACTION_COMPLETED", body)
            sender = DeliverySender(store, client, first_retry=0.1, poll_interval=0.05)
            task = asyncio.create_task(sender.run())
            deadline = time.monotonic() + 10
            while len(receiver.received()) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # a delivered event is not sent again
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            assert await store.due_deliveries(time.time() + 3600, 10) == []
        finally:
            await client.aclose()
            await store.close()

    asyncio.run(scenario())
    calls = receiver.received()
    assert len(calls) == 3
    assert len({headers[EVENT_ID_HEADER] for headers, _ in calls}) == 1
    assert len({body for _, body in calls}) == 1
    for headers, body in calls:
        assert verify(key.webhook_secret, headers, body)
    # Exponential backoff: at least 0.1 s, then at least 0.2 s between attempts.
    assert moments[1] - moments[0] >= 0.09
    assert moments[2] - moments[1] >= 0.19


def test_sender_gives_up_after_max_attempts(
    web: WebServer, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.status = 500
    key = create_key(tmp_path, "main")
    registry = CollectorRegistry()

    async def scenario() -> None:
        store = SQLiteStore(tmp_path / "sitelore.db")
        client = _client(web)
        try:
            body = webhook_body("EXTRACTION_STARTED", {"id": "job_y"})
            await store.add_delivery("job_y", key.id, HOOK, "EXTRACTION_STARTED", body)
            metrics = JobMetrics(registry)
            sender = DeliverySender(
                store, client, first_retry=0.05, max_attempts=3, metrics=metrics
            )
            deadline = time.monotonic() + 10
            while len(receiver.received()) < 3 and time.monotonic() < deadline:
                await sender.send_due()
                await asyncio.sleep(0.05)
            for _ in range(4):  # no fourth attempt, however long we wait
                await asyncio.sleep(0.1)
                await sender.send_due()
            assert await store.due_deliveries(time.time() + 3600, 10) == []
        finally:
            await client.aclose()
            await store.close()

    asyncio.run(scenario())
    assert len(receiver.received()) == 3
    outcomes = {
        outcome: registry.get_sample_value(
            "sitelore_webhook_deliveries_total", {"outcome": outcome}
        )
        for outcome in ("delivered", "retrying", "failed")
    }
    assert outcomes == {"delivered": 0, "retrying": 2, "failed": 1}


def test_a_delivery_that_cannot_be_sent_fails_after_its_attempts(
    web: WebServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A URL the client refuses (stored by an older version that accepted it) is a failed
    attempt like any other, logged in one line; after ``max_attempts`` it is never sent again."""
    key = create_key(tmp_path, "main")

    async def scenario() -> None:
        store = SQLiteStore(tmp_path / "sitelore.db")
        client = _client(web)
        try:
            body = webhook_body("EXTRACTION_COMPLETED", {"id": "job_old"})
            await store.add_delivery(
                "job_old", key.id, "http://xn--/", "EXTRACTION_COMPLETED", body
            )
            sender = DeliverySender(
                store, client, first_retry=0.02, max_attempts=3, poll_interval=0.02
            )
            task = asyncio.create_task(sender.run())
            deadline = time.monotonic() + 10
            while _delivery_rows(tmp_path)[0][0] == "pending" and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.3)  # time for more attempts, were any still due
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            await client.aclose()
            await store.close()

    with caplog.at_level(logging.WARNING, logger="sitelore.webhooks"):
        asyncio.run(scenario())
    [(status, attempts, error)] = _delivery_rows(tmp_path)
    assert (status, attempts) == ("failed", 3)
    assert "Malformed A-label" in error
    lines = [r for r in caplog.records if r.name == "sitelore.webhooks"]
    assert [r.getMessage().split(" failed ")[0] for r in lines] == [
        f"webhook EXTRACTION_COMPLETED of job job_old: attempt {n} of 3" for n in (1, 2, 3)
    ]
    assert all(not r.exc_info and "Malformed A-label" in r.getMessage() for r in lines)
    assert lines[-1].getMessage().endswith("given up")


def test_a_store_outage_is_logged_once_not_at_every_poll(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The database cannot be opened (its directory is missing), then it can."""
    folder = tmp_path / "later"

    def lines() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "sitelore.webhooks"]

    async def scenario() -> None:
        store = SQLiteStore(folder / "sitelore.db")
        client = httpx.AsyncClient()
        sender = DeliverySender(store, client, poll_interval=0.02)
        task = asyncio.create_task(sender.run())
        try:
            await asyncio.sleep(0.4)  # many polls, all failing the same way
            folder.mkdir()
            deadline = time.monotonic() + 10
            while len(lines()) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await client.aclose()
            await store.close()

    with caplog.at_level(logging.INFO, logger="sitelore.webhooks"):
        asyncio.run(scenario())
    paused, resumed = lines()
    assert paused.getMessage().startswith("webhook deliveries paused: StoreUnavailable: ")
    assert "unable to open database file" in paused.getMessage()
    assert not paused.exc_info, "an outage is one line, not a traceback"
    assert resumed.getMessage() == "webhook deliveries resumed"


def _delivery_rows(data_dir: Path) -> list[tuple[str, int, str]]:
    with contextlib.closing(sqlite3.connect(data_dir / "sitelore.db")) as db:
        return db.execute("SELECT status, attempts, last_error FROM deliveries").fetchall()


def _client(web: WebServer) -> httpx.AsyncClient:
    """The client the app gives its sender, resolving hooks.test to the test web server."""
    return build_client(CRAWL, web.resolver())
