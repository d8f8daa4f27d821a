"""Fuzz sitelore for a bounded time: the core's hypothesis properties, then schemathesis on the API.

    python bench/fuzz.py [--minutes N] [--parts properties,api] [--seed S]

(a) ``properties``: every property of ``tests/core/test_properties.py`` (its ``PROPERTIES``)
    with hypothesis in batches of random examples until its share of the time is spent.
(b) ``api``: ``sitelore serve`` as a child process on a free 127.0.0.1 port (temp data dir,
    ``--workers 0``, rate limit off), a key from ``sitelore keys create``, and
    ``schemathesis run`` against its ``/openapi.json`` with the ``not_a_server_error`` check
    (installed with pip when missing). A traceback in the server's log counts as a failure too
    (a stream that breaks after its 200 never shows as a 5xx).

All traffic stays on 127.0.0.1: with ``--workers 0`` no job runs, so nothing is crawled; every
``callbackUrl`` schemathesis sends is rewritten to a closed loopback port, and the server's
proxy variables point at that port, so even a webhook (a cancelled job's) cannot leave the
machine. ``POST /v1/extract`` and ``/v1/extract/stream`` are left out: with no worker their
valid requests can only end in the sync timeout's 504 or an endless event stream (their body
validation is the async route's, which is fuzzed).

Prints the cases and failures of each part and a last line
``fuzz: N cases, F failures, S s``; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import inspect
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from benchkit import ROOT, free_port, stop
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seed_hypothesis

sys.path.insert(0, str(ROOT))

from tests.core.test_properties import PROPERTIES

BATCH = 300  # examples a hypothesis run; runs repeat until the property's time is spent
CLOSED_PORT = 9  # discard: nothing listens on 127.0.0.1:9, so a connection is refused at once
LOOPBACK_SINK = f"http://127.0.0.1:{CLOSED_PORT}"
EXCLUDED_PATHS = ("/v1/extract", "/v1/extract/stream")
PROXY_VARIABLES = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
)  # fmt: skip
TRACEBACK = re.compile(r"^Traceback \(most recent call last\)", re.MULTILINE)

# Loaded by schemathesis (SCHEMATHESIS_HOOKS): steer the request schema towards valid bodies,
# so that jobs exist for the job routes, and keep every callbackUrl on a closed loopback port.
HOOKS = r"""
import os
from urllib.parse import quote

import requests
import schemathesis

SINK = "__SINK__/hook"
SITE_URL = r"^https?://(www\.)?fuzz\.test(/[a-z0-9._~-]{1,8}){0,3}/?$"
PATTERN = r"^/?(([a-z]{1,5}|\*|\*\*|[a-z]{0,3}[*?][a-z]{0,3})/){0,3}([a-z]{1,5}|\*|\*\*)?/?$"


@schemathesis.hook
def before_load_schema(context, raw_schema):
    body = raw_schema.get("components", {}).get("schemas", {}).get("ExtractBody", {})
    fields = body.get("properties", {})
    if "url" in fields:
        fields["url"]["pattern"] = SITE_URL
    if "maxPages" in fields:
        fields["maxPages"].update({"minimum": 1, "maximum": 50})
    for name in ("includePatterns", "excludePatterns"):
        if name in fields:
            fields[name]["items"] = {"type": "string", "pattern": PATTERN}
    for option in fields.get("urls", {}).get("anyOf", []):
        if option.get("type") == "array":
            option["items"] = {"type": "string", "pattern": SITE_URL}
            option["maxItems"] = 5


@schemathesis.hook
def before_call(context, case, kwargs):
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("callbackUrl"), str):
        body["callbackUrl"] = SINK
    # With no worker a job stays pending and its event stream never ends: cancel it first,
    # so the stream replays its events and closes.
    job_id = (case.path_parameters or {}).get("job_id")
    if case.operation.path.endswith("/events") and isinstance(job_id, str):
        requests.post(
            f"{os.environ['FUZZ_BASE_URL']}/v1/jobs/{quote(job_id, safe='')}/cancel",
            headers={"x-api-key": os.environ["FUZZ_API_KEY"]},
            timeout=10,
        )
