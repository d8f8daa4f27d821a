"""Account webhooks: a key's standing subscriptions to its jobs' events, on both stores.

A webhook is ``{url, events, displayName}`` with its own signing secret (``token``, shown
at creation). Every job of its key sends it the events it subscribed to, with the body a
job's ``callbackUrl`` gets, through the same queue, retries and network guard, signed with
the token (the deliveries: :mod:`~sitelore.jobs.deliveries_sqlite`,
:mod:`~sitelore.jobs.deliveries_postgres`). A deleted webhook keeps its row (status
``deleted``) so that a delivery already being sent is still signed with its token; its
pending deliveries fail (:data:`DELETED_REASON`), and it is never listed nor fed again.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sitelore.jobs.models import webhook_body
from sitelore.models import iso_millis

WEBHOOK_EVENTS = ("EXTRACTION_STARTED", "PAGE_SCRAPED", "EXTRACTION_COMPLETED", "EXTRACTION_FAILED")
TEST_EVENT = "WEBHOOK_TEST"  # what POST /v1/webhooks/{id}/test sends
ACTIVE = "active"
DELETED = "deleted"
DELETED_REASON = "webhook deleted"  # the error of the deliveries its deletion failed

PG_TABLES = """
CREATE TABLE sitelore_webhooks (
    id text PRIMARY KEY, key_id text NOT NULL, url text NOT NULL, events text NOT NULL,
    display_name text, status text NOT NULL, token text NOT NULL,
    created_at double precision NOT NULL
);
CREATE INDEX sitelore_webhooks_by_key ON sitelore_webhooks (key_id, created_at);
"""
# Which deliveries are for an account webhook (signed with its token), and for which.
PG_LINKS = """
CREATE TABLE sitelore_webhook_deliveries (
    delivery_id text PRIMARY KEY, webhook_id text NOT NULL
);
CREATE INDEX sitelore_webhook_deliveries_by_webhook
    ON sitelore_webhook_deliveries (webhook_id);
"""


@dataclass(frozen=True)
class Webhook:
    id: str
    key_id: str
    url: str
    events: tuple[str, ...]
    display_name: str | None
    status: str
    token: str
    created_at: float

    def to_dict(self, *, with_token: bool) -> dict[str, Any]:
        """As the hosted anchor's SDK reads it (camelCase); the token only at creation."""
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "status": self.status,
            "token": self.token if with_token else None,
            "displayName": self.display_name,
            "createdAt": iso_millis(datetime.fromtimestamp(self.created_at, UTC)),
        }


def new_webhook(
    key_id: str, url: str, events: tuple[str, ...], display_name: str | None, now: float
) -> Webhook:
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown or not events:
        raise ValueError(f"a webhook's events are some of {', '.join(WEBHOOK_EVENTS)}")
    return Webhook(
        "weh_" + secrets.token_urlsafe(12),
        key_id,
        url,
        tuple(dict.fromkeys(events)),
        display_name,
        ACTIVE,
        "whsec_" + secrets.token_urlsafe(24),
        now,
    )


def test_body(webhook_id: str) -> str:
    """The body of a test delivery, in the shape of every other event's."""
    return webhook_body(TEST_EVENT, {"webhookId": webhook_id})


def webhook_from_row(row: Any) -> Webhook:
    return Webhook(
        row["id"],
        row["key_id"],
        row["url"],
        tuple(json.loads(row["events"])),
        row["display_name"],
        row["status"],
        row["token"],
        row["created_at"],
    )


def webhook_params(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "key_id": hook.key_id,
        "url": hook.url,
        "events": json.dumps(list(hook.events)),
        "display_name": hook.display_name,
        "status": hook.status,
        "token": hook.token,
        "created_at": hook.created_at,
    }


# -- SQLite -------------------------------------------------------------------------------------

SQLITE_INSERT = (
    "INSERT INTO webhooks (id, key_id, url, events, display_name, status, token, created_at) "
    "VALUES (:id, :key_id, :url, :events, :display_name, :status, :token, :created_at)"
)


def sqlite_insert(db: sqlite3.Connection, hook: Webhook) -> Webhook:
    db.execute(SQLITE_INSERT, webhook_params(hook))
    return hook


def sqlite_list(db: sqlite3.Connection, key_id: str) -> list[Webhook]:
    rows = db.execute(
        "SELECT * FROM webhooks WHERE key_id = ? AND status = ? ORDER BY created_at, id",
        (key_id, ACTIVE),
    ).fetchall()
    return [webhook_from_row(row) for row in rows]


def sqlite_delete(db: sqlite3.Connection, webhook_id: str, key_id: str) -> bool:
    cursor = db.execute(
        "UPDATE webhooks SET status = ? WHERE id = ? AND key_id = ? AND status = ?",
        (DELETED, webhook_id, key_id, ACTIVE),
    )
    return cursor.rowcount > 0


# -- PostgreSQL ---------------------------------------------------------------------------------

PG_INSERT = (
    "INSERT INTO sitelore_webhooks (id, key_id, url, events, display_name, status, token, "
    "created_at) VALUES (%(id)s, %(key_id)s, %(url)s, %(events)s, %(display_name)s, "
    "%(status)s, %(token)s, %(created_at)s)"
)
PG_LIST = (
    "SELECT * FROM sitelore_webhooks WHERE key_id = %(key)s AND status = 'active' "
    "ORDER BY created_at, id"
)
PG_DELETE = (
    "UPDATE sitelore_webhooks SET status = 'deleted' WHERE id = %(id)s AND key_id = %(key)s "
    "AND status = 'active' RETURNING id"
)
