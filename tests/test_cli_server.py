"""``sitelore db upgrade``, ``worker``, ``keys`` and ``serve`` against PostgreSQL, in-process
through :func:`sitelore.cli.main` (the environment is patched per test)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitelore.cli import main
from sitelore.jobs.pgschema import MIGRATIONS
from sitelore.settings import SETTING_NAMES, Settings
from tests.apikit import ServeProcess
from tests.jobs.conftest import fresh_pg_schema
from tests.webserver import closed_port


@pytest.fixture
def empty_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """SITELORE_DATABASE_URL points at a new schema that was never upgraded."""
    with fresh_pg_schema(upgraded=False) as conninfo:
        monkeypatch.setenv("SITELORE_DATABASE_URL", conninfo)
        yield conninfo


def test_db_upgrade_applies_every_migration_once(
    empty_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    first = capsys.readouterr().out
    assert "applied 1: procrastinate queue schema" in first
    assert "applied 2:" in first
    assert main(["db", "upgrade"]) == 0
    second = capsys.readouterr().out
    latest = MIGRATIONS[-1].version
    assert "applied" not in second and f"schema is at version {latest}" in second


def test_keys_live_in_the_database_of_the_url(
    empty_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["keys", "create", "--name", "ci"]) == 0
    shown = capsys.readouterr().out.splitlines()[0]
    assert shown.startswith("sl_")
    assert main(["keys", "list"]) == 0
    assert "\tactive\tci" in capsys.readouterr().out


def test_keys_create_with_the_hosted_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SITELORE_DATABASE_URL", raising=False)
    data = str(tmp_path / "data")
    assert main(["keys", "create", "--name", "sdk", "--prefix", "sk_ks_", "--data-dir", data]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"sk_ks_[0-9a-f]+_[A-Za-z0-9_-]+", lines[0]), lines[0]
    assert lines[1] == f"id: {lines[0].split('_')[2]}"


def test_keys_create_refuses_an_unknown_prefix_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SITELORE_DATABASE_URL", raising=False)
    data = tmp_path / "data"
    command = ["keys", "create", "--name", "x", "--prefix", "pk_", "--data-dir", str(data)]
    assert main(command) == 2
    error = capsys.readouterr().err
    assert "--prefix must be one of sl_, sk_ks_" in error and error.count("\n") == 1, error
    assert not data.exists()


@pytest.mark.parametrize(
    "command",
    [["keys", "list"], ["worker", "--burst"], ["serve", "--port", "0"]],
    ids=["keys", "worker", "serve"],
)
def test_an_outdated_schema_is_a_one_line_error(
    empty_schema: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 1
    error = capsys.readouterr().err
    assert "run `sitelore db upgrade`" in error
    assert error.count("\n") == 1, error


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["worker"], "sitelore worker needs SITELORE_DATABASE_URL"),
        (["db", "upgrade"], "SITELORE_DATABASE_URL is not set"),
        (["worker", "--concurrency", "0"], "--concurrency must be between 1 and 256"),
    ],
    ids=["worker", "db-upgrade", "concurrency"],
)
def test_commands_that_need_postgresql_say_so(
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SITELORE_DATABASE_URL", raising=False)
    assert main(command) == 2
    assert message in capsys.readouterr().err


def test_a_worker_in_burst_mode_drains_an_empty_queue_and_exits(
    empty_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["worker", "--burst", "--concurrency", "2"]) == 0
    assert "2 jobs at once" in capsys.readouterr().err


def test_an_unreachable_database_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SITELORE_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")
    assert main(["keys", "list"]) == 1
    error = capsys.readouterr().err
    assert "cannot connect to PostgreSQL" in error and error.count("\n") == 1, error


@pytest.mark.parametrize(
    ("variable", "value", "accepts"),
    [
        ("SITELORE_RATE_LIMIT_PER_MINUTE", "abc", "a whole number"),
        ("SITELORE_SYNC_TIMEOUT", "soon", "a number"),
        ("SITELORE_WORKERS", "-2", "a whole number of 0 or more"),
        ("SITELORE_ALLOWED_PORTS", "80,http", "SITELORE_ALLOWED_PORTS"),
        ("SITELORE_METRICS", "maybe", "on or off"),
    ],
    ids=["not-a-number", "not-a-float", "negative", "ports", "switch"],
)
@pytest.mark.parametrize("command", [["serve", "--port", "8124"], ["keys", "list"]])
def test_a_malformed_setting_is_one_line_naming_it_and_creates_nothing(
    tmp_path: Path, command: list[str], variable: str, value: str, accepts: str
) -> None:
    # A process of its own, with a deadline: a server that starts anyway must not hang the run.
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITELORE_")}
    env |= {"SITELORE_DATA_DIR": str(data), variable: value}
    done = subprocess.run(
        [sys.executable, "-m", "sitelore", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert variable in done.stderr and accepts in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert not data.exists()


def test_the_readme_lists_every_setting_with_its_default() -> None:
    rows = {
        line.split("`")[1]: line
        for line in (Path(__file__).parent.parent / "README.md").read_text().splitlines()
        if line.startswith("| `SITELORE_")
    }
    defaults = Settings()
    for name in SETTING_NAMES:
        variable = f"SITELORE_{name.upper()}"
        assert variable in rows, f"{variable} has no row in the README's table"
        default = getattr(defaults, name)
        shown = f"{default:g}" if isinstance(default, float) else str(default)
        if isinstance(default, bool):
            shown = "on" if default else "off"
        assert not shown or f"`{shown}`" in rows[variable], (variable, shown)


def _serve(arguments: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    """``sitelore serve`` that is expected to refuse to start (a deadline if it does not)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITELORE_")}
    command = [sys.executable, "-m", "sitelore", "serve", "--data-dir", str(data), *arguments]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_serve_with_no_workers_on_the_embedded_database_is_refused(tmp_path: Path) -> None:
    done = _serve(["--port", str(closed_port()), "--workers", "0"], tmp_path / "data")
    assert done.returncode == 2
    assert "--workers 0 runs no jobs" in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "data").exists()


def test_serve_on_a_port_in_use_says_so_and_creates_nothing(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(["--port", str(port)], tmp_path / "data")
    assert done.returncode == 2, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "listening" not in done.stderr and "API key" not in done.stderr
    assert not (tmp_path / "data").exists()


def test_the_first_start_shows_the_keys_webhook_secret_and_keys_list_can(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ServeProcess(tmp_path / "data", tmp_path / "serve.log").wait_ready()
    try:
        secret = re.search(r"its webhook secret: (whsec_\S+)", server.stderr())
    finally:
        server.stop()
    assert secret is not None, server.stderr()
    monkeypatch.delenv("SITELORE_DATABASE_URL", raising=False)
    assert main(["keys", "list", "--data-dir", str(tmp_path / "data"), "--secrets"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"\tdefault\t{secret.group(1)}")


def test_serve_help_shows_the_defaults_it_runs_with(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    defaults = Settings()
    for default in (defaults.host, defaults.port, defaults.workers):
        assert f"[default: {default}," in shown, (default, shown)
