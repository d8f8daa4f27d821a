"""What the OpenAPI document says beyond the routes' signatures: each route's error
answers (the ``{statusCode, error, message}`` body of API.md), the event streams, and 400
instead of FastAPI's 422.

The routes name their statuses with :func:`errors`; ``app.py`` serves ``/docs`` and
``/redoc`` from the assets of the ``fastapi-offline`` package, so they work offline.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from sitelore.api.schemas import ErrorBody

RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}

# status: (when, an example message): the table of API.md.
WHEN: dict[int, tuple[str, str]] = {
    400: (
        "The body is not JSON, or a field, query parameter or header is missing, of the "
        "wrong type or out of range; the message names it and says why",
        "maxPages must be between 1 and 50",
    ),
    401: ("`x-api-key` is missing, unknown or revoked", "x-api-key header is missing"),
    404: (
        "No such job for this key: unknown, another key's, or past its retention",
        "job job_abc123def456 not found",
    ),
    409: (
        "The job's state does not allow it: it has already finished",
        "job job_abc123def456 is already completed",
    ),
    422: (
        "The `Idempotency-Key` was used before for another request (its job is named)",
        "Idempotency-Key 'k1' was used for another request (job job_abc123def456): send the "
        "same request to get that job again, or a new key for a new job",
    ),
    413: (
        "The request body is larger than the server allows",
        "request body is larger than 262144 bytes",
    ),
    429: (
        "This key's rate limit is hit (or, for an event stream, its cap of open streams); "
        "retry after `Retry-After` seconds",
        "rate limit exceeded for this API key",
    ),
    500: ("A bug in the server; the body never carries a stack trace", "internal error"),
    502: (
        "The extraction failed; the message is the job's error",
        "Failed to scrape URL: Connection timeout after 30s",
    ),
    503: (
        "The database cannot be used, or the server is at its connection cap; retry after "
        "`Retry-After` seconds",
        "the database is unreachable; retry later",
    ),
    504: (
        "The extraction is still running at the server's sync timeout; the job goes on: "
        "poll `GET /v1/jobs/{jobId}` with the id in the message",
        "extraction still running after 300s: poll /v1/jobs/job_abc123def456",
    ),
}
KEYED = (401, 429, 500, 503)  # any route that needs a key, on any request


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route's error answers, each with the error body."""
    answers: dict[int | str, dict[str, Any]] = {}
    for status in sorted(set(statuses)):
        when, message = WHEN[status]
        phrase = HTTPStatus(status).phrase
        example = ErrorBody(statusCode=status, error=phrase, message=message)
        answers[status] = {
            "model": ErrorBody,
            "description": when,
            "content": {"application/json": {"example": example.model_dump()}},
        }
        if status in (429, 503):
            answers[status]["headers"] = RETRY_AFTER
    return answers


EVENTS = """
Each frame has `id:`, `event:` and a one-line JSON `data:`:

| event | data |
|---|---|
| `connected` | `{"jobId": "job_..."}` |
| `pages_planned` | `{"pages": [{"url": "...", "purpose": "pricing"}], "urlsDiscovered": 34}`, \
when the first plan is made and whenever it changes |
| `page_scraped` | `{"url": "...", "index": 0, "total": 10, "status": "done", "error": null, \
"rendered": false, "durationMs": 412}`; `status` is `done`, `failed` or `skipped` (the reason \
in `error`); `rendered` says whether a browser built its HTML; `durationMs` is how long the \
page took to fetch and read |
| `progress` | the job's `progress` object |
| `business_classified` | `{"business": {...}}` |
| `complete` | `{"result": {...}}`, the last event on success |
| `error` | `{"message": "..."}`, the last event on failure |

A comment line (`: ping`) keeps an idle stream open. If the client goes away, the job goes on:
read it with `GET /v1/jobs/{jobId}`.
"""

EXAMPLE_STREAM = (
    'id: 1\nevent: connected\ndata: {"jobId":"job_abc123def456"}\n\n'
    'id: 2\nevent: progress\ndata: {"pagesScraped":0,"totalPages":10,'
    '"currentStep":"Planning pages"}\n\n'
)


def event_stream(description: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry of a route answering ``200 text/event-stream``."""
    content = {"schema": {"type": "string"}, "example": EXAMPLE_STREAM}
    return {200: {"description": description, "content": {"text/event-stream": content}}}


def answer_400_not_422(app: FastAPI) -> None:
    """Drop the 422 FastAPI adds to routes with parameters: invalid input is a 400 with
    the error body (routes list it with :func:`errors`)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.get("responses", {})
                    if _is_fastapi_validation(responses.get("422")):
                        del responses["422"]
            defined = schema.get("components", {}).get("schemas", {})
            defined.pop("HTTPValidationError", None)
            defined.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _is_fastapi_validation(answer: dict[str, Any] | None) -> bool:
    if answer is None:
        return False
    schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))
