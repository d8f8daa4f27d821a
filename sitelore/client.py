"""Python clients of a sitelore server: :class:`Client` (blocking) and :class:`AsyncClient`.

    from sitelore import Client
    with Client("http://localhost:8000", api_key) as client:
        job_id = client.extract_async("https://example.com", max_pages=5)  # or maxPages=5
        job = client.wait(job_id)
        print(job["result"]["business"])

Errors are typed (:mod:`sitelore.errors`): ``AuthenticationError``, ``NotFoundError``,
``RateLimitError`` (with ``retry_after``), ``APIError`` for every other error answer and
``ServerUnreachable`` when no answer comes. Request fields may be given in the API's
camelCase (``maxPages=5``) or in snake_case (``max_pages=5``); ``extract_async`` also takes
an ``idempotency_key`` (sent as the ``Idempotency-Key`` header).
Both clients share the request building and answer checking below; only the I/O differs.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from sitelore.errors import (
    APIError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerUnreachable,
)

FINISHED = frozenset({"completed", "failed"})
MAX_POLL_INTERVAL = 60.0
FIRST_POLL_PAUSE = 0.1


@dataclass(frozen=True)
class StreamEvent:
    """One Server-Sent Event: ``id``, ``event`` name and its decoded JSON ``data``."""

    id: int | None
    event: str
    data: dict[str, Any]


def _body(url: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON; Python's ``max_pages=5`` is the API's ``maxPages``."""
    return {"url": url, **{_camel(name): value for name, value in fields.items()}}


def _idempotency(key: str | None) -> dict[str, str]:
    return {} if key is None else {"Idempotency-Key": key}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


class _Transport(httpx.HTTPTransport):
    """httpx's transport, whose network errors say which server could not be reached."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except httpx.TransportError as error:
            raise ServerUnreachable(self.base_url, error) from None


class _AsyncTransport(httpx.AsyncHTTPTransport):
    """:class:`_Transport` for :class:`AsyncClient`."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as error:
            raise ServerUnreachable(self.base_url, error) from None


def _checked(response: httpx.Response) -> Any:
    if response.status_code < 400:
        return response.json()
    try:
        message = str(response.json().get("message", response.text))
    except ValueError:
        message = response.text or response.reason_phrase
    status = response.status_code
    if status == 401:
        raise AuthenticationError(status, message)
    if status == 404:
        raise NotFoundError(status, message)
    if status == 429:
        retry = response.headers.get("retry-after", "1")
        raise RateLimitError(status, message, float(retry) if retry.isdigit() else 1.0)
    raise APIError(status, message)


class _Poller:
    """The pauses of :meth:`Client.wait`: growing by half each time, or what 429 asks for."""

    def __init__(self, job_id: str, interval: float, timeout: float | None) -> None:
        self.job_id = job_id
        # A short job ends within a second: look again soon, then back off to ``interval``
        # and beyond, rather than sleeping ``interval`` after the first look.
        self.interval = min(FIRST_POLL_PAUSE, interval)
        self.settled = interval
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout

    def pause(self, retry_after: float | None = None) -> float:
        pause = self.interval if retry_after is None else retry_after
        if retry_after is None:
            growth = 2.0 if self.interval < self.settled else 1.5
            self.interval = min(self.interval * growth, max(self.settled, MAX_POLL_INTERVAL))
        if self.deadline is not None and time.monotonic() + pause > self.deadline:
            raise TimeoutError(f"job {self.job_id} still running after {self.timeout:g}s")
        return pause


