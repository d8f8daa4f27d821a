"""What every ``sitelore`` command shares: the bad-input error (exit status 2) and checks."""

from __future__ import annotations


class BadInput(Exception):
    """A command-line value is out of range (exit status 2)."""


def check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise BadInput(f"{name} must be between {low:g} and {high:g}, got {value:g}")
