"""ConditionLog: a line when a condition starts or changes, one when it has settled."""

from __future__ import annotations

import logging

import pytest

from sitelore.jobs.conditions import ConditionLog

FULL = OSError("the disk is full")
AWAY = OSError("the database is away")


@pytest.mark.parametrize(
    ("steps", "said"),
    [
        ([(0, FULL), (1, FULL), (2, FULL)], ["x: the disk is full"]),
        ([(0, FULL), (1, AWAY)], ["x: the disk is full", "x: the database is away"]),
        ([(0, FULL), (1, None), (7, None)], ["x: the disk is full", "x: working again"]),
        # It flaps (a write goes through, the next fails): still one condition.
        ([(0, FULL), (1, None), (2, FULL), (3, None), (4, FULL), (5, None)],
         ["x: the disk is full"]),
        ([(0, None), (10, None)], []),
        ([(0, FULL), (1, None), (7, None), (8, FULL)],
         ["x: the disk is full", "x: working again", "x: the disk is full"]),
    ],
    ids=["repeats", "changes", "ends", "flaps", "never", "returns"],
)  # fmt: skip
def test_one_line_per_condition(
    steps: list[tuple[float, OSError | None]], said: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    condition = ConditionLog(logging.getLogger("test.conditions"), "x", clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="test.conditions"):
        for at, error in steps:
            now[0] = at
            if error is None:
                condition.working()
            else:
                condition.failing(error)
    assert [record.getMessage() for record in caplog.records] == said
