"""A full disk under a real ``sitelore serve`` (its data directory on an 8 MiB tmpfs in a
mount namespace of its own): submissions get 503 saying the disk is full, reads go on, a
job in flight and the queued ones finish by themselves once space is freed, the log says
so once, and the database is whole (``PRAGMA integrity_check``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.apikit import ServeProcess, eventually, get_job, submit, wait_job
from tests.nskit import in_tmpfs, inside, needs_root
from tests.sitekit import page_html, prose
from tests.webserver import WebServer, html

pytestmark = needs_root
FULL_FOR = 5  # seconds: a worker slot retries every second
INTEGRITY = (
    "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA {}').fetchone()[0])"
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServeProcess]:
    mount = tmp_path / "data"
    running = ServeProcess(mount, tmp_path / "serve.log", None, in_tmpfs(mount, "8m"))
    try:
        yield running.wait_ready()
    finally:
        running.stop()


def sql(server: ServeProcess, pragma: str) -> str:
    database = str(server_data(server) / "sitelore.db")
    done = inside(server.process.pid, sys.executable, "-c", INTEGRITY.format(pragma), database)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def server_data(server: ServeProcess) -> Path:
    return server.log.parent / "data"


def fill(server: ServeProcess) -> None:
    filler = server_data(server) / "filler"
    inside(server.process.pid, "sh", "-c", f"cat /dev/zero > {filler}")  # until ENOSPC


def free(server: ServeProcess) -> None:
    done = inside(server.process.pid, "rm", str(server_data(server) / "filler"))
    assert done.returncode == 0, done.stderr


def test_a_full_disk_is_said_reads_go_on_and_jobs_resume_when_space_returns(
    server: ServeProcess, web: WebServer
) -> None:
    web.add_route("127.0.0.1", "/", html(page_html("Home", prose("What we do"))))
    web.add_route("127.0.0.1", "/slow", replace(html(page_html("Slow", prose("Late"))), delay=2))
    site = f"http://127.0.0.1:{web.port}/"
    client = httpx.Client(
        base_url=server.url, headers={"x-api-key": server.first_key()}, timeout=30
    )
    with client:
        done_before = submit(client, {"url": site, "singlePage": True})
        assert wait_job(client, done_before)["status"] == "completed"
        in_flight = submit(client, {"url": site + "slow", "singlePage": True})
        eventually(lambda: get_job(client, in_flight)["status"] == "processing")
        fill(server)
        accepted, refusal = submit_until_refused(client, site)
        assert refusal.status_code == 503, refusal.text
        assert "disk holding the database is full" in refusal.json()["message"]
        assert refusal.headers["retry-after"]
        assert get_job(client, done_before)["status"] == "completed"  # reads go on
        for _ in range(FULL_FOR):  # the workers retry meanwhile
            assert client.get("/v1/jobs").status_code == 200
            time.sleep(1)
        free(server)
        eventually(lambda: client.post("/v1/extract/async", json={"url": site}).status_code == 202)
        for job in [in_flight, *accepted]:
            assert wait_job(client, job, timeout=60)["status"] == "completed"
        assert sql(server, "integrity_check") == "ok"
        eventually(lambda: "database: working again" in server.stderr(), timeout=30)
    log = server.stderr()
    assert "Traceback" not in log, log
    # Said by the store when it began and when it ended, not at every retry of every loop.
    assert log.count("is full") == 1, log
    assert log.count("working again") == 1, log


def submit_until_refused(client: httpx.Client, site: str) -> tuple[list[str], httpx.Response]:
    """Submit until the store has no room left (SQLite fills the space it already holds
    first); the jobs accepted, and the refusal."""
    accepted: list[str] = []
    for _ in range(2_000):
        response = client.post("/v1/extract/async", json={"url": site, "singlePage": True})
        if response.status_code != 202:
            return accepted, response
        accepted.append(response.json()["jobId"])
    raise AssertionError("2,000 jobs accepted on a full disk")
