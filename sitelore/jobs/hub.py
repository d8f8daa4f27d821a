"""Wake-ups between coroutines of one process: a job got a new event, a job was queued.

Waiters re-read the store when woken, so a lost or merged wake-up costs a poll, never an
event. The PostgreSQL backend carries the same signals across processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

QUEUE = "__queue__"


class EventHub:
    """In-process signals keyed by job id (and :data:`QUEUE` for "a job is pending")."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}

    def notify(self, topic: str) -> None:
        for waiter in self._waiters.get(topic, ()):
            waiter.set()

    def notify_all(self) -> None:
        """Wake every waiter (after a lost connection: they re-read what they wait for)."""
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.set()

    @contextmanager
    def subscribe(self, topic: str) -> Iterator[asyncio.Event]:
        """An event set on every notification of ``topic``; clear it before re-reading."""
        waiter = asyncio.Event()
        self._waiters.setdefault(topic, set()).add(waiter)
        try:
            yield waiter
        finally:
            waiters = self._waiters.get(topic)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self._waiters[topic]


async def wait_for(waiter: asyncio.Event, timeout: float) -> bool:
    """True if ``waiter`` was set within ``timeout`` seconds (it is cleared either way)."""
    try:
        await asyncio.wait_for(waiter.wait(), timeout)
    except TimeoutError:
        return False
    finally:
        waiter.clear()
    return True
