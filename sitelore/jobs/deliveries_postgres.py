"""Account webhooks and webhook deliveries on PostgreSQL: the queue, and who each is for.

A delivery is a row of ``sitelore_deliveries``; one to an account webhook also has a row in
``sitelore_webhook_deliveries`` naming the webhook, whose ``token`` signs it. An event of a
job fans out in one statement (:data:`FAN_OUT`): a delivery to the job's ``callbackUrl``
(if any) and, for an extraction, one to each active webhook of its key subscribed to the
event. The webhooks it
reads are locked ``FOR SHARE`` until its transaction ends, so a concurrent deletion waits
for it and then fails what it added: no delivery to a deleted webhook stays pending.
"""

from __future__ import annotations

import secrets
import time

from sitelore.jobs import hookstore
from sitelore.jobs.hookstore import Webhook, new_webhook, webhook_from_row
from sitelore.jobs.models import NO_JOB, Delivery, Job
from sitelore.jobs.pgbase import PostgresBase
from sitelore.jobs.pgsql import NOW, Connection
from sitelore.jobs.rows import delivery_from_row
from sitelore.jobs.store import delivery_status

# A delivery id made by the database, for the deliveries a statement makes for each webhook.
NEW_ID = "'evt_' || translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_')"
COLUMNS = "id, job_id, key_id, url, event, body, attempts, next_at, status, created_at"
FAN_OUT = (
    f"WITH hooks AS MATERIALIZED (SELECT {NEW_ID} AS id, id AS webhook_id, url "
    "  FROM sitelore_webhooks WHERE key_id = %(key)s AND status = 'active' "
    "  AND events::jsonb ? %(event)s AND %(to_webhooks)s FOR SHARE), "
    "targets AS MATERIALIZED (SELECT %(callback_id)s::text AS id, NULL::text AS webhook_id, "
    "  %(callback)s::text AS url WHERE %(callback)s::text IS NOT NULL "
    "  UNION ALL SELECT id, webhook_id, url FROM hooks), "
    f"added AS (INSERT INTO sitelore_deliveries ({COLUMNS}) SELECT id, %(job)s, %(key)s, url, "
    f"  %(event)s, %(body)s, 0, {NOW}, 'pending', {NOW} FROM targets), "
    "linked AS (INSERT INTO sitelore_webhook_deliveries (delivery_id, webhook_id) "
    "  SELECT id, webhook_id FROM targets WHERE webhook_id IS NOT NULL) "
    "SELECT count(*) AS n FROM targets"
)
TEST = (
    "WITH hook AS (SELECT id, url FROM sitelore_webhooks WHERE id = %(webhook)s "
    "  AND key_id = %(key)s AND status = 'active' FOR SHARE), "
    f"added AS (INSERT INTO sitelore_deliveries ({COLUMNS}) SELECT %(id)s, %(job)s, %(key)s, "
    f"  url, %(event)s, %(body)s, 0, {NOW}, 'pending', {NOW} FROM hook RETURNING *), "
    "linked AS (INSERT INTO sitelore_webhook_deliveries (delivery_id, webhook_id) "
    "  SELECT %(id)s, id FROM hook) "
    "SELECT added.*, %(webhook)s::text AS webhook_id, NULL::text AS webhook_token FROM added"
)
FAIL_PENDING = (
    "UPDATE sitelore_deliveries SET status = 'failed', last_error = %(reason)s "
    "WHERE status = 'pending' AND id IN (SELECT delivery_id FROM sitelore_webhook_deliveries "
    "WHERE webhook_id = %(id)s)"
)
DUE = (
    "WITH due AS (SELECT * FROM sitelore_deliveries WHERE status = 'pending' "
    "  AND next_at <= %(now)s ORDER BY next_at, created_at LIMIT %(limit)s "
    "  FOR UPDATE SKIP LOCKED), "
    "leased AS (UPDATE sitelore_deliveries SET next_at = %(now)s + %(lease)s "
    "  WHERE id IN (SELECT id FROM due)) "
    "SELECT due.*, w.id AS webhook_id, w.token AS webhook_token FROM due "
    "LEFT JOIN sitelore_webhook_deliveries AS l ON l.delivery_id = due.id "
    "LEFT JOIN sitelore_webhooks AS w ON w.id = l.webhook_id "
    "ORDER BY due.next_at, due.created_at"
)
# A delivery failed meanwhile (its webhook deleted) stays failed unless this attempt
# delivered it: a retry never brings it back.
RECORD = (
    "UPDATE sitelore_deliveries SET status = %(status)s, attempts = attempts + 1, "
    "last_error = %(error)s, next_at = COALESCE(%(next)s, next_at) "
    "WHERE id = %(id)s AND (status = 'pending' OR %(delivered)s)"
)
# What retention deletes beside the jobs in ``gone``: their deliveries (they carry the jobs'
# results), old test deliveries, and the links of both (CTEs of the purge statement).
PURGE = (
    "hooks AS (DELETE FROM sitelore_deliveries WHERE job_id IN (SELECT id FROM gone) "
    "  OR (job_id = %(no_job)s AND created_at < %(before)s) RETURNING id), "
    "links AS (DELETE FROM sitelore_webhook_deliveries "
    "  WHERE delivery_id IN (SELECT id FROM hooks)) "
)