class _SSEParser:
    """Accumulates ``text/event-stream`` lines into events (comments are keep-alives)."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def feed(self, line: str) -> StreamEvent | None:
        if line.startswith(":"):
            return None
        if line:
            name, _, value = line.partition(":")
            self.fields[name] = value[1:] if value.startswith(" ") else value
            return None
        fields, self.fields = self.fields, {}
        if "event" not in fields:
            return None
        raw_id = fields.get("id", "")
        data = json.loads(fields.get("data", "{}") or "{}")
        return StreamEvent(int(raw_id) if raw_id.isdigit() else None, fields["event"], data)


class Client:
    """A blocking client of the HTTP API."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 330.0) -> None:
        base = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=base,
            headers={"x-api-key": api_key},
            timeout=timeout,
            transport=_Transport(base),
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def extract(self, url: str, **fields: Any) -> dict[str, Any]:
        """Synchronous extraction: the result (server-side sync timeout applies)."""
        result: dict[str, Any] = _checked(self._http.post("/v1/extract", json=_body(url, fields)))
        return result

    def classify(self, url: str) -> dict[str, Any]:
        """``POST /v1/classify``: the business from the site's key pages (``businessName``,
        ``industrySector`` ...; null where the pages give no sign)."""
        result: dict[str, Any] = _checked(self._http.post("/v1/classify", json={"url": url}))
        return result

    def extract_async(self, url: str, *, idempotency_key: str | None = None, **fields: Any) -> str:
        """Start a job; its id. With ``idempotency_key``, sending the same request again
        (a retry) answers the same job, and another request with that key is an
        ``APIError`` with status 422."""
        answer = _checked(
            self._http.post(
                "/v1/extract/async",
                json=_body(url, fields),
                headers=_idempotency(idempotency_key),
            )
        )
        return str(answer["jobId"])

    def get_job(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = _checked(self._http.get(f"/v1/jobs/{job_id}"))
        return job

    def list_jobs(
        self, status: str | None = None, limit: int = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        """``{"jobs": [...], "nextCursor": ...}``: this key's jobs, newest first, each with its
        ``url`` and without its result (``get_job`` has it)."""
        params = {k: v for k, v in (("status", status), ("limit", limit), ("cursor", cursor)) if v}
        page: dict[str, Any] = _checked(self._http.get("/v1/jobs", params=params))
        return page

    def cancel(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = _checked(self._http.post(f"/v1/jobs/{job_id}/cancel"))
        return job

    def wait(
        self, job_id: str, poll_interval: float = 5.0, timeout: float | None = None
    ) -> dict[str, Any]:
        """Poll until the job is finished (backing off, honouring ``Retry-After``)."""
        poller = _Poller(job_id, poll_interval, timeout)
        while True:
            try:
                job = self.get_job(job_id)
            except RateLimitError as error:
                time.sleep(poller.pause(error.retry_after))
                continue
            if job["status"] in FINISHED:
                return job
            time.sleep(poller.pause())

    def stream(self, url: str, **fields: Any) -> Iterator[StreamEvent]:
        """Start a job and yield its events as they happen, ending with complete or error."""
        with self._http.stream("POST", "/v1/extract/stream", json=_body(url, fields)) as answer:
            if answer.status_code >= 400:
                answer.read()
                _checked(answer)
            parser = _SSEParser()
            try:
                for line in answer.iter_lines():
                    event = parser.feed(line)
                    if event is not None:
                        yield event
            except httpx.TransportError as error:  # the connection broke off mid-stream
                raise ServerUnreachable(str(self._http.base_url), error) from None


class AsyncClient:
    """The same client for asyncio code."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 330.0) -> None:
        base = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=base,
            headers={"x-api-key": api_key},
            timeout=timeout,
            transport=_AsyncTransport(base),
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def extract(self, url: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = _checked(
            await self._http.post("/v1/extract", json=_body(url, fields))
        )
        return result

    async def classify(self, url: str) -> dict[str, Any]:
        result: dict[str, Any] = _checked(await self._http.post("/v1/classify", json={"url": url}))
        return result

    async def extract_async(
        self, url: str, *, idempotency_key: str | None = None, **fields: Any
    ) -> str:
        answer = _checked(
            await self._http.post(
                "/v1/extract/async",
                json=_body(url, fields),
                headers=_idempotency(idempotency_key),
            )
        )
        return str(answer["jobId"])

    async def get_job(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = _checked(await self._http.get(f"/v1/jobs/{job_id}"))
        return job

    async def list_jobs(
        self, status: str | None = None, limit: int = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        params = {k: v for k, v in (("status", status), ("limit", limit), ("cursor", cursor)) if v}
        page: dict[str, Any] = _checked(await self._http.get("/v1/jobs", params=params))
        return page

    async def cancel(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = _checked(await self._http.post(f"/v1/jobs/{job_id}/cancel"))
        return job

    async def wait(
        self, job_id: str, poll_interval: float = 5.0, timeout: float | None = None
    ) -> dict[str, Any]:
        poller = _Poller(job_id, poll_interval, timeout)
        while True:
            try:
                job = await self.get_job(job_id)
            except RateLimitError as error:
                await asyncio.sleep(poller.pause(error.retry_after))
                continue
            if job["status"] in FINISHED:
                return job
            await asyncio.sleep(poller.pause())

    async def stream(self, url: str, **fields: Any) -> AsyncIterator[StreamEvent]:
        async with self._http.stream(
            "POST", "/v1/extract/stream", json=_body(url, fields)
        ) as answer:
            if answer.status_code >= 400:
                await answer.aread()
                _checked(answer)
            parser = _SSEParser()
            try:
                async for line in answer.aiter_lines():
                    event = parser.feed(line)
                    if event is not None:
                        yield event
            except httpx.TransportError as error:  # the connection broke off mid-stream
                raise ServerUnreachable(str(self._http.base_url), error) from None
