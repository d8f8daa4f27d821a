"""Request limits: body size (413), per-key request rate (429 with ``Retry-After``) and
per-key open event streams (429)."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sitelore.api.errors import error_response


class BodyLimit:
    """ASGI middleware: refuse bodies over ``max_bytes``, by header or as they stream in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        # Read the whole (small) body first: past the limit the answer is 413 before the app
        # sees anything, whether the client declared a length or streamed chunks.
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body"))
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"request body is larger than {self.max_bytes} bytes"
        await error_response(413, message)(scope, receive, send)


def _replay(buffered: list[Message], receive: Receive) -> Receive:
    """Hand out the buffered messages first, then the real ``receive`` (disconnects)."""

    async def replay() -> Message:
        if buffered:
            return buffered.pop(0)
        return await receive()

    return replay


class RateLimiter:
    """A token bucket per key: ``per_minute`` requests, refilled continuously."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    def check(self, key_id: str) -> int | None:
        """None when the request may go on, else the seconds to wait before retrying."""
        now = self.clock()
        tokens, stamp = self.buckets.get(key_id, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
        if tokens >= 1.0:
            self.buckets[key_id] = (tokens - 1.0, now)
            return None
        self.buckets[key_id] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))


class StreamCount:
    """Open event streams per key in this process: each holds a connection and a task."""

    def __init__(self, per_key: int) -> None:
        self.per_key = per_key
        self.open: Counter[str] = Counter()

    def take(self, key_id: str) -> bool:
        """Count one more stream for the key, unless it holds ``per_key`` already."""
        if self.open[key_id] >= self.per_key:
            return False
        self.open[key_id] += 1
        return True

    def total(self) -> int:
        """Open streams of every key."""
        return sum(self.open.values())

    def give_back(self, key_id: str) -> None:
        self.open[key_id] -= 1
        if self.open[key_id] <= 0:
            del self.open[key_id]
