"""Metrics scaled out on PostgreSQL: ``sitelore serve --workers 0`` and ``sitelore worker`` as
real processes, each serving what it did itself. Skipped without SITELORE_TEST_DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.test_metrics import Samples, parse, value
from tests.apikit import eventually, free_port, submit, wait_job
from tests.jobs.conftest import fresh_pg_schema
from tests.pgkit import Fleet, TcpProxy, pg_env, store_create_key
from tests.sitekit import page_html, prose, route_site
from tests.webserver import WebServer


@pytest.fixture
def pg() -> Iterator[str]:
    with fresh_pg_schema() as conninfo:
        yield conninfo


def _scrape(url: str) -> Samples | None:
    """The samples of ``url``, or None while nothing answers there."""
    try:
        response = httpx.get(url, trust_env=False, timeout=15)
    except httpx.TransportError:
        return None
    assert response.status_code == 200, response.text
    return parse(response.text)


def test_api_and_worker_processes_each_serve_their_own_metrics(
    pg: str, web: WebServer, tmp_path: Path
) -> None:
    home = f"http://127.0.0.1:{web.port}/"  # the children crawl it without a resolver
    route_site(web, "127.0.0.1", {"/": page_html("Home", prose("Fleet Company home"), ["/gone/"])})
    proxy = TcpProxy.to_database(pg).start()
    key = store_create_key(pg)
    port = free_port()
    try:
        with Fleet(tmp_path, pg_env(proxy.conninfo(pg), tmp_path / "data")) as fleet:
            api = fleet.serve()
            api.wait_ready()
            fleet.worker(concurrency=2, SITELORE_METRICS_PORT=str(port))
            with httpx.Client(base_url=api.url, headers={"x-api-key": key}, trust_env=False) as c:
                job_id = submit(c, {"url": home, "urls": [home, home + "gone/"]})
                assert wait_job(c, job_id, timeout=40)["status"] == "completed", fleet.logs()

            worker = eventually(lambda: _scrape(f"http://127.0.0.1:{port}/metrics"), timeout=20)
            assert value(worker, "sitelore_pages_fetched_total") == 1
            assert value(worker, "sitelore_pages_failed_total", reason="HTTPStatusError") == 1
            assert value(worker, "sitelore_job_queue_wait_seconds_count") == 1
            assert value(worker, "sitelore_job_duration_seconds_count", outcome="completed") == 1

            served = _scrape(api.url + "/metrics")
            assert served is not None
            assert value(served, "sitelore_jobs", state="completed") == 1
            assert value(served, "sitelore_pages_fetched_total") == 0  # the worker's work
            assert value(served, "sitelore_job_queue_wait_seconds_count") == 0

            proxy.stop()  # the database goes away: the API still tells what it knows
            away = _scrape(api.url + "/metrics")
            assert away is not None
            assert not [name for name, _ in away if name == "sitelore_jobs"], away
            assert value(away, "sitelore_event_streams_open") == 0
    finally:
        proxy.stop()
