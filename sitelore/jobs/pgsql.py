"""SQL the PostgreSQL store shares between its operations: the channels, the database clock,
the queue entry of a job, and the writes that go into several transactions."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import DictRow

from sitelore.jobs.models import JobEvent, compact_json
from sitelore.jobs.rows import JOB_COLUMNS

EVENTS_CHANNEL = "sitelore_events"
CANCEL_CHANNEL = "sitelore_cancel"
TASK_NAME = "sitelore.extract"
QUEUE_NAME = "sitelore"
NOW = "extract(epoch from clock_timestamp())"
# One procrastinate job that runs sitelore job ``job_id``, in the job's lock slot.
DEFER = (
    "(SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(%(queue)s, %(task)s, 0, {lock}, "
    "NULL, jsonb_build_object('job_id', {job_id}), NULL)::procrastinate_job_to_defer_v1])))"
)
Connection = psycopg.AsyncConnection[DictRow]


async def append_event(
    connection: Connection,
    job_id: str,
    name: str,
    data: dict[str, Any],
    *,
    progress: bool = False,
) -> JobEvent:
    """The next event of a job's log (seq 0 and nothing stored when the job is gone); with
    ``progress``, ``data`` is also the progress of the job if it is processing."""
    text = compact_json(data)
    cursor = await connection.execute(
        "WITH numbered AS (UPDATE sitelore_jobs SET last_seq = last_seq + 1, "
        "  progress = CASE WHEN %(progress)s AND status = 'processing' THEN %(data)s "
        "  ELSE progress END WHERE id = %(id)s RETURNING last_seq), "
        "stored AS (INSERT INTO sitelore_job_events (job_id, seq, name, data) "
        "  SELECT %(id)s, last_seq, %(name)s, %(data)s FROM numbered RETURNING seq) "
        f"SELECT seq, pg_notify('{EVENTS_CHANNEL}', %(id)s) FROM stored",
        {"id": job_id, "name": name, "data": text, "progress": progress},
    )
    row = await cursor.fetchone()
    return JobEvent(job_id, 0 if row is None else int(row["seq"]), name, data)


def qualified(table: str) -> str:
    return ", ".join(f"{table}.{column.strip()}" for column in JOB_COLUMNS.split(","))


def describe(conninfo: str) -> str:
    """Where ``conninfo`` points, without its password (for logs and messages)."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "PostgreSQL (the URL does not parse)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"
