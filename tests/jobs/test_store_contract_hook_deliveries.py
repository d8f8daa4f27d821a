"""The storage contract of deliveries to account webhooks, the same on every backend.

A job's event is owed to its ``callbackUrl`` and to each active webhook of its key
subscribed to the event (an extraction's only); a webhook's deliveries carry its token to
the sender; deleting a webhook fails its pending deliveries; retention deletes them.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from sitelore.jobs.hookstore import WEBHOOK_EVENTS, Webhook
from sitelore.jobs.models import Delivery, Ending, Job, webhook_body
from sitelore.jobs.store import JobStore
from sitelore.models import ExtractRequest, JobTask
from tests.jobs.conftest import (
    KEY,
    OTHER_KEY,
    REQUEST,
    WORKER,
    Backend,
    delivery_rows,
    link_count,
    running,
)

HOOK_URL = "https://hooks.example/in"
CALLBACK = "https://callback.example/job"
LATER = 3600.0  # due_deliveries "now": everything stored is due by then
COMPLETED = Ending("complete", {"result": {"pagesScraped": 1}}, "EXTRACTION_COMPLETED")


async def _hook(store: JobStore, *events: str, key: str = KEY, name: str = "h") -> Webhook:
    return await store.create_webhook(key, f"{HOOK_URL}/{name}", events, name)


async def _emit(store: JobStore, job: Job, event: str) -> int:
    return await store.add_event_deliveries(job, event, webhook_body(event, job.to_dict()))


async def _due(store: JobStore) -> list[Delivery]:
    return await store.due_deliveries(time.time() + LATER, limit=100)


def _sent(due: list[Delivery]) -> list[tuple[str, str | None, str]]:
    """(event, webhook id, url) of each due delivery, sorted (a callbackUrl's first)."""
    return sorted(((d.event, d.webhook_id, d.url) for d in due), key=lambda s: (s[0], s[1] or ""))


def test_each_event_reaches_the_webhooks_subscribed_to_it(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        ends = await _hook(store, "EXTRACTION_COMPLETED", "EXTRACTION_FAILED", name="ends")
        pages = await _hook(store, "EXTRACTION_STARTED", "PAGE_SCRAPED", name="pages")
        job = await running(store)
        assert await _emit(store, job, "EXTRACTION_STARTED") == 1
        assert await _emit(store, job, "PAGE_SCRAPED") == 1
        finished = await store.finish_job(job.id, WORKER, result={"ok": 1}, ending=COMPLETED)
        assert finished is not None

        due = await _due(store)
        assert _sent(due) == [
            ("EXTRACTION_COMPLETED", ends.id, ends.url),
            ("EXTRACTION_STARTED", pages.id, pages.url),
            ("PAGE_SCRAPED", pages.id, pages.url),
        ]
        tokens = {hook.id: hook.token for hook in (ends, pages)}
        assert all(d.token == tokens[d.webhook_id or ""] for d in due), "each its own token"
        assert all((d.job_id, d.key_id) == (job.id, KEY) for d in due)
        completed = json.loads(next(d.body for d in due if d.event == "EXTRACTION_COMPLETED"))
        assert completed["payload"] == finished.to_dict(), "the job, as a callbackUrl gets it"

    backend.run(body)


def test_a_callback_and_the_webhooks_each_get_their_delivery(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        hook = await _hook(store, *WEBHOOK_EVENTS)
        job = await running(store, request=replace(REQUEST, callback_url=CALLBACK))
        text = webhook_body("PAGE_SCRAPED", {"jobId": job.id, "url": "https://example.com/"})
        assert await store.add_event_deliveries(job, "PAGE_SCRAPED", text) == 2
        due = await _due(store)
        assert _sent(due) == [
            ("PAGE_SCRAPED", None, CALLBACK),
            ("PAGE_SCRAPED", hook.id, hook.url),
        ]
        assert [d.body for d in due] == [text, text], "the same body"
        callback = next(d for d in due if d.webhook_id is None)
        assert callback.token is None, "a callbackUrl's is signed with the key's secret"
        assert len({d.id for d in due}) == 2

    backend.run(body)


def test_nobody_listening_adds_nothing(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        assert await _emit(store, job, "PAGE_SCRAPED") == 0
        await store.finish_job(job.id, WORKER, result={}, ending=COMPLETED)
        assert await _due(store) == []
        assert await delivery_rows(store) == []

    backend.run(body)


def test_deleted_webhooks_and_other_keys_webhooks_get_nothing(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        deleted = await _hook(store, *WEBHOOK_EVENTS, name="deleted")
        assert await store.delete_webhook(deleted.id, KEY)
        others = await _hook(store, *WEBHOOK_EVENTS, key=OTHER_KEY, name="others")
        job = await running(store)
        for event in ("EXTRACTION_STARTED", "PAGE_SCRAPED"):
            assert await _emit(store, job, event) == 0
        await store.finish_job(job.id, WORKER, error="boom", ending=Ending.failed("boom"))
        assert await _due(store) == []
        # ... while the other key's own jobs do reach its webhook.
        theirs = await store.create_job(OTHER_KEY, REQUEST)
        assert await _emit(store, theirs, "EXTRACTION_STARTED") == 1
        assert _sent(await _due(store)) == [("EXTRACTION_STARTED", others.id, others.url)]

    backend.run(body)


@pytest.mark.parametrize("task", [JobTask.SITEMAP, JobTask.SCRAPE])
def test_only_extractions_feed_account_webhooks(backend: Backend, task: JobTask) -> None:
    async def body(store: JobStore) -> None:
        await _hook(store, *WEBHOOK_EVENTS)
        job = await running(store, request=ExtractRequest("https://example.com/", task=task))
        assert await _emit(store, job, "EXTRACTION_STARTED") == 0
        await store.finish_job(job.id, WORKER, result={}, ending=COMPLETED)
        assert await _due(store) == []

    backend.run(body)


def test_cancelling_a_pending_job_owes_its_webhooks_extraction_failed(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        hook = await _hook(store, "EXTRACTION_FAILED")
        job = await store.create_job(KEY, REQUEST)
        await store.request_cancel(job.id, KEY)
        [failed] = await _due(store)
        assert (failed.event, failed.webhook_id, failed.token) == (
            "EXTRACTION_FAILED",
            hook.id,
            hook.token,
        )
        assert '"error":"Job cancelled"' in failed.body

    backend.run(body)


def test_deleting_a_webhook_fails_its_pending_deliveries(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        doomed = await _hook(store, "PAGE_SCRAPED", name="doomed")
        kept = await _hook(store, "PAGE_SCRAPED", name="kept")
        job = await running(store, request=replace(REQUEST, callback_url=CALLBACK))
        for _ in range(3):
            await _emit(store, job, "PAGE_SCRAPED")
        leased = [d for d in await _due(store) if d.webhook_id == doomed.id]
        sent, in_flight, retried = leased  # all three being sent when the webhook goes
        await store.record_delivery(sent.id, delivered=True, error=None, next_at=None)

        assert await store.delete_webhook(doomed.id, KEY)
        await store.record_delivery(in_flight.id, delivered=True, error=None, next_at=None)
        retry_at = time.time() + 1
        await store.record_delivery(retried.id, delivered=False, error="HTTP 500", next_at=retry_at)

        outcome = {
            row["id"]: (row["status"], row["last_error"])
            for row in await delivery_rows(store)
            if row["webhook_id"] == doomed.id
        }
        assert outcome == {
            sent.id: ("delivered", None),
            in_flight.id: ("delivered", None),  # it got through: so it says
            retried.id: ("failed", "webhook deleted"),  # never tried again
        }
        others = [row for row in await delivery_rows(store) if row["webhook_id"] != doomed.id]
        assert len(others) == 6 and all(row["status"] == "pending" for row in others)
        assert {row["webhook_id"] for row in others} == {None, kept.id}

    backend.run(body)


def test_deleting_a_webhook_fails_what_is_not_sent_yet(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        hook = await _hook(store, "PAGE_SCRAPED")
        job = await running(store)
        await _emit(store, job, "PAGE_SCRAPED")
        await _emit(store, job, "PAGE_SCRAPED")
        assert await store.delete_webhook(hook.id, OTHER_KEY) is False  # not its webhook
        assert await store.delete_webhook(hook.id, KEY) is True
        rows = await delivery_rows(store)
        assert [(r["status"], r["last_error"]) for r in rows] == [("failed", "webhook deleted")] * 2
        assert await _due(store) == []
        assert await _emit(store, job, "PAGE_SCRAPED") == 0

    backend.run(body)


def test_a_test_delivery_goes_to_the_keys_active_webhook_only(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        hook = await _hook(store, "EXTRACTION_COMPLETED")
        delivery = await store.queue_webhook_test(hook.id, KEY)
        assert delivery is not None and delivery.event == "WEBHOOK_TEST"
        assert await store.queue_webhook_test(hook.id, OTHER_KEY) is None
        assert await store.queue_webhook_test("weh_unknown", KEY) is None
        [due] = await _due(store)
        assert (due.id, due.url, due.webhook_id, due.token, due.job_id, due.key_id) == (
            delivery.id,
            hook.url,
            hook.id,
            hook.token,
            "",
            KEY,
        )
        assert due.body.startswith('{"event":"WEBHOOK_TEST","payload":{"webhookId":')
        assert due.subject == f"webhook {hook.id}"

        await store.delete_webhook(hook.id, KEY)
        assert await store.queue_webhook_test(hook.id, KEY) is None

    backend.run(body)


def test_retention_deletes_a_jobs_webhook_deliveries_and_old_test_deliveries(
    backend: Backend,
) -> None:
    async def body(store: JobStore) -> None:
        hook = await _hook(store, *WEBHOOK_EVENTS)
        job = await running(store)
        await _emit(store, job, "PAGE_SCRAPED")
        await store.finish_job(job.id, WORKER, result={}, ending=COMPLETED)
        await store.queue_webhook_test(hook.id, KEY)
        assert (len(await delivery_rows(store)), await link_count(store)) == (3, 3)

        assert await store.purge_finished(time.time() - LATER) == 0  # all too recent
        assert (len(await delivery_rows(store)), await link_count(store)) == (3, 3)
        assert await store.purge_finished(time.time() + LATER) == 1
        assert (await delivery_rows(store), await link_count(store)) == ([], 0)

    backend.run(body)
