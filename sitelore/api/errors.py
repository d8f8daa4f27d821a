"""Errors → HTTP: the ``{statusCode, error, message}`` body and the status table of API.md."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sitelore.errors import InvalidRequest, RefusedByGuard
from sitelore.jobs.store import StoreFull, StoreUnavailable
from sitelore.settings import GUARD_SETTINGS

BODY_PARSE_FAILURE = "There was an error parsing the body"  # FastAPI's own words


class StatusError(Exception):
    """An answer other than 2xx, with the message the client sees."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"statusCode": status, "error": HTTPStatus(status).phrase, "message": message}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(data), status_code=status, media_type="application/json", headers=headers
    )


def describe_validation(error: RequestValidationError) -> str:
    """One sentence naming the field and what is wrong with it."""
    problems = list(error.errors())
    if not problems:
        return "request body is invalid"
    first = problems[0]
    kind = str(first.get("type", ""))
    if kind in ("json_invalid", "json_type") or "JSON" in str(first.get("msg", "")):
        return "request body is not valid JSON"
    location = [str(part) for part in first.get("loc", ()) if part != "body"]
    field = ".".join(location) or "body"
    if kind == "missing":
        return f"{field} is required"
    if kind == "extra_forbidden":
        name = location[-1] if location else ""
        return f"{name!r} is not a known field"
    if kind == "model_attributes_type" or kind == "dict_type":
        return "request body must be a JSON object"
    return f"{field}: {first.get('msg', 'invalid value')}"


def _with_setting(error: Exception) -> str:
    """A guard refusal names the setting with which the server's operator can open it."""
    message = str(error)
    if isinstance(error, RefusedByGuard) and error.opened_by in GUARD_SETTINGS:
        setting = GUARD_SETTINGS[error.opened_by]
        return f"{message}; the server's operator can allow it with {setting}"
    return message


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StatusError)
        return error_response(error.status, error.message, error.headers)

    async def on_invalid(request: Request, error: Exception) -> Response:
        return error_response(400, _with_setting(error))

    async def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and kind != "application/json" and not kind.endswith("+json"):
            return error_response(400, "content-type must be application/json")
        return error_response(400, describe_validation(error))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        message = str(error.detail)
        if error.status_code == 400 and message == BODY_PARSE_FAILURE:
            message = "request body is not valid JSON (UTF-8, within the nesting limit)"
        return error_response(error.status_code, message, dict(error.headers or {}))

    async def on_unavailable(request: Request, error: Exception) -> Response:
        if isinstance(error, StoreFull):
            message = "the disk holding the database is full; retry when space has been freed"
            return error_response(503, message, {"Retry-After": "30"})
        return error_response(503, "the database is unreachable; retry later", {"Retry-After": "5"})

    async def on_bug(request: Request, error: Exception) -> Response:
        return error_response(500, "internal error")

    app.add_exception_handler(StatusError, on_api_error)
    app.add_exception_handler(InvalidRequest, on_invalid)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(StoreUnavailable, on_unavailable)
    app.add_exception_handler(Exception, on_bug)
