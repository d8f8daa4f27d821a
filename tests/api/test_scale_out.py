"""Scaled out on PostgreSQL, with real processes: ``sitelore serve --workers 0`` for the API,
``sitelore worker`` for the jobs, one fresh schema per test. Workers are killed, stopped,
cut off from the database; the database goes away and comes back.

Every fixture page is served on the literal host 127.0.0.1 (the child processes crawl it
without a resolver); nothing leaves loopback. Skipped without SITELORE_TEST_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from sitelore.jobs.pgsql import NOW
from tests.apikit import (
    Stream,
    error_body,
    eventually,
    get_job,
    iter_jobs,
    read_sse,
    submit,
    wait_job,
)
from tests.jobs.conftest import fresh_pg_schema
from tests.pgkit import (
    Fleet,
    TcpProxy,
    WorkerProcess,
    app_name,
    cli_create_key,
    pg_env,
    sql_rows,
    sql_value,
    store_create_key,
    terminate_backends,
    wait_exit,
    with_app_name,
)
from tests.sitekit import page_html, prose, route_site
from tests.webserver import Response, WebServer, html

UNFINISHED = "SELECT count(*) FROM sitelore_jobs WHERE status IN ('pending', 'processing')"
DOING = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
PAGE_DELAY = 0.04


@pytest.fixture
def pg() -> Iterator[str]:
    """The conninfo of a fresh, migrated schema (skips without a test database)."""
    with fresh_pg_schema() as conninfo:
        yield conninfo


@pytest.fixture
def site(web: WebServer) -> str:
    """Seven pages on 127.0.0.1, each answering after :data:`PAGE_DELAY`; the home URL."""
    inner = [f"/p{n}/" for n in range(1, 7)]
    pages: dict[str, str | Response] = {
        "/": _slow(page_html("Home", prose("Scale Company home"), inner)),
    }
    for n, path in enumerate(inner, 1):
        pages[path] = _slow(page_html(f"Page {n}", prose(f"Topic {n} of Scale Company")))
    route_site(web, "127.0.0.1", pages)
    return f"http://127.0.0.1:{web.port}/"


def _slow(text: str) -> Response:
    page = html(text)
    return Response(page.status, page.headers, page.body, delay=PAGE_DELAY)


def _client(url: str, key: str, timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"x-api-key": key}, trust_env=False, timeout=timeout)


async def _submit_all(urls: list[str], key: str, bodies: list[dict[str, Any]]) -> list[str]:
    """POST every body to /v1/extract/async, alternating over ``urls``; the job ids."""
    clients = [
        httpx.AsyncClient(base_url=url, headers={"x-api-key": key}, trust_env=False, timeout=60)
        for url in urls
    ]
    try:
        responses = await asyncio.gather(
            *(
                clients[n % len(clients)].post("/v1/extract/async", json=body)
                for n, body in enumerate(bodies)
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    assert [r.status_code for r in responses] == [202] * len(bodies), [r.text for r in responses]
    return [str(r.json()["jobId"]) for r in responses]


def _timed(
    url: str, key: str, method: str, path: str, body: dict[str, Any] | None
) -> tuple[httpx.Response, float]:
    """One request on a client of its own; the response and how long it took."""
    with _client(url, key, timeout=30) as client:
        start = time.monotonic()
        response = client.request(method, path, json=body)
        return response, time.monotonic() - start


def _watch(url: str, key: str, job_id: str, into: list[Stream]) -> threading.Thread:
    """Read the job's SSE stream from ``url`` in a thread, until the server closes it."""

    def read() -> None:
        with (
            _client(url, key, timeout=60) as client,
            client.stream("GET", f"/v1/jobs/{job_id}/events") as response,
        ):
            assert response.status_code == 200
            into.append(read_sse(response, timeout=90))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _terminal_events(pg: str) -> dict[str, tuple[str, str | None, int, list[str]]]:
    """Every job: (status, error, attempts, its terminal events in order)."""
    rows = sql_rows(
        pg,
        "SELECT j.id, j.status, j.error, j.attempts, "
        "  COALESCE(array_agg(e.name ORDER BY e.seq) "
        "    FILTER (WHERE e.name IN ('complete', 'error')), '{}') "
        "FROM sitelore_jobs j LEFT JOIN sitelore_job_events e ON e.job_id = j.id GROUP BY j.id",
    )
    return {row[0]: (row[1], row[2], row[3], list(row[4])) for row in rows}