""".replace("__SINK__", LOOPBACK_SINK)


@dataclass
class Part:
    name: str
    cases: int = 0
    failures: int = 0
    notes: list[str] = field(default_factory=list)

    def report(self) -> None:
        print(f"[{self.name}] {self.cases} cases, {self.failures} failures", flush=True)
        for note in self.notes:
            print(f"[{self.name}]   {note}", flush=True)


# -- (a) properties ---------------------------------------------------------------------------


def run_properties(budget: float, seed: int) -> Part:
    part = Part("properties")
    share = budget / len(PROPERTIES)
    for name, (check, strategies) in PROPERTIES.items():
        cases, failure = _fuzz_property(check, strategies, share, seed)
        part.cases += cases
        status = "ok" if failure is None else "FAILED"
        part.notes.append(f"{name}: {cases} cases, {status}")
        print(f"[properties] {name}: {cases} cases in {share:.0f} s, {status}", flush=True)
        if failure is not None:
            part.failures += 1
            print(failure, flush=True)
    return part


def _fuzz_property(
    check: Callable[..., None], strategies: dict[str, Any], seconds: float, seed: int
) -> tuple[int, str | None]:
    """Run ``check`` on random examples until ``seconds`` pass; the cases and the first
    failure (hypothesis' shrunk falsifying example and traceback)."""
    count = 0

    @functools.wraps(check)
    def counted(*args: Any, **kwargs: Any) -> None:
        nonlocal count
        count += 1
        check(*args, **kwargs)

    # hypothesis prints the falsifying example by the check's own parameter names
    counted.__signature__ = inspect.signature(check)  # type: ignore[attr-defined]

    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        run = settings(
            max_examples=BATCH,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.target, Phase.shrink, Phase.explain],
            print_blob=True,
        )(given(**strategies)(counted))
        try:
            seed_hypothesis(seed * 1000 + rounds)(run)()
        except Exception as error:
            return count, "".join(traceback.format_exception(error))[-6000:]
    return count, None


# -- (b) schemathesis -------------------------------------------------------------------------


def run_api(budget: float, seed: int) -> Part:
    part = Part("api")
    started = time.monotonic()
    command = _schemathesis()
    with tempfile.TemporaryDirectory(prefix="sitelore-fuzz-") as temp:
        work = Path(temp)
        data = work / "data"
        key = _create_key(data)
        log = work / "serve.log"
        with _serve(data, log) as url:
            hooks = work / "fuzz_hooks.py"
            hooks.write_text(HOOKS, encoding="utf-8")
            report = work / "report.json"
            seconds = max(10, math.ceil(budget - (time.monotonic() - started)))
            run = [
                *command, "run", f"{url}/openapi.json",
                "--header", f"x-api-key: {key}",
                "--checks", "not_a_server_error",
                "--max-time", str(seconds),
                "--request-timeout", "10",
                "--max-redirects", "0",
                "--workers", "2",
                "--seed", str(seed),
                "--generation-database", "none",
                "--report", "json", "--report-json-path", str(report),
                "--no-color",
                *(arg for path in EXCLUDED_PATHS for arg in ("--exclude-path", path)),
            ]  # fmt: skip
            env = _child_env(SCHEMATHESIS_HOOKS=str(hooks), FUZZ_BASE_URL=url, FUZZ_API_KEY=key)
            print(f"[api] schemathesis for {seconds} s against {url}", flush=True)
            done = subprocess.run(
                run, env=env, cwd=work, capture_output=True, text=True, timeout=seconds + 300
            )
            print(_tail(done.stdout, 40), flush=True)
            if done.returncode != 0 and not report.exists():
                part.failures += 1
                part.notes.append(f"schemathesis exited {done.returncode}: {_tail(done.stderr)}")
                return part
            _read_report(json.loads(report.read_text(encoding="utf-8")), part)
            if done.returncode != 0 and part.failures == 0:
                part.failures += 1
                part.notes.append(f"schemathesis exited {done.returncode}")
        server_log = log.read_text(encoding="utf-8", errors="replace")
    tracebacks = TRACEBACK.findall(server_log)
    if tracebacks:
        part.failures += len(tracebacks)
        part.notes.append(f"{len(tracebacks)} tracebacks in the server log:")
        part.notes.append(_tail(server_log, 60))
    return part