def new_delivery_id() -> str:
    return "evt_" + secrets.token_urlsafe(12)


async def insert_delivery(
    connection: Connection, job_id: str, key_id: str, url: str, body: str, event: str
) -> Delivery:
    cursor = await connection.execute(
        f"INSERT INTO sitelore_deliveries ({COLUMNS}) VALUES (%(id)s, %(job)s, %(key)s, "
        f"%(url)s, %(event)s, %(body)s, 0, {NOW}, 'pending', {NOW}) RETURNING *",
        {
            "id": new_delivery_id(),
            "job": job_id,
            "key": key_id,
            "url": url,
            "event": event,
            "body": body,
        },
    )
    row = await cursor.fetchone()
    assert row is not None  # an INSERT ... RETURNING returns its row
    return delivery_from_row(row)


async def insert_event_deliveries(connection: Connection, job: Job, event: str, body: str) -> int:
    """The deliveries an event of ``job`` owes (see :data:`FAN_OUT`); how many."""
    cursor = await connection.execute(
        FAN_OUT,
        {
            "job": job.id,
            "key": job.key_id,
            "event": event,
            "body": body,
            "callback": job.request.callback_url or None,
            "callback_id": new_delivery_id(),
            "to_webhooks": job.feeds_account_webhooks,
        },
    )
    row = await cursor.fetchone()
    return 0 if row is None else int(row["n"])


class PostgresDeliveries(PostgresBase):
    """The account webhooks and the delivery queue of
    :class:`~sitelore.jobs.postgres.PostgresStore` (which adds jobs and keys)."""

    async def create_webhook(
        self, key_id: str, url: str, events: tuple[str, ...], display_name: str | None
    ) -> Webhook:
        hook = new_webhook(key_id, url, events, display_name, time.time())
        await self._exec(hookstore.PG_INSERT, hookstore.webhook_params(hook))
        return hook

    async def list_webhooks(self, key_id: str) -> list[Webhook]:
        return [
            webhook_from_row(row) for row in await self._all(hookstore.PG_LIST, {"key": key_id})
        ]

    async def delete_webhook(self, webhook_id: str, key_id: str) -> bool:
        async with self._connection() as connection:
            cursor = await connection.execute(
                hookstore.PG_DELETE, {"id": webhook_id, "key": key_id}
            )
            if await cursor.fetchone() is None:
                return False
            # A statement of its own: it sees what fan-outs that held the webhook added.
            args = {"id": webhook_id, "reason": hookstore.DELETED_REASON}
            await connection.execute(FAIL_PENDING, args)
        return True

    async def queue_webhook_test(self, webhook_id: str, key_id: str) -> Delivery | None:
        row = await self._one(
            TEST,
            {
                "id": new_delivery_id(),
                "webhook": webhook_id,
                "key": key_id,
                "job": NO_JOB,
                "event": hookstore.TEST_EVENT,
                "body": hookstore.test_body(webhook_id),
            },
        )
        return None if row is None else delivery_from_row(row)

    async def add_delivery(
        self, job_id: str, key_id: str, url: str, event: str, body: str
    ) -> Delivery:
        async with self._connection() as connection:
            return await insert_delivery(connection, job_id, key_id, url, body, event)

    async def add_event_deliveries(self, job: Job, event: str, body: str) -> int:
        async with self._connection() as connection:
            return await insert_event_deliveries(connection, job, event, body)

    async def due_deliveries(self, now: float, limit: int, lease: float = 60.0) -> list[Delivery]:
        rows = await self._all(DUE, {"now": now, "lease": lease, "limit": limit})
        return [delivery_from_row(row) for row in rows]

    async def record_delivery(
        self, delivery_id: str, *, delivered: bool, error: str | None, next_at: float | None
    ) -> None:
        status = delivery_status(delivered, next_at)
        await self._exec(
            RECORD,
            {
                "status": status,
                "error": error,
                "next": next_at,
                "id": delivery_id,
                "delivered": delivered,
            },
        )