def _check_finished_once(pg: str, ids: list[str]) -> dict[str, tuple[str, str | None, int]]:
    """Every job is finished, with exactly one terminal event that matches its status."""
    found = _terminal_events(pg)
    assert set(found) == set(ids), "jobs lost or invented"
    for job_id, (status, error, _attempts, terminal) in found.items():
        if status == "completed":
            assert terminal == ["complete"], (job_id, status, terminal)
        else:
            assert status == "failed", (job_id, status)
            assert error, (job_id, "a failed job says why")
            assert terminal == ["error"], (job_id, status, error, terminal)
    eventually(lambda: sql_value(pg, DOING) == 0, timeout=10, interval=0.2)
    return {job_id: (row[0], row[1], row[2]) for job_id, row in found.items()}


def _all_finished(pg: str, timeout: float, fleet: Fleet) -> None:
    """Wait until no job is pending or processing; else fail with what is stuck, and why."""
    try:
        eventually(lambda: sql_value(pg, UNFINISHED) == 0, timeout=timeout, interval=0.5)
    except AssertionError:
        stuck = sql_rows(
            pg,
            "SELECT j.id, j.status, j.attempts, j.worker, j.queue_lock, q.status::text, "
            "  q.lock, (SELECT array_agg(o.status::text || ':' || (o.args->>'job_id')) "
            "    FROM procrastinate_jobs o WHERE o.lock = j.queue_lock AND o.status = 'doing') "
            "FROM sitelore_jobs j LEFT JOIN procrastinate_jobs q ON q.id = j.queue_job_id "
            "WHERE j.status IN ('pending', 'processing') ORDER BY j.created_at",
        )
        queue = sql_rows(pg, "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1")
        lines = "\n".join(map(str, stuck))
        raise AssertionError(f"unfinished:\n{lines}\nqueue: {queue}\n{fleet.logs()}") from None


def _freeze_holder(pg: str, worker: WorkerProcess) -> list[str]:
    """SIGSTOP ``worker`` and return the jobs it holds (their heartbeat stopped with it);
    an empty list (and the worker running again) when that is not clear-cut."""
    worker.send(signal.SIGSTOP)
    time.sleep(2.5)  # heartbeats every 1 s: a live worker's jobs are fresh
    rows = sql_rows(
        pg,
        f"SELECT worker, array_agg(id) FROM sitelore_jobs WHERE status = 'processing' "
        f"AND heartbeat_at < {NOW} - 2.0 GROUP BY worker",
    )
    if len(rows) == 1:
        return list(rows[0][1])
    worker.send(signal.SIGCONT)  # held nothing, or a live worker lagged: try again later
    return []


# -- many processes ---------------------------------------------------------------------------


def test_hundred_jobs_over_two_apis_and_three_workers_finish_once_despite_a_killed_worker(
    pg: str, site: str, tmp_path: Path
) -> None:
    env = pg_env(with_app_name(pg, app_name()), tmp_path / "data")
    key = cli_create_key(env)
    with Fleet(tmp_path, env) as fleet:
        a, b = fleet.serve(), fleet.serve()
        workers = [fleet.worker(concurrency=4) for _ in range(3)]
        a.wait_ready()
        b.wait_ready()
        with _client(a.url, key) as client:
            watched = submit(client, {"url": site, "maxPages": 4})
        streams: list[Stream] = []
        watcher = _watch(b.url, key, watched, streams)  # events travel through the database
        bodies = [{"url": site, "maxPages": 3 + n % 3} for n in range(99)]
        ids = [watched, *asyncio.run(_submit_all([b.url, a.url], key, bodies))]
        assert len(set(ids)) == 100

        def mid_run() -> bool:
            rows = sql_rows(pg, "SELECT status, count(*) FROM sitelore_jobs GROUP BY 1")
            counts: dict[str, int] = {str(status): int(n) for status, n in rows}
            return counts.get("completed", 0) >= 20 and counts.get("pending", 0) > 0

        held: list[str] = []
        for _ in range(5):
            eventually(mid_run, timeout=60, interval=0.1)
            held = _freeze_holder(pg, workers[0])
            if held:
                break
        assert held, "the first worker never held a job mid-run: jobs are too quick"
        workers[0].kill()

        _all_finished(pg, 120, fleet)
        jobs = _check_finished_once(pg, ids)
        assert all(w.alive() for w in workers[1:]), fleet.logs()
        # What the killed worker held went back to the queue and ran again.
        for job_id in held:
            status, error, attempts = jobs[job_id]
            assert attempts >= 2, (job_id, status, error, attempts)
        completed = [job_id for job_id, job in jobs.items() if job[0] == "completed"]
        assert len(completed) == len(ids), jobs  # the killed jobs were retried, not failed

        with _client(b.url, key) as client:
            listed = {job["id"]: job for job in iter_jobs(client, limit=30)}
            assert set(listed) == set(ids)
            assert {job["status"] for job in listed.values()} <= {"completed", "failed"}
            for job_id in completed[:5]:
                assert 1 <= get_job(client, job_id)["result"]["pagesScraped"] <= 5
        watcher.join(timeout=30)
        assert streams, "the SSE stream of B never closed"
        names = streams[0].names
        assert "page_scraped" in names and names[-1] == "complete", names
        assert names.count("complete") == 1, names
        seqs = [int(frame.id or 0) for frame in streams[0].frames]
        assert seqs == sorted(set(seqs)), seqs