def _read_report(report: dict[str, Any], part: Part) -> None:
    cases = report.get("test_cases", {})
    part.cases += int(cases.get("generated", 0))
    part.failures += int(cases.get("unique_failures", 0)) + len(report.get("errors", []))
    part.notes.append(
        "schemathesis: "
        + ", ".join(f"{name} {value}" for name, value in cases.items())
        + f"; stop: {report.get('stop_reason')}"
    )
    for operation, phases in sorted(report.get("valid_rates", {}).items()):
        accepted = sum(int(phase.get("accepted", 0)) for phase in phases.values())
        rejected = sum(int(phase.get("rejected", 0)) for phase in phases.values())
        part.notes.append(f"{operation}: {accepted} accepted, {rejected} rejected (distinct)")
    for failure in report.get("failures", [])[:20]:
        part.notes.append("failure: " + json.dumps(failure)[:2000])
    for error in report.get("errors", [])[:20]:
        part.notes.append("error: " + json.dumps(error)[:2000])


def _schemathesis() -> list[str]:
    """The schemathesis command; pip-installs it into this environment when missing."""
    if importlib.util.find_spec("schemathesis") is None:
        print("[api] installing schemathesis with pip", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "schemathesis"], check=True)
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def _create_key(data: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sitelore", "keys", "create", "--name", "fuzz", "--data-dir",
         str(data)],
        capture_output=True, text=True, check=True, cwd=ROOT, env=_child_env(),
    )  # fmt: skip
    return done.stdout.splitlines()[0].strip()


@contextlib.contextmanager
def _serve(data: Path, log: Path) -> Iterator[str]:
    """``sitelore serve`` on a free loopback port, API only; its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "sitelore", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "0", "--data-dir", str(data),
    ]  # fmt: skip
    env = _child_env(SITELORE_RATE_LIMIT_PER_MINUTE="100000000", SITELORE_SYNC_TIMEOUT="2")
    # Whatever the server might send out (a webhook) goes to a closed loopback port.
    env.update(dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"), LOOPBACK_SINK))
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=ROOT
        )
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        stop(process, timeout=15)


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    with httpx.Client(trust_env=False, timeout=2) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"sitelore serve exited: {log.read_text(errors='replace')}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{url}/healthz").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"sitelore serve not ready: {log.read_text(errors='replace')}")
            time.sleep(0.1)


def _child_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in PROXY_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=10.0, help="total time budget")
    parser.add_argument("--parts", default="properties,api", help="properties, api or both")
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run")
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = set(parts) - {"properties", "api"}
    if unknown or not parts:
        parser.error(f"unknown parts: {sorted(unknown)}")
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    budget = args.minutes * 60
    started = time.monotonic()
    print(f"fuzz: {args.minutes:g} min over {', '.join(parts)}, seed {seed}", flush=True)
    results: list[Part] = []
    for index, name in enumerate(parts):
        left = budget - (time.monotonic() - started)
        share = left / (len(parts) - index)
        run = run_properties if name == "properties" else run_api
        try:
            results.append(run(share, seed))
        except Exception as error:  # the harness itself broke: a failure, with its cause
            broken = Part(name, failures=1, notes=[f"harness error: {error!r}"])
            traceback.print_exc()
            results.append(broken)
    for part in results:
        part.report()
    cases = sum(part.cases for part in results)
    failures = sum(part.failures for part in results)
    elapsed = time.monotonic() - started
    print(f"fuzz: {cases} cases, {failures} failures, {elapsed:.0f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
