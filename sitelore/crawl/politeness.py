"""Per-host politeness: a bound on concurrent requests and a minimum gap between their starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

__all__ = ["HostLimiter"]


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    delay: float
    # Held while a request waits for its start time, so starts happen one at a time, in
    # arrival order (asyncio locks wake waiters first-in, first-out).
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")


class HostLimiter:
    """Limits each host to ``concurrency`` requests at once and spaces their starts.

    ``async with limiter.slot(host):`` waits for a free slot for ``host``, then until at
    least the host's delay has passed since the previous start, then runs the block. Hosts
    are independent and compared case-insensitively. Waiting uses asyncio primitives and
    timers only (no polling), on the running loop's monotonic clock.
    """

    def __init__(self, concurrency: int, default_delay: float = 0.0) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if default_delay < 0:
            raise ValueError(f"default_delay must not be negative, got {default_delay}")
        self._concurrency = concurrency
        self._default_delay = default_delay
        self._hosts: dict[str, _HostState] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        """Space request starts to ``host`` by ``seconds`` from now on (e.g. robots crawl-delay)."""
        if seconds < 0:
            raise ValueError(f"delay must not be negative, got {seconds}")
        self._state(host).delay = seconds

    def delay(self, host: str) -> float:
        """The gap currently enforced between request starts to ``host``."""
        state = self._hosts.get(host.lower())
        return self._default_delay if state is None else state.delay

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s request slots for the duration of the block."""
        state = self._state(host)
        async with state.slots:
            async with state.gate:
                loop = asyncio.get_running_loop()
                # Read the delay now, not at the previous start: set_delay applies at once.
                wait = state.last_start + state.delay - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                state.last_start = loop.time()
            yield

    def _state(self, host: str) -> _HostState:
        key = host.lower()
        state = self._hosts.get(key)
        if state is None:
            state = _HostState(asyncio.Semaphore(self._concurrency), self._default_delay)
            self._hosts[key] = state
        return state