# -- a worker stopped gracefully ----------------------------------------------------------------


def test_sigterm_hands_the_running_job_back_and_the_next_worker_completes_it(
    pg: str, web: WebServer, hanging_site: dict[str, bool], tmp_path: Path
) -> None:
    site = f"http://127.0.0.1:{web.port}/"
    key = store_create_key(pg)
    env = pg_env(pg, tmp_path / "data", SITELORE_SHUTDOWN_TIMEOUT="1")
    with Fleet(tmp_path, env) as fleet:
        api = fleet.serve()
        first = fleet.worker(concurrency=1)
        api.wait_ready()
        with _client(api.url, key) as client:
            job_id = submit(client, {"url": site, "maxPages": 3})
            eventually(lambda: "/slow/" in web.paths("127.0.0.1"), timeout=30)
            assert get_job(client, job_id)["status"] == "processing"
            job_row = "SELECT status, attempts, worker IS NULL FROM sitelore_jobs WHERE id = %s"
            assert sql_rows(pg, job_row, (job_id,)) == [("processing", 1, False)]

            first.send(signal.SIGTERM)
            took = wait_exit(first.process, timeout=15)
            assert took is not None, f"the worker ignored SIGTERM: {first.stderr()}"
            assert took < 6, f"{took:.1f}s to stop with a 1 s shutdown timeout"
            assert first.process.returncode == 0, first.stderr()
            # Handed back: pending again, the attempt not counted, queued once more.
            assert sql_rows(pg, job_row, (job_id,)) == [("pending", 0, True)]
            queued = sql_rows(
                pg,
                "SELECT q.status::text FROM procrastinate_jobs q JOIN sitelore_jobs j "
                "ON q.id = j.queue_job_id WHERE j.id = %s",
                (job_id,),
            )
            assert queued == [("todo",)], queued
            assert sql_value(pg, DOING) == 0
            assert get_job(client, job_id)["status"] == "pending"

            hanging_site["hang"] = False
            fleet.worker(concurrency=1)
            job = wait_job(client, job_id, timeout=40)
            assert job["status"] == "completed", job
            assert job["result"]["pagesScraped"] == 3
            assert sql_rows(pg, job_row, (job_id,)) == [("completed", 1, True)]
        assert _check_finished_once(pg, [job_id])[job_id][0] == "completed"


def test_a_cancel_sent_to_one_api_stops_the_job_on_a_worker_elsewhere(
    pg: str, web: WebServer, hanging_site: dict[str, bool], tmp_path: Path
) -> None:
    site = f"http://127.0.0.1:{web.port}/"
    key = store_create_key(pg)
    with Fleet(tmp_path, pg_env(pg, tmp_path / "data")) as fleet:
        a, b = fleet.serve(), fleet.serve()
        fleet.worker(concurrency=2)
        a.wait_ready()
        b.wait_ready()
        with _client(a.url, key) as on_a, _client(b.url, key) as on_b:
            job_id = submit(on_a, {"url": site, "maxPages": 3})
            eventually(lambda: "/slow/" in web.paths("127.0.0.1"), timeout=30)
            assert get_job(on_b, job_id)["status"] == "processing"
            cancelled_at = time.monotonic()
            assert on_b.post(f"/v1/jobs/{job_id}/cancel").status_code == 202
            job = wait_job(on_a, job_id, timeout=15)
            took = time.monotonic() - cancelled_at
            assert (job["status"], job["error"]) == ("failed", "Job cancelled"), job
            assert took < 5, f"the cancel took {took:.1f}s to reach the worker"
            with on_a.stream("GET", f"/v1/jobs/{job_id}/events") as response:
                stream = read_sse(response, timeout=10)
            assert stream.names[-1] == "error", stream.names
        assert _check_finished_once(pg, [job_id])[job_id][0] == "failed"


