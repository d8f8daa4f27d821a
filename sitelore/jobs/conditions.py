"""One log line per condition, not one per retry.

A loop that retries every second (a worker slot, housekeeping, the webhook sender) while
the database is away or its disk is full would otherwise write a traceback per second
per loop; an operator needs to read that the condition began, and that it ended.
"""

from __future__ import annotations

import logging


class ConditionLog:
    """Says when a recurring failure starts (or changes) and when it ends."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log = log
        self.what = what
        self.current: str | None = None

    def failing(self, error: BaseException) -> None:
        message = str(error) or type(error).__name__
        if message != self.current:
            self.log.warning("%s: %s", self.what, message)
            self.current = message

    def working(self) -> None:
        if self.current is not None:
            self.log.warning("%s: working again", self.what)
            self.current = None
