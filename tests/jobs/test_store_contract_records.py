"""The storage contract, continued: event logs, retention, API keys, webhook deliveries and
housekeeping turns; the same on every backend (``backend`` fixture).

Times on PostgreSQL come from the database clock: the tests only compare times the store
itself returned (a delivery's ``next_at``, a job's ``finished_at``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable

import pytest

from sitelore.jobs.models import CANCELLED, ApiKey, Ending, JobStatus
from sitelore.jobs.store import JobStore
from sitelore.models import ExtractRequest
from tests.jobs.conftest import (
    KEY,
    OTHER_WORKER,
    REQUEST,
    WORKER,
    Backend,
    delivery_statuses,
    running,
)

# -- counts ----------------------------------------------------------------------------------


def test_count_jobs_gives_every_status(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        assert await store.count_jobs() == dict.fromkeys(JobStatus, 0)
        done = await running(store)
        await store.finish_job(done.id, WORKER, result={}, ending=ENDING)
        await running(store)
        await store.create_job(KEY, REQUEST)
        await store.create_job(KEY, REQUEST)
        assert await store.count_jobs() == {
            JobStatus.PENDING: 2,
            JobStatus.PROCESSING: 1,
            JobStatus.COMPLETED: 1,
            JobStatus.FAILED: 0,
        }

    backend.run(body)


# -- events and retention ---------------------------------------------------------------------


def test_events_are_numbered_per_job(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        one = await store.create_job(KEY, REQUEST)
        two = await store.create_job(KEY, REQUEST)
        seqs = [(await store.add_event(one.id, "progress", {"n": n})).seq for n in range(3)]
        other = await store.add_event(two.id, "connected", {"jobId": two.id, "text": "héllo ✓"})
        assert (seqs, other.seq) == ([1, 2, 3], 1)
        assert [e.seq for e in await store.events_after(one.id, 0)] == [1, 2, 3]
        assert [(e.seq, e.data) for e in await store.events_after(one.id, 1)] == [
            (2, {"n": 1}),
            (3, {"n": 2}),
        ]
        assert [e.seq for e in await store.events_after(one.id, 1, limit=1)] == [2]
        assert await store.events_after(one.id, 3) == []
        assert await store.events_after(two.id, 0) == [other]

    backend.run(body)


@pytest.mark.parametrize("processing", [True, False], ids=["processing", "pending"])
def test_a_progress_event_is_also_the_progress_of_a_processing_job(
    backend: Backend, processing: bool
) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store) if processing else await store.create_job(KEY, REQUEST)
        data = {"pagesScraped": 2, "totalPages": 5, "currentStep": "Scraping /a"}
        event = await store.add_event(job.id, "progress", data, progress=True)
        await store.add_event(job.id, "page_scraped", {"url": "/b"})  # not progress
        logged = await store.events_after(job.id, event.seq - 1, limit=1)
        assert [e.data for e in logged] == [data]
        stored = await store.get_job(job.id)
        assert stored is not None
        assert stored.progress == (data if processing else None)

    backend.run(body)


def test_an_event_of_an_unknown_job_is_not_stored(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        event = await store.add_event("job_gone", "progress", {"n": 1})
        assert event.seq == 0
        assert await store.events_after("job_gone", 0) == []

    backend.run(body)


def test_purge_finished_removes_old_finished_jobs_and_their_events(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        completed = await running(store)
        done = await store.finish_job(completed.id, WORKER, result={})
        processing = await running(store)
        cancelled = await store.request_cancel((await store.create_job(KEY, REQUEST)).id, KEY)
        pending = await store.create_job(KEY, REQUEST)
        assert done is not None and cancelled is not None
        for job in (completed, processing, cancelled, pending):
            await store.add_event(job.id, "connected", {})
        ends = [done.finished_at, cancelled.finished_at]
        assert None not in ends
        assert await store.purge_finished(older_than=min(e or 0.0 for e in ends)) == 0
        assert await store.purge_finished(older_than=max(e or 0.0 for e in ends) + 1) == 2
        for gone in (completed, cancelled):
            assert await store.get_job(gone.id) is None
            assert await store.events_after(gone.id, 0) == []
        for kept in (processing, pending):
            assert await store.get_job(kept.id) is not None
            assert len(await store.events_after(kept.id, 0)) == 1
        assert await store.purge_finished(older_than=max(e or 0.0 for e in ends) + 1) == 0

    backend.run(body)


def test_purge_finished_removes_the_webhook_deliveries_of_the_jobs_it_removes(
    backend: Backend,
) -> None:
    """They carry the job's full result: kept, they would outlive the job's retention."""

    async def body(store: JobStore) -> None:
        old = await running(store)
        done = await store.finish_job(old.id, WORKER, result={"secret": "of the old job"})
        kept = await running(store)
        assert done is not None and done.finished_at is not None
        for job, status in ((old, "delivered"), (old, "failed"), (old, "pending"), (kept, "")):
            added = await store.add_delivery(job.id, KEY, "https://hooks.test/", "E", "{}")
            if status in ("delivered", "failed"):
                await store.due_deliveries(added.next_at, 10)
                delivered = status == "delivered"
                await store.record_delivery(added.id, delivered=delivered, error=None, next_at=None)
        statuses = await delivery_statuses(store)
        assert statuses[old.id] == ["delivered", "failed", "pending"]
        assert await store.purge_finished(older_than=done.finished_at + 1) == 1
        assert await delivery_statuses(store) == {kept.id: ["pending"]}

    backend.run(body)


# -- API keys ---------------------------------------------------------------------------------


def test_create_key_shows_it_once_and_authenticates_it(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        shown, key = await store.create_key("ci")
        assert shown.startswith("sl_") and key.id in shown
        assert (key.name, key.revoked_at) == ("ci", None)
        assert key.webhook_secret.startswith("whsec_")
        assert await store.authenticate(shown) == key
        assert await store.get_key(key.id) == key
        assert await store.get_key("missing") is None

    backend.run(body)


def test_a_key_made_with_the_hosted_prefix_authenticates(backend: Backend) -> None:
    # The hosted anchor's SDK refuses, client-side, any key not starting with sk_ks_.
    async def body(store: JobStore) -> None:
        shown, key = await store.create_key("sdk", prefix="sk_ks_")
        assert shown.startswith(f"sk_ks_{key.id}_")
        assert await store.authenticate(shown) == key
        # The prefix is the key's form only: the other spelling is the same key.
        assert await store.authenticate("sl_" + shown[len("sk_ks_") :]) == key
        assert await store.authenticate("sk_ks_" + shown[len("sk_ks_") :] + "x") is None
        assert await store.authenticate("sk_" + shown[len("sk_ks_") :]) is None
        sl_shown, sl_key = await store.create_key("plain")
        assert sl_shown.startswith("sl_") and await store.authenticate(sl_shown) == sl_key

    backend.run(body)


def test_create_key_refuses_a_prefix_outside_the_allowed_set(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        with pytest.raises(ValueError, match="sk_ks_"):
            await store.create_key("odd", prefix="pk_live_")
        assert await store.list_keys() == []

    backend.run(body)


@pytest.mark.parametrize(
    "presented",
    [
        pytest.param(lambda shown, key: f"sl_{key.id}_wrong-secret", id="wrong-secret"),
        pytest.param(lambda shown, key: f"sk_ks_{key.id}_wrong-secret", id="hosted-wrong-secret"),
        pytest.param(lambda shown, key: f"sk_ks_{key.id}", id="hosted-no-secret"),
        pytest.param(lambda shown, key: shown + "x", id="longer-secret"),
        pytest.param(lambda shown, key: shown[3:], id="no-prefix"),
        pytest.param(lambda shown, key: f"sl_{key.id}", id="no-secret"),
        pytest.param(lambda shown, key: "sl_0123456789_" + shown.split("_")[-1], id="other-id"),
        pytest.param(lambda shown, key: "garbage", id="garbage"),
        pytest.param(lambda shown, key: "", id="empty"),
        pytest.param(lambda shown, key: shown + "a" * 300, id="too-long"),
    ],
)
def test_authenticate_refuses(backend: Backend, presented: Callable[[str, ApiKey], str]) -> None:
    async def body(store: JobStore) -> None:
        shown, key = await store.create_key("ci")
        assert await store.authenticate(presented(shown, key)) is None

    backend.run(body)


def test_revoke_key(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        shown, key = await store.create_key("old")
        other_shown, other = await store.create_key("new")
        assert [k.id for k in await store.list_keys()] == [key.id, other.id]
        assert await store.revoke_key(key.id) is True
        assert await store.revoke_key(key.id) is False
        assert await store.revoke_key("missing") is False
        # Still recognised, as revoked: the API says so rather than "not a valid key".
        recognised = await store.authenticate(shown)
        assert recognised is not None and recognised.id == key.id and recognised.revoked_at
        assert await store.authenticate(other_shown) == other
        revoked = await store.get_key(key.id)
        assert revoked is not None and revoked.revoked_at is not None
        assert [k.revoked_at is None for k in await store.list_keys()] == [False, True]

    backend.run(body)


# -- webhook deliveries -----------------------------------------------------------------------


def test_add_delivery_is_due_at_once(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await store.create_job(KEY, REQUEST)
        added = await store.add_delivery(job.id, KEY, "https://hooks.test/", "job.completed", "{}")
        assert (added.job_id, added.key_id, added.url, added.event, added.body) == (
            job.id,
            KEY,
            "https://hooks.test/",
            "job.completed",
            "{}",
        )
        assert (added.attempts, added.status, added.last_error) == (0, "pending", None)
        assert await store.due_deliveries(added.next_at - 10, limit=10) == []
        due = await store.due_deliveries(added.next_at, limit=10)
        assert due == [added], "as it was before the lease"

    backend.run(body)


@pytest.mark.parametrize("lease", [10.0, 0.0])
def test_due_deliveries_are_leased(backend: Backend, lease: float) -> None:
    async def body(store: JobStore) -> None:
        added = await store.add_delivery("job_1", KEY, "https://hooks.test/", "e", "{}")
        now = added.next_at
        assert [d.id for d in await store.due_deliveries(now, 10, lease=lease)] == [added.id]
        if lease:
            assert await store.due_deliveries(now, 10, lease=lease) == []
            assert await store.due_deliveries(now + lease / 2, 10, lease=lease) == []
        later = await store.due_deliveries(now + lease + 1, 10, lease=lease)
        assert [d.id for d in later] == [added.id]

    backend.run(body)


def test_due_deliveries_limit(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        added = [
            await store.add_delivery("job_1", KEY, "https://h.test/", "e", "{}") for _ in "abc"
        ]
        now = max(d.next_at for d in added)
        first = await store.due_deliveries(now, limit=2)
        rest = await store.due_deliveries(now, limit=2)
        assert (len(first), len(rest)) == (2, 1)
        assert {d.id for d in first + rest} == {d.id for d in added}
        assert await store.due_deliveries(now, limit=2) == []

    backend.run(body)


@pytest.mark.parametrize(
    ("delivered", "retry_in", "due_again"),
    [
        pytest.param(True, None, False, id="delivered"),
        pytest.param(False, 30.0, True, id="failed-retry"),
        pytest.param(False, None, False, id="failed-given-up"),
    ],
)
def test_record_delivery(
    backend: Backend, delivered: bool, retry_in: float | None, due_again: bool
) -> None:
    async def body(store: JobStore) -> None:
        added = await store.add_delivery("job_1", KEY, "https://hooks.test/", "e", "{}")
        now = added.next_at
        await store.due_deliveries(now, 10, lease=5.0)
        next_at = None if retry_in is None else now + retry_in
        error = None if delivered else "HTTP 500"
        await store.record_delivery(added.id, delivered=delivered, error=error, next_at=next_at)
        assert await store.due_deliveries(now + 10, 10) == []
        due = await store.due_deliveries(now + 1e6, 10)
        assert [d.id for d in due] == ([added.id] if due_again else [])
        if due:
            assert (due[0].attempts, due[0].status, due[0].last_error) == (1, "pending", error)

    backend.run(body)


# -- housekeeping and plumbing ----------------------------------------------------------------


def test_housekeeping_due_takes_turns(backend: Backend) -> None:
    calls = [
        ("retention", 60.0, True),
        ("retention", 60.0, False),
        ("webhooks", 60.0, True),
        ("webhooks", 60.0, False),
        ("retention", 0.0, True),
        ("retention", 60.0, False),
    ]

    async def body(store: JobStore) -> None:
        answers = [await store.housekeeping_due(task, every) for task, every, _ in calls]
        assert answers == [due for _, _, due in calls]

    backend.run(body)


def test_ping(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        await store.ping()

    backend.run(body)


# -- a job's end: status, last event and webhook in one write ---------------------------------

HOOKED = ExtractRequest("https://example.com/", callback_url="https://hooks.test/in")
ENDING = Ending("complete", {"result": {"ok": True}}, "EXTRACTION_COMPLETED")


@pytest.mark.parametrize("request_", [HOOKED, REQUEST], ids=["callback", "no-callback"])
def test_finish_job_writes_its_ending(backend: Backend, request_: ExtractRequest) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store, request=request_)
        finished = await store.finish_job(job.id, WORKER, result={"ok": True}, ending=ENDING)
        assert finished is not None
        events = await store.events_after(job.id, 0)
        assert [(e.name, e.data) for e in events] == [("complete", {"result": {"ok": True}})]
        due = await store.due_deliveries(time.time() + 1, 10)
        if request_.callback_url is None:
            assert due == []
            return
        (delivery,) = due
        assert (delivery.job_id, delivery.url, delivery.event) == (
            job.id,
            "https://hooks.test/in",
            "EXTRACTION_COMPLETED",
        )
        payload = json.loads(delivery.body)
        assert payload["event"] == "EXTRACTION_COMPLETED"
        assert payload["payload"] == finished.to_dict(), "the job as it ended"

    backend.run(body)


def test_an_ending_that_is_not_ours_writes_nothing(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store, request=HOOKED)
        assert await store.finish_job(job.id, OTHER_WORKER, result={}, ending=ENDING) is None
        assert await store.events_after(job.id, 0) == []
        assert await store.due_deliveries(time.time() + 1, 10) == []

    backend.run(body)


async def _stall_past_its_last_attempt(store: JobStore, request: ExtractRequest) -> str:
    await running(store, request=request)
    (recovered,) = await store.recover_stalled(stale_after=0.0, max_attempts=1)
    assert recovered.error is not None and "gave up after 1 attempts" in recovered.error
    return recovered.error


async def _cancel_while_pending(store: JobStore, request: ExtractRequest) -> str:
    job = await store.create_job(KEY, request)
    cancelled = await store.request_cancel(job.id, KEY)
    assert cancelled is not None and cancelled.error == CANCELLED
    return CANCELLED


Failing = Callable[[JobStore, ExtractRequest], Awaitable[str]]


@pytest.mark.parametrize("end", [_stall_past_its_last_attempt, _cancel_while_pending])
@pytest.mark.parametrize("request_", [HOOKED, REQUEST], ids=["callback", "no-callback"])
def test_a_job_failed_by_the_store_has_its_last_event_and_webhook(
    backend: Backend, end: Failing, request_: ExtractRequest
) -> None:
    # The store ends these jobs itself (no worker will): the last event and the webhook
    # are written in the same transaction as the status, not by the caller afterwards.
    async def body(store: JobStore) -> None:
        message = await end(store, request_)
        (job,) = (await store.list_jobs(KEY, None, 10, None))[0]
        events = await store.events_after(job.id, 0)
        assert [(e.name, e.data) for e in events][-1:] == [("error", {"message": message})]
        assert sum(e.name == "error" for e in events) == 1
        due = await store.due_deliveries(time.time() + 1, 10)
        if request_.callback_url is None:
            assert due == []
            return
        (delivery,) = due
        assert (delivery.job_id, delivery.event) == (job.id, "EXTRACTION_FAILED")
        assert json.loads(delivery.body)["payload"]["error"] == message

    backend.run(body)
