"""Retention of finished jobs, and the ``sitelore keys`` commands against a running server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import StartApi, serve_slow
from tests.apikit import (
    child_env,
    create_key,
    error_body,
    eventually,
    get_job,
    iter_jobs,
    run_store,
    submit,
    wait_job,
)
from tests.webserver import WebServer

# -- retention ------------------------------------------------------------------------------


def test_a_finished_job_is_gone_after_the_retention(
    start_api: StartApi, acme: str, web: WebServer
) -> None:
    """Housekeeping runs every ``stale_after / 2`` s (at most 60 s): there is no setting of
    its own, so a small ``stale_after`` makes it run often here."""
    home = serve_slow(web, delay=4.0)
    api = start_api(retention_seconds=1.0, stale_after=2.0)
    client = api.client()
    done = submit(client, {"url": acme, "singlePage": True})
    assert wait_job(client, done)["status"] == "completed"
    assert get_job(client, done)["status"] == "completed"  # within the retention: kept
    running = submit(client, {"url": home, "maxPages": 3})  # runs for longer than retention

    def expired() -> bool:
        return client.get(f"/v1/jobs/{done}").status_code == 404

    eventually(expired, timeout=8, interval=0.1)
    assert done in error_body(client.get(f"/v1/jobs/{done}"), 404)
    error_body(client.get(f"/v1/jobs/{done}/events"), 404)
    assert done not in {job["id"] for job in iter_jobs(client)}
    # An unfinished job is kept however old it is (it expires only after it finishes; waiting
    # for its end here would race with its own expiry, a second later).
    assert get_job(client, running)["status"] in ("pending", "processing")


# -- keys -----------------------------------------------------------------------------------


def _sitelore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitelore", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
        check=False,
    )


def test_keys_create_list_revoke(start_api: StartApi, tmp_path: Path) -> None:
    data = tmp_path / "keys"
    created = _sitelore("keys", "create", "--name", "ci", "--data-dir", str(data))
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert re.fullmatch(r"sl_[0-9a-f]+_[A-Za-z0-9_-]+", lines[0]), lines[0]
    key = lines[0]
    labelled = dict(line.split(": ", 1) for line in lines[1:])
    key_id = labelled["id"]
    assert key.startswith(f"sl_{key_id}_")
    assert labelled["webhook secret"].startswith("whsec_")
    record = run_store(data / "sitelore.db", lambda store: store.get_key(key_id))
    assert record.webhook_secret == labelled["webhook secret"]
    assert key not in (data / "sitelore.db").read_bytes().decode("latin-1"), "stored hashed"

    listed = _sitelore("keys", "list", "--data-dir", str(data))
    assert listed.returncode == 0
    assert f"{key_id}\tactive\tci" in listed.stdout.splitlines()

    api = start_api(data_dir=data, workers=0)
    client = api.client(key)
    assert client.get("/v1/jobs").status_code == 200

    revoked = _sitelore("keys", "revoke", key_id, "--data-dir", str(data))
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == f"revoked {key_id}"
    assert f"{key_id}\trevoked\tci" in _sitelore("keys", "list", "--data-dir", str(data)).stdout

    # A key seen in use is trusted from memory for up to 5 s (sitelore/api/routes.py).
    eventually(lambda: client.get("/v1/jobs").status_code == 401, timeout=8, interval=0.2)
    assert error_body(client.get("/v1/jobs"), 401) == "this API key was revoked"
    assert api.client().get("/v1/jobs").status_code == 200  # other keys unaffected

    again = _sitelore("keys", "revoke", key_id, "--data-dir", str(data))
    assert again.returncode == 2
    assert key_id in again.stderr


def test_a_key_with_the_hosted_prefix_authenticates(start_api: StartApi, tmp_path: Path) -> None:
    # What the hosted anchor's SDK sends: it refuses any key not starting with sk_ks_.
    data = tmp_path / "hosted"
    hosted = create_key(data, "sdk", prefix="sk_ks_")
    assert hosted.key.startswith("sk_ks_")
    api = start_api(data_dir=data, workers=0)
    assert api.client(hosted.key).get("/v1/jobs").status_code == 200
    wrong = hosted.key[: -len(hosted.key.split("_")[-1])] + "wrong"
    assert error_body(api.client(wrong).get("/v1/jobs"), 401) == "x-api-key is not a valid API key"
