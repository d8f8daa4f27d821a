"""Webhook deliveries in the embedded SQLite file: the queue, and who a delivery is for.

A delivery is a row of ``deliveries``; one to an account webhook also has a row in
``webhook_deliveries`` naming the webhook, whose ``token`` signs it. An event of a job is
fanned out by :func:`insert_event_deliveries`: one delivery to the job's ``callbackUrl``
(if any) and, for an extraction, one to each active webhook of its key subscribed to the
event, in the caller's transaction. Deleting a webhook fails its pending deliveries
(:func:`delete_webhook`).

Each function runs inside one :class:`~sitelore.jobs.sqlitefile.SQLiteFile` call, so each
is one transaction.
"""

from __future__ import annotations

import json
import secrets
import sqlite3

from sitelore.jobs import hookstore
from sitelore.jobs.hookstore import test_body
from sitelore.jobs.models import NO_JOB, Delivery, Job
from sitelore.jobs.rows import delivery_from_row
from sitelore.jobs.store import delivery_status

# Created when missing: a data file from before account webhooks were sent to gets it the
# first time a newer sitelore opens it.
LINKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id);
"""


def new_delivery_id() -> str:
    return "evt_" + secrets.token_urlsafe(12)


def insert_delivery(
    db: sqlite3.Connection,
    owner: tuple[str, str],
    url: str,
    event: str,
    body: str,
    now: float,
    *,
    webhook_id: str | None = None,
) -> Delivery:
    """One pending delivery, due now, of job ``owner[0]`` of key ``owner[1]``."""
    job_id, key_id = owner
    delivery = Delivery(
        new_delivery_id(), job_id, key_id, url, event, body, 0, now, "pending", None, webhook_id
    )
    db.execute(
        "INSERT INTO deliveries (id, job_id, key_id, url, event, body, attempts, next_at, "
        "status, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 'pending', ?)",
        (delivery.id, job_id, key_id, url, event, body, now, now),
    )
    if webhook_id is not None:
        db.execute(
            "INSERT INTO webhook_deliveries (delivery_id, webhook_id) VALUES (?, ?)",
            (delivery.id, webhook_id),
        )
    return delivery


def insert_event_deliveries(
    db: sqlite3.Connection, job: Job, event: str, body: str, now: float
) -> int:
    """The deliveries an event of ``job`` owes: to its ``callbackUrl`` and, for an
    extraction, to each active webhook of its key subscribed to ``event``; how many."""
    url = job.request.callback_url
    targets: list[tuple[str, str | None]] = [(url, None)] if url else []
    if job.feeds_account_webhooks:
        rows = db.execute(
            "SELECT id, url, events FROM webhooks WHERE key_id = ? AND status = ? "
            "ORDER BY created_at, id",
            (job.key_id, hookstore.ACTIVE),
        )
        targets += [(r["url"], r["id"]) for r in rows if event in json.loads(r["events"])]
    owner = (job.id, job.key_id)
    for target, webhook_id in targets:
        insert_delivery(db, owner, target, event, body, now, webhook_id=webhook_id)
    return len(targets)


def insert_test_delivery(
    db: sqlite3.Connection, webhook_id: str, key_id: str, now: float
) -> Delivery | None:
    """A ``WEBHOOK_TEST`` delivery to ``key_id``'s active webhook; None when it has none."""
    row = db.execute(
        "SELECT url FROM webhooks WHERE id = ? AND key_id = ? AND status = ?",
        (webhook_id, key_id, hookstore.ACTIVE),
    ).fetchone()
    if row is None:
        return None
    body = test_body(webhook_id)
    owner = (NO_JOB, key_id)
    return insert_delivery(
        db, owner, row["url"], hookstore.TEST_EVENT, body, now, webhook_id=webhook_id
    )


def delete_webhook(db: sqlite3.Connection, webhook_id: str, key_id: str) -> bool:
    """Mark the key's webhook deleted and fail its pending deliveries (one being sent
    finishes: it is recorded delivered if it gets through)."""
    if not hookstore.sqlite_delete(db, webhook_id, key_id):
        return False
    db.execute(
        "UPDATE deliveries SET status = 'failed', last_error = ? WHERE status = 'pending' "
        "AND id IN (SELECT delivery_id FROM webhook_deliveries WHERE webhook_id = ?)",
        (hookstore.DELETED_REASON, webhook_id),
    )
    return True


def take_due(db: sqlite3.Connection, now: float, limit: int, lease: float) -> list[Delivery]:
    """Pending deliveries due by ``now``, each with its webhook's token when it has one,
    leased until ``now + lease``."""
    rows = db.execute(
        "SELECT d.*, w.id AS webhook_id, w.token AS webhook_token FROM deliveries AS d "
        "LEFT JOIN webhook_deliveries AS l ON l.delivery_id = d.id "
        "LEFT JOIN webhooks AS w ON w.id = l.webhook_id "
        "WHERE d.status = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.created_at LIMIT ?",
        (now, limit),
    ).fetchall()
    db.executemany(
        "UPDATE deliveries SET next_at = ? WHERE id = ?",
        [(now + lease, row["id"]) for row in rows],
    )
    return [delivery_from_row(row) for row in rows]


def record(
    db: sqlite3.Connection,
    delivery_id: str,
    *,
    delivered: bool,
    error: str | None,
    next_at: float | None,
) -> None:
    """An attempt's outcome. A delivery failed meanwhile (its webhook deleted) stays failed
    unless this attempt delivered it: a retry never brings it back."""
    db.execute(
        "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ?, "
        "next_at = COALESCE(?, next_at) WHERE id = ? AND (status = 'pending' OR ?)",
        (delivery_status(delivered, next_at), error, next_at, delivery_id, delivered),
    )


def purge(db: sqlite3.Connection, job_ids: list[str], older_than: float) -> None:
    """The deliveries of purged jobs (they carry the jobs' results), and test deliveries
    made before ``older_than``, with their links to webhooks."""
    doomed = "SELECT id FROM deliveries WHERE job_id = ?"
    for job_id in job_ids:
        db.execute(f"DELETE FROM webhook_deliveries WHERE delivery_id IN ({doomed})", (job_id,))
        db.execute("DELETE FROM deliveries WHERE job_id = ?", (job_id,))
    tests = "SELECT id FROM deliveries WHERE job_id = ? AND created_at < ?"
    db.execute(
        f"DELETE FROM webhook_deliveries WHERE delivery_id IN ({tests})", (NO_JOB, older_than)
    )
    db.execute("DELETE FROM deliveries WHERE job_id = ? AND created_at < ?", (NO_JOB, older_than))
