"""The guard at the door: how many connections the server holds, and how long a client may
take to send a request.

uvicorn accepts every connection and waits forever for a request's headers and body, so
a thousand clients that send slowly (or never) hold a thousand open files until the
process runs out and fails everyone. :func:`guarded_protocol` makes uvicorn's protocol
class

- answer a connection over ``max_connections`` with ``503`` and ``Retry-After`` at once
  (the file is closed; the service keeps working for the connections it holds),
- close a connection whose request headers are not complete ``header_timeout`` seconds
  after its first byte (or after it connected), with ``408``,
- close a connection whose request body is not complete ``body_timeout`` seconds after
  its headers, with ``408`` if no response was started.

:func:`raise_file_limit` lifts the process's soft open-file limit to its hard limit, and
:func:`connection_cap` derives the connection cap from it.
"""

from __future__ import annotations

import asyncio
import json
import resource
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Files the process needs besides client connections: the database, the crawls' sockets,
# the page processes' pipes, webhooks, logs.
RESERVED_FILES = 128
RETRY_AFTER = 1
# A refused client may still be sending its request: read and drop it this long, so that
# closing does not reset the connection before the client reads the 503.
LINGER = 0.5


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int = 1_000
    header_timeout: float = 10.0
    body_timeout: float = 30.0


def raise_file_limit() -> int:
    """Lift the soft open-file limit to the hard one; return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # e.g. above the kernel's nr_open: keep what we have
            pass
    return soft


def connection_cap(file_limit: int, configured: int = 0) -> int:
    """The configured cap, else the file limit less the files the process needs itself."""
    derived = max(file_limit - RESERVED_FILES, file_limit // 2)
    return min(configured, derived) if configured > 0 else derived


def _response(status: str, message: str, *headers: str) -> bytes:
    code = int(status.split()[0])
    body = json.dumps({"statusCode": code, "error": status[4:], "message": message}).encode()
    head = [
        f"HTTP/1.1 {status}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *headers,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


OVERLOADED = _response(
    "503 Service Unavailable",
    "the server has too many open connections; retry shortly",
    f"Retry-After: {RETRY_AFTER}",
)
TOO_SLOW = _response(
    "408 Request Timeout", "the request was not sent in time; send it again, whole"
)


def guarded_protocol(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    """uvicorn's HTTP protocol class with the guard of ``limits`` (``Config(http=...)``)."""

    class GuardedProtocol(HttpToolsProtocol):
        _timer: asyncio.TimerHandle | None = None
        _refused = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                self._refuse(transport)
                return
            self._arm(limits.header_timeout)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._timer is None and (self.cycle is None or self.cycle.response_complete):
                self._arm(limits.header_timeout)  # the next request on a kept-alive connection
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._arm(limits.body_timeout)
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._timer = self.loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _too_slow(self) -> None:
            self._timer = None
            if self.transport.is_closing():
                return
            if self.cycle is None or not self.cycle.response_started:
                self.transport.write(TOO_SLOW)
            self.transport.close()

        def _refuse(self, transport: asyncio.Transport) -> None:
            self._refused = True
            transport.write(OVERLOADED)
            if transport.can_write_eof():
                transport.write_eof()
            self.loop.call_later(LINGER, transport.close)

    return GuardedProtocol
