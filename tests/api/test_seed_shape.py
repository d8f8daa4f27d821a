"""Our job objects have the shape of the seed page's four examples (shared/seed/jobs.txt).

The examples are read from the seed file at test time. For each state a real job of ours,
read with ``GET /v1/jobs/{id}``, must have the same keys, the same nulls, the same value
types and formats, and the same nested keys in ``progress`` and ``result``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import serve_slow
from tests.apikit import (
    ISO_MILLIS,
    JOB_ID,
    ApiServer,
    create_key,
    get_job,
    quick_settings,
    seed_examples,
    submit,
    wait_job,
)
from tests.webserver import WebServer

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "jobs.txt"
STATES = ("pending", "processing", "completed", "failed")


@pytest.fixture(scope="module")
def seed() -> dict[str, dict[str, Any]]:
    if not SEED.is_file():
        pytest.fail(f"the seed page {SEED} is missing")
    return seed_examples(SEED)


@pytest.fixture(scope="module")
def ours(
    _web_server: WebServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """One real job object per state, from one server.

    The key may run one job at a time: job A crawls a slow site (caught while it runs),
    job B of the same key waits ``pending`` meanwhile, then completes; a job of another key
    on a host that does not resolve fails.
    """
    web = _web_server
    web.reset()
    home = serve_slow(web, delay=1.0)
    data = tmp_path_factory.mktemp("seed-shape")
    key, other = create_key(data, "a"), create_key(data, "b")
    settings = quick_settings(data, max_concurrent_jobs_per_key=1)
    found: dict[str, dict[str, Any]] = {}
    with ApiServer(settings, web.resolver()) as server:
        headers = {"x-api-key": key.key}
        with (
            httpx.Client(base_url=server.url, headers=headers, trust_env=False) as client,
            httpx.Client(
                base_url=server.url, headers={"x-api-key": other.key}, trust_env=False
            ) as client_b,
        ):
            first = submit(client, {"url": home, "maxPages": 3})
            second = submit(client, {"url": home, "singlePage": True})
            broken = submit(client_b, {"url": "http://unknown-host.test/", "maxPages": 2})
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                job = get_job(client, first)
                if job["status"] != "processing":
                    break
                best = found.get("processing")
                if (
                    best is None
                    or job["progress"]["pagesScraped"] >= best["progress"]["pagesScraped"]
                ):
                    found["processing"] = job
                if "pending" not in found:
                    waiting = get_job(client, second)
                    if waiting["status"] == "pending":
                        found["pending"] = waiting
                time.sleep(0.02)
            assert wait_job(client, first)["status"] == "completed"
            found["completed"] = wait_job(client, second)
            found["failed"] = wait_job(client_b, broken)
    web.reset()
    return found


def _millis(stamp: str) -> int:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


# Keys sitelore adds to the seed's objects (additive: a client of the seed ignores them).
ADDED = {".result": {"warnings"}}


def same_shape(seed: Any, ours: Any, path: str) -> None:
    """Same keys (business may add keys, and those of ``ADDED``), same nulls, same JSON
    types, recursively."""
    if seed is None:
        assert ours is None, f"{path} must be null, got {ours!r}"
        return
    assert ours is not None, f"{path} must not be null (the seed has {seed!r})"
    if isinstance(seed, dict):
        assert isinstance(ours, dict), f"{path} must be an object, got {ours!r}"
        if path.endswith(".business"):
            assert set(seed) <= set(ours), f"{path} lacks {set(seed) - set(ours)}"
        else:
            added = next((keys for end, keys in ADDED.items() if path.endswith(end)), set())
            assert set(ours) - added == set(seed), f"{path}: keys {sorted(ours)} != {sorted(seed)}"
        for name, value in seed.items():
            same_shape(value, ours[name], f"{path}.{name}")
    elif isinstance(seed, list):
        assert isinstance(ours, list) and ours, f"{path} must be a non-empty list"
        for index, item in enumerate(ours):
            same_shape(seed[0], item, f"{path}[{index}]")
    elif isinstance(seed, bool):
        assert isinstance(ours, bool), f"{path} must be a boolean, got {ours!r}"
    elif isinstance(seed, int):
        assert isinstance(ours, int) and not isinstance(ours, bool), f"{path}: {ours!r}"
    else:
        assert isinstance(ours, type(seed)), f"{path} must be a {type(seed).__name__}"


def check_formats(job: dict[str, Any], status: str) -> None:
    """Value rules shared by the seed's examples and ours."""
    assert JOB_ID.match(job["id"]), job["id"]
    assert job["status"] == status
    for stamp in (job["startedAt"], job["finishedAt"]):
        assert stamp is None or ISO_MILLIS.match(stamp), stamp
    assert (job["startedAt"] is None) == (status == "pending")
    finished = status in ("completed", "failed")
    assert (job["finishedAt"] is not None) == finished
    assert (job["durationMs"] is not None) == finished
    assert (job["progress"] is None) == (status == "pending")
    assert (job["result"] is not None) == (status == "completed")
    assert (job["error"] is not None) == (status == "failed")
    if finished:
        measured = _millis(job["finishedAt"]) - _millis(job["startedAt"])
        assert job["durationMs"] == measured, (job["durationMs"], measured)
    progress = job["progress"]
    if progress is not None:
        assert 0 <= progress["pagesScraped"] <= progress["totalPages"], progress
        assert progress["currentStep"], progress
    if status == "completed":
        assert progress["currentStep"] == "Complete"
        result = job["result"]
        assert progress["pagesScraped"] == result["pagesScraped"]
        for stamp in (result["startedAt"], result["finishedAt"]):
            assert ISO_MILLIS.match(stamp), stamp
        measured = _millis(result["finishedAt"]) - _millis(result["startedAt"])
        assert result["durationMs"] == measured, (result["durationMs"], measured)
        assert job["startedAt"] <= result["startedAt"] <= result["finishedAt"]
        assert result["finishedAt"] <= job["finishedAt"]
    if status == "failed":
        assert progress["currentStep"] == "Failed"
        assert isinstance(job["error"], str) and job["error"].strip()


def test_the_seed_file_has_four_examples(seed: dict[str, dict[str, Any]]) -> None:
    assert set(seed) == set(STATES)
    for status, example in seed.items():
        check_formats(example, status)  # our format rules hold for the seed's own examples


@pytest.mark.parametrize("status", STATES)
def test_job_object_has_the_seed_shape(
    status: str, seed: dict[str, dict[str, Any]], ours: dict[str, dict[str, Any]]
) -> None:
    assert status in ours, f"no {status} job was observed"
    job = ours[status]
    same_shape(seed[status], job, "job")
    check_formats(job, status)


def test_processing_job_shows_its_progress(ours: dict[str, dict[str, Any]]) -> None:
    progress = ours["processing"]["progress"]
    assert progress["totalPages"] <= 3  # never past maxPages
    assert ours["processing"]["startedAt"] is not None


def test_failed_job_names_the_cause(ours: dict[str, dict[str, Any]]) -> None:
    assert "unknown-host.test" in ours["failed"]["error"]
    assert "resolve" in ours["failed"]["error"].lower()
