"""One log line per condition, not one per retry.

A loop that retries every second (a worker slot, housekeeping, the webhook sender) while
the database is away or its disk is full would otherwise write a traceback per second
per loop; an operator needs to read that the condition began, and that it ended. A
condition that flaps (a nearly full disk: a checkpoint frees a little space, the next
writes fill it) is one condition: it ends only after ``settle`` seconds without failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

SETTLE = 5.0


class ConditionLog:
    """Says when a recurring failure starts (or changes) and when it has ended."""

    def __init__(
        self,
        log: logging.Logger,
        what: str,
        *,
        settle: float = SETTLE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.what = what
        self.settle = settle
        self.clock = clock
        self.current: str | None = None
        self.clear_since: float | None = None

    def failing(self, error: BaseException) -> None:
        message = str(error) or type(error).__name__
        self.clear_since = None
        if message != self.current:
            self.log.warning("%s: %s", self.what, message)
            self.current = message

    def working(self) -> None:
        if self.current is None:
            return
        now = self.clock()
        if self.clear_since is None:
            self.clear_since = now
        elif now - self.clear_since >= self.settle:
            self.log.warning("%s: working again", self.what)
            self.current = None
            self.clear_since = None
