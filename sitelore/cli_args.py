"""What every ``sitelore`` command shares: the bad-input error (exit status 2), checks, and
the key of a ``--server``."""

from __future__ import annotations

import os


class BadInput(Exception):
    """A command-line value is out of range (exit status 2)."""


def check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise BadInput(f"{name} must be between {low:g} and {high:g}, got {value:g}")


def server_key(api_key: str | None) -> str:
    """The key for ``--server``: ``--api-key``, else ``SITELORE_API_KEY``."""
    key = api_key or os.environ.get("SITELORE_API_KEY")
    if not key:
        raise BadInput("--server needs --api-key or SITELORE_API_KEY")
    return key
