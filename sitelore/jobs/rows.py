"""Rows of either backend's tables into job records: the two stores share their column names."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from sitelore.jobs.models import ApiKey, Delivery, Job, JobStatus, request_from_json

Row = Mapping[str, Any]
JOB_COLUMNS = (
    "id, key_id, status, request, progress, result, error, created_at, started_at, "
    "finished_at, attempts, cancel_requested"
)


def job_from_row(row: Row) -> Job:
    return Job(
        id=row["id"],
        key_id=row["key_id"],
        status=JobStatus(row["status"]),
        request=request_from_json(row["request"]),
        created_at=row["created_at"],
        progress=None if row["progress"] is None else json.loads(row["progress"]),
        result=None if row["result"] is None else json.loads(row["result"]),
        error=row["error"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        attempts=row["attempts"],
        cancel_requested=bool(row["cancel_requested"]),
    )


def key_from_row(row: Row) -> ApiKey:
    return ApiKey(
        row["id"], row["name"], row["webhook_secret"], row["created_at"], row["revoked_at"]
    )


def delivery_from_row(row: Row) -> Delivery:
    """A delivery; its account webhook and token when the row was read with them (the due
    deliveries are)."""
    linked = "webhook_id" in row.keys()  # noqa: SIM118 (an sqlite3.Row has no __contains__)
    return Delivery(
        row["id"],
        row["job_id"],
        row["key_id"],
        row["url"],
        row["event"],
        row["body"],
        row["attempts"],
        row["next_at"],
        row["status"],
        row["last_error"],
        row["webhook_id"] if linked else None,
        row["webhook_token"] if linked else None,
    )


def encode_cursor(job: Job) -> str:
    return base64.urlsafe_b64encode(f"{job.created_at!r}|{job.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[float, str]:
    """Raises ``ValueError`` for a cursor this store did not make."""
    try:
        created, bar, job_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = float(created)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("cursor is not one this server returned") from error
    if not bar or not job_id or not math.isfinite(moment):
        raise ValueError("cursor is not one this server returned")
    return moment, job_id


def status_counts(rows: Iterable[Row]) -> dict[JobStatus, int]:
    """Rows of ``status, count`` as a count for every status (zero when it has no row)."""
    counts = dict.fromkeys(JobStatus, 0)
    for row in rows:
        counts[JobStatus(row["status"])] = int(row["count"])
    return counts
