"""The code style gates run as tests, so the one test command checks everything."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(
            [sys.executable, "-m", "ruff", "check", "sitelore", "tests", "bench"], id="ruff"
        ),
        pytest.param([sys.executable, "-m", "mypy", "--strict"], id="mypy"),
    ],
)
def test_static_check_passes(command: list[str]) -> None:
    tool = command[2]
    if shutil.which(tool) is None and not _module_available(tool):
        pytest.fail(f"{tool} is not installed: pip install -e '.[dev]'")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _module_available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
