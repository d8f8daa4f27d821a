"""``sitelore serve`` on a data directory it cannot trust, or that another server holds:
one line, a non-zero exit, and nothing touched (no fresh database, no new key, no job of
the live server handed back)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.apikit import (
    OPEN_GUARD,
    ServeProcess,
    child_env,
    create_key,
    free_port,
    get_job,
    submit,
    wait_job,
)
from tests.nskit import in_tmpfs, needs_root
from tests.webserver import WebServer, html


def serve_once(data_dir: Path, *prefix: str, port: int | None = None) -> tuple[int, list[str]]:
    """Run ``sitelore serve`` expecting it to refuse: its exit status and stderr lines."""
    command = [
        *prefix, sys.executable, "-m", "sitelore", "serve", "--host", "127.0.0.1",
        "--port", str(port or free_port()), "--data-dir", str(data_dir),
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=child_env(**OPEN_GUARD)
    )
    return done.returncode, done.stderr.strip().splitlines()


def a_real_database(data_dir: Path) -> Path:
    create_key(data_dir, "old")
    return data_dir / "sitelore.db"


def empty(data_dir: Path) -> None:
    a_real_database(data_dir).write_bytes(b"")


def truncated(data_dir: Path) -> None:
    path = a_real_database(data_dir)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def garbage(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "sitelore.db").write_bytes(b"not a database at all\n" * 500)


def someone_elses(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    with sqlite3.connect(data_dir / "sitelore.db") as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.close()


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (empty, "is empty (truncated?)"),
        (truncated, "is damaged"),
        (garbage, "is not a SQLite database"),
        (someone_elses, "is not a sitelore database"),
    ],
    ids=["empty", "truncated", "garbage", "not-ours"],
)
def test_a_data_file_that_cannot_be_trusted_is_one_line_and_left_as_it_is(
    tmp_path: Path, spoil: Callable[[Path], None], said: str
) -> None:
    data_dir = tmp_path / "data"
    spoil(data_dir)
    before = (data_dir / "sitelore.db").read_bytes()
    status, lines = serve_once(data_dir)
    assert status == 1, lines
    assert len(lines) == 1 and lines[0].startswith("sitelore: error: the database file"), lines
    assert said in lines[0]
    assert "move it away" in lines[0]
    assert (data_dir / "sitelore.db").read_bytes() == before


@needs_root
def test_a_read_only_data_directory_is_one_line(tmp_path: Path) -> None:
    saved = a_real_database(tmp_path / "saved")
    mount = tmp_path / "data"
    prefix = in_tmpfs(mount, "4m", f'cp {saved} "$0"/ && mount -o remount,ro "$0"')
    status, lines = serve_once(mount, *prefix)
    assert status == 1, lines
    assert lines == [
        f"sitelore: error: cannot use the data directory {mount}: Read-only file system"
    ]


@pytest.fixture
def live(tmp_path: Path, web: WebServer) -> Iterator[tuple[ServeProcess, httpx.Client, str]]:
    """A server running a job whose only page takes 3 s to answer."""
    web.add_route("127.0.0.1", "/", replace(html("<p>late</p>"), delay=3))
    server = ServeProcess(tmp_path / "data", tmp_path / "serve.log").wait_ready()
    client = httpx.Client(
        base_url=server.url, headers={"x-api-key": server.first_key()}, timeout=30
    )
    job = submit(client, {"url": f"http://127.0.0.1:{web.port}/", "singlePage": True})
    try:
        yield server, client, job
    finally:
        client.close()
        server.stop()


def test_a_second_serve_on_the_same_data_directory_touches_nothing(
    tmp_path: Path, live: tuple[ServeProcess, httpx.Client, str]
) -> None:
    server, client, job = live
    assert get_job(client, job)["status"] == "processing"
    for port in (None, server.port):  # a free port, and the live server's own
        status, lines = serve_once(tmp_path / "data", port=port)
        assert status == 1, lines
        assert lines == [
            f"sitelore: error: the data directory {tmp_path / 'data'} is in use by another "
            f"sitelore process (pid {server.process.pid}): stop it, or give this one another "
            "--data-dir"
        ]
    ended = wait_job(client, job, timeout=30)
    assert ended["status"] == "completed", ended
    keys = sqlite3.connect(tmp_path / "data" / "sitelore.db").execute(
        "SELECT COUNT(*) FROM api_keys"
    )
    assert keys.fetchone()[0] == 1