# -- the database cut off -----------------------------------------------------------------------


def test_jobs_finish_and_the_api_never_fails_while_database_connections_are_killed(
    pg: str, site: str, tmp_path: Path
) -> None:
    name = app_name()
    key = store_create_key(pg)
    with Fleet(tmp_path, pg_env(with_app_name(pg, name), tmp_path / "data")) as fleet:
        api = fleet.serve()
        worker = fleet.worker(concurrency=4)
        api.wait_ready()
        bodies = [{"url": site, "maxPages": 3 + n % 3} for n in range(30)]
        ids = asyncio.run(_submit_all([api.url], key, bodies))
        answers: list[int | str] = []
        done = threading.Event()

        def poll() -> None:
            with _client(api.url, key, timeout=20) as client:
                n = 0
                while not done.is_set():
                    n += 1
                    path = f"/v1/jobs/{ids[n % len(ids)]}" if n % 2 else "/v1/jobs?limit=5"
                    try:
                        answers.append(client.get(path).status_code)
                    except httpx.HTTPError as error:
                        answers.append(repr(error))
                    time.sleep(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        killed = []
        try:
            for _ in range(3):
                eventually(
                    lambda: (
                        sql_value(
                            pg,
                            "SELECT count(*) FROM sitelore_job_events WHERE name = 'page_scraped'",
                        )
                        > 0
                    ),
                    timeout=30,
                )
                time.sleep(0.8)
                killed.append(terminate_backends(pg, name))
            _all_finished(pg, 90, fleet)
        finally:
            done.set()
            poller.join(timeout=30)
        assert killed[0] > 0, killed
        _check_finished_once(pg, ids)
        assert api.process.poll() is None and worker.alive(), fleet.logs()
        unexpected = [answer for answer in answers if answer not in (200, 503)]
        assert not unexpected, (unexpected, fleet.logs())
        assert answers.count(200) > 0, answers


def test_api_answers_503_while_the_database_is_away_then_recovers_by_itself(
    pg: str, site: str, tmp_path: Path
) -> None:
    proxy = TcpProxy.to_database(pg).start()
    key = store_create_key(pg)
    env = pg_env(proxy.conninfo(pg), tmp_path / "data")
    try:
        with Fleet(tmp_path, env) as fleet:
            api = fleet.serve()
            api.wait_ready()
            with _client(api.url, key) as client:
                before = submit(client, {"url": site, "maxPages": 3})  # no worker yet
                proxy.stop()
                requests = [
                    ("GET", f"/v1/jobs/{before}", None),
                    ("POST", "/v1/extract/async", {"url": site, "maxPages": 3}),
                    ("GET", "/readyz", None),
                ]
                with ThreadPoolExecutor(len(requests)) as pool:
                    answers = list(pool.map(lambda r: _timed(api.url, key, *r), requests))
                for (method, path, _), (response, took) in zip(requests, answers, strict=True):
                    message = error_body(response, 503)
                    assert "database" in message, message
                    assert response.headers.get("retry-after"), response.headers
                    assert took < 10, f"{method} {path}: 503 after {took:.1f}s"

                proxy.start()
                start = time.monotonic()

                def answered() -> bool:
                    response = client.get(f"/v1/jobs/{before}")
                    assert response.status_code in (200, 503), response.text
                    return response.status_code == 200

                eventually(answered, timeout=15, interval=0.2)
                back = time.monotonic() - start
                after = submit(client, {"url": site, "maxPages": 3})
                fleet.worker(concurrency=2)
                for job_id in (before, after):
                    job = wait_job(client, job_id, timeout=40)
                    assert job["status"] == "completed", job
            assert back < 15
            _check_finished_once(pg, [before, after])
    finally:
        proxy.stop()
