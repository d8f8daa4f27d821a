"""The storage contract of jobs, their events, API keys and webhook deliveries.

One interface, two backends: SQLite in the server process (the default) and
PostgreSQL for many processes on many machines. Every state change is one atomic
statement (or one transaction), so a job is held by one worker only and never leaves
``processing`` silently. The backends differ only in how a pending job reaches a
worker: :class:`PullQueue` (SQLite: workers of the server process poll the table) or
a procrastinate queue written in the same transaction as the job (PostgreSQL).

The stores' errors::

    StoreUnavailable      the database cannot be reached now: retry (API: 503)
      StoreFull           its disk is full: reads go on, writes resume when space returns
      SchemaOutdated      (PostgreSQL) run `sitelore db migrate`
    StoreUnusable         the data file cannot be trusted: do not start (one line, exit 1)
      DataDirInUse        another process holds the data directory
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, Protocol

from sitelore.jobs.hookstore import Webhook
from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.models import ApiKey, Delivery, Ending, Job, JobEvent, JobStatus
from sitelore.models import ExtractRequest

KEY_PREFIX = "sl_"
# The forms a key may be made in: ours, and the hosted anchor's, whose SDK refuses any key
# not starting with it. The prefix is a form, not part of the key: a key is its id and secret.
KEY_PREFIXES = (KEY_PREFIX, "sk_ks_")


class StoreUnavailable(Exception):
    """The database cannot be reached; the API answers 503 and the caller retries."""


class StoreFull(StoreUnavailable):
    """The disk holding the database is full: writes fail, reads go on, and it passes by
    itself when space is freed (the API answers 503, and says why)."""


class StoreUnusable(Exception):
    """The store cannot be used as it is (a damaged, empty, read-only or locked data file):
    retrying will not help; a process must not start on it."""


class JobStore(Protocol):
    def knowledge(self) -> KnowledgeStore:
        """The knowledge store on the same database (same connection; closed with it)."""
        ...

    async def create_job(
        self, key_id: str, request: ExtractRequest, *, idempotency_key: str | None = None
    ) -> Job:
        """A new pending job; or, when ``key_id`` used ``idempotency_key`` before, the job it
        made then, as stored (the caller compares its ``request``: another request is a 422)."""
        ...

    async def get_job(self, job_id: str, key_id: str | None = None) -> Job | None: ...

    async def count_jobs(self) -> dict[JobStatus, int]:
        """How many jobs the store holds in each status (every status, zero included)."""
        ...

    async def list_jobs(
        self, key_id: str, status: JobStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]: ...

    async def heartbeat(self, job_id: str, worker_id: str) -> bool:
        """Record that the worker is alive; True when the job should stop (cancelled)."""
        ...

    async def set_progress(self, job_id: str, progress: dict[str, Any]) -> None: ...

    async def finish_job(
        self,
        job_id: str,
        worker_id: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        progress: dict[str, Any] | None = None,
        ending: Ending | None = None,
    ) -> Job | None:
        """Complete (with ``result``) or fail (with ``error``) a job this worker holds; its
        ``ending`` (last event, webhook) is written in the same transaction."""
        ...

    async def request_cancel(self, job_id: str, key_id: str) -> Job | None:
        """Fail a pending job at once, writing its ``error`` event and the webhook it owes in
        the same transaction (no worker will); flag a processing one for its worker."""
        ...

    async def release(self, job_id: str, worker_id: str) -> Job | None:
        """Hand a held job back to the queue (its worker is shutting down); the attempt
        does not count. None when the worker no longer holds it."""
        ...

    async def recover_stalled(
        self, stale_after: float, max_attempts: int, *, alive: str | None = None
    ) -> list[Job]:
        """Processing jobs whose heartbeat stopped: back to pending, or failed when out of
        tries (with their ``error`` event and webhook, in the same transaction). Jobs held
        by the worker ``alive`` (the caller's own) are never taken: they are running."""
        ...

    async def housekeeping_due(self, task: str, every: float) -> bool:
        """True for one caller per ``every`` seconds, across every process on the store:
        periodic work (retention) runs once, not once per process."""
        ...

    async def add_event(
        self, job_id: str, name: str, data: dict[str, Any], *, progress: bool = False
    ) -> JobEvent:
        """Append to the job's event log (seq 0: the job is gone, nothing stored). With
        ``progress``, ``data`` also becomes a processing job's progress, in the same write."""
        ...

    async def events_after(self, job_id: str, seq: int, limit: int = 500) -> list[JobEvent]: ...

    async def purge_finished(self, older_than: float) -> int:
        """Delete the jobs finished before ``older_than`` with their events and deliveries,
        and test deliveries made before it; how many jobs."""
        ...

    async def create_key(self, name: str, prefix: str = KEY_PREFIX) -> tuple[str, ApiKey]:
        """A new key, shown once as ``prefix`` + id + secret (``prefix``: one of
        :data:`KEY_PREFIXES`, else ValueError and nothing stored)."""
        ...

    async def authenticate(self, presented: str) -> ApiKey | None:
        """The key ``presented`` is, when its secret matches, revoked or not (the caller
        tells a revoked key apart by its ``revoked_at``); else None."""
        ...

    async def get_key(self, key_id: str) -> ApiKey | None: ...

    async def list_keys(self) -> list[ApiKey]: ...

    async def revoke_key(self, key_id: str) -> bool: ...

    async def create_webhook(
        self, key_id: str, url: str, events: tuple[str, ...], display_name: str | None
    ) -> Webhook:
        """A new active account webhook of ``key_id`` (ValueError: unknown or no events)."""
        ...

    async def list_webhooks(self, key_id: str) -> list[Webhook]:
        """The key's active webhooks, oldest first."""
        ...

    async def delete_webhook(self, webhook_id: str, key_id: str) -> bool:
        """Stop feeding the webhook and fail its pending deliveries ("webhook deleted"), in
        one transaction. False when ``key_id`` has no such active webhook (another key's
        is not its)."""
        ...

    async def queue_webhook_test(self, webhook_id: str, key_id: str) -> Delivery | None:
        """A ``WEBHOOK_TEST`` delivery to the key's active webhook; None when it has none."""
        ...

    async def add_delivery(
        self, job_id: str, key_id: str, url: str, event: str, body: str
    ) -> Delivery:
        """One delivery of a job's event to ``url``, signed with the key's secret."""
        ...

    async def add_event_deliveries(self, job: Job, event: str, body: str) -> int:
        """The deliveries an event of ``job`` owes, in one transaction (one statement on
        PostgreSQL): to its ``callbackUrl`` and, when it is an extraction, to each active
        webhook of its key subscribed to ``event``. How many were added (0: nobody listens)."""
        ...

    async def due_deliveries(self, now: float, limit: int, lease: float = 60.0) -> list[Delivery]:
        """Pending deliveries due by ``now``, leased for ``lease`` seconds: until recorded or
        the lease runs out, no other sender (in any process) gets them."""
        ...

    async def record_delivery(
        self, delivery_id: str, *, delivered: bool, error: str | None, next_at: float | None
    ) -> None: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class PullQueue(JobStore, Protocol):
    """A store whose pending jobs workers take by polling (the embedded SQLite backend)."""

    async def claim_job(self, worker_id: str, per_key_limit: int) -> Job | None:
        """The oldest pending job of a key with fewer than ``per_key_limit`` processing."""
        ...


def new_job_id() -> str:
    return "job_" + secrets.token_urlsafe(12)


def check_key_prefix(prefix: str) -> None:
    if prefix not in KEY_PREFIXES:
        allowed = ", ".join(KEY_PREFIXES)
        raise ValueError(f"a key's prefix must be one of {allowed}, got {prefix!r}")


def new_key(prefix: str = KEY_PREFIX) -> tuple[str, str, str]:
    """(key id, secret, the key as shown to its owner once)."""
    check_key_prefix(prefix)
    key_id = secrets.token_hex(5)
    secret = secrets.token_urlsafe(24)
    return key_id, secret, f"{prefix}{key_id}_{secret}"


def split_key(presented: str) -> tuple[str, str] | None:
    """(key id, secret) of a key in any of the allowed forms; None when it is in none."""
    prefix = next((p for p in KEY_PREFIXES if presented.startswith(p)), None)
    if prefix is None or len(presented) > 200:
        return None
    key_id, _, secret = presented[len(prefix) :].partition("_")
    return (key_id, secret) if key_id and secret else None


def hash_secret(secret: str) -> str:
    """Keys are stored as SHA-256 of their secret part: never the key itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secrets_match(secret: str, stored_hash: str) -> bool:
    return secrets.compare_digest(hash_secret(secret), stored_hash)


def delivery_status(delivered: bool, next_at: float | None) -> str:
    """A delivery after an attempt: delivered, pending (a retry is due at ``next_at``) or
    failed (given up)."""
    if delivered:
        return "delivered"
    return "pending" if next_at is not None else "failed"
