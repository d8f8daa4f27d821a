"""Job records: states, the job object of the seed page, API keys, events, webhook deliveries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sitelore.models import ExtractRequest, JobTask, RenderMode, iso_millis, millis_between


class JobStatus(StrEnum):
    """pending → processing → completed | failed (and nothing else)."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)


CANCELLED = "Job cancelled"


@dataclass(frozen=True)
class Job:
    """One extraction job as stored. Times are UNIX seconds (floats)."""

    id: str
    key_id: str
    status: JobStatus
    request: ExtractRequest
    created_at: float
    progress: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    attempts: int = 0
    cancel_requested: bool = False

    def to_dict(self, *, with_result: bool = True) -> dict[str, Any]:
        """The job object of the seed page: every key present, absent values null."""
        duration = None
        if self.started_at is not None and self.finished_at is not None:
            duration = millis_between(
                datetime.fromtimestamp(self.started_at, UTC),
                datetime.fromtimestamp(self.finished_at, UTC),
            )
        return {
            "id": self.id,
            "status": self.status.value,
            "progress": self.progress,
            "result": self.result if with_result and self.status is JobStatus.COMPLETED else None,
            "error": self.error if self.status is JobStatus.FAILED else None,
            "startedAt": _iso(self.started_at),
            "finishedAt": _iso(self.finished_at) if self.status.finished else None,
            "durationMs": duration if self.status.finished else None,
        }

    @property
    def feeds_account_webhooks(self) -> bool:
        """Whether its events go to its key's account webhooks: an extraction's do (their
        events are ``EXTRACTION_*``); a site map's or a page scrape's do not."""
        return self.request.task is JobTask.EXTRACT

    def list_entry(self) -> dict[str, Any]:
        """The job as ``GET /v1/jobs`` lists it: without its result, with the ``url`` it
        extracts, so that a list says which site each job is about."""
        return {"id": self.id, "url": self.request.url, **self.to_dict(with_result=False)}


def _iso(moment: float | None) -> str | None:
    return None if moment is None else iso_millis(datetime.fromtimestamp(moment, UTC))


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    webhook_secret: str
    created_at: float
    revoked_at: float | None = None


def compact_json(value: Any) -> str:
    """The JSON of an event's data as stored and sent: no spaces, UTF-8 as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class JobEvent:
    """One entry of a job's ordered event log (the SSE frames)."""

    job_id: str
    seq: int
    name: str
    data: dict[str, Any]

    def sse(self) -> str:
        return f"id: {self.seq}\nevent: {self.name}\ndata: {compact_json(self.data)}\n\n"


NO_JOB = ""  # the job of a delivery about no job (an account webhook's test event)


@dataclass(frozen=True)
class Delivery:
    """A webhook POST owed to a receiver; retried until delivered or given up.

    A delivery to a job's ``callbackUrl`` is signed with its key's webhook secret; one to
    an account webhook (``webhook_id``) with that webhook's ``token``, which the store
    reads with the due deliveries (None elsewhere)."""

    id: str
    job_id: str
    key_id: str
    url: str
    event: str
    body: str
    attempts: int
    next_at: float
    status: str  # "pending" | "delivered" | "failed"
    last_error: str | None = None
    webhook_id: str | None = None
    token: str | None = field(default=None, repr=False)

    @property
    def subject(self) -> str:
        """What the delivery is about, for a log line: its job, else its webhook."""
        return f"job {self.job_id}" if self.job_id != NO_JOB else f"webhook {self.webhook_id}"


@dataclass(frozen=True)
class Ending:
    """A job's end as its store writes it, in the same transaction as the new status: the
    last event of its log and the deliveries it owes (to the job's callback URL, and to
    its key's account webhooks subscribed to ``hook``)."""

    event: str  # "complete" | "error"
    data: dict[str, Any]
    hook: str  # "EXTRACTION_COMPLETED" | "EXTRACTION_FAILED"

    @classmethod
    def failed(cls, message: str) -> Ending:
        return cls("error", {"message": message}, "EXTRACTION_FAILED")

    def body(self, job: Job) -> str:
        """The body of the deliveries the finished ``job`` owes: the job object."""
        return webhook_body(self.hook, job.to_dict())


def webhook_body(event: str, payload: dict[str, Any]) -> str:
    return compact_json(
        {
            "event": event,
            "payload": payload,
            "timestamp": iso_millis(datetime.now(UTC)),
            "version": 1,
        }
    )


def request_to_json(request: ExtractRequest) -> str:
    return json.dumps(
        {
            "url": request.url,
            "maxPages": request.max_pages,
            "singlePage": request.single_page,
            "includePatterns": list(request.include_patterns),
            "excludePatterns": list(request.exclude_patterns),
            "urls": None if request.urls is None else list(request.urls),
            "callbackUrl": request.callback_url,
            "explain": request.explain,
            "render": str(request.render),
            "task": str(request.task),
            "limit": request.limit,
        }
    )


def request_from_json(text: str) -> ExtractRequest:
    data = json.loads(text)
    urls = data.get("urls")
    return ExtractRequest(
        url=data["url"],
        max_pages=data["maxPages"],
        single_page=data["singlePage"],
        include_patterns=tuple(data["includePatterns"]),
        exclude_patterns=tuple(data["excludePatterns"]),
        urls=None if urls is None else tuple(urls),
        callback_url=data.get("callbackUrl"),
        explain=data.get("explain", False),  # jobs stored before the field have none
        render=RenderMode(data.get("render", RenderMode.AUTO)),
        task=JobTask(data.get("task", JobTask.EXTRACT)),
        limit=data.get("limit", 100),
    )
