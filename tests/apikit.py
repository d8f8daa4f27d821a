"""Helpers for the HTTP API tests: a real uvicorn server, keys, SSE frames, polling.

:class:`ApiServer` runs ``create_app(settings)`` in a real uvicorn server on 127.0.0.1 in a
background thread (its own event loop); the tests talk to it with ``httpx`` over TCP.
:class:`ServeProcess` runs ``python -m sitelore serve`` as a child process, for the tests
that kill the server. Nothing here mocks a sitelore component.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

from sitelore.api.app import create_app
from sitelore.crawl.transport import Resolver
from sitelore.jobs.models import ApiKey
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.models import CrawlOptions
from sitelore.settings import Settings

T = TypeVar("T")

JOB_ID = re.compile(r"^job_[A-Za-z0-9_-]{12,}$")
JOB_ID_IN_TEXT = re.compile(r"job_[A-Za-z0-9_-]{12,}")
ISO_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
KEY_LINE = re.compile(r"created API key \(shown once\): (sl_\S+)")
PROXY_VARIABLES = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
)  # fmt: skip

# Hermetic, quick crawling: no proxy from the environment, short timeouts, no retries.
CRAWL = CrawlOptions(timeout=3, trust_env=False, max_retries=0, max_crawl_delay=0.2)


def quick_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Small, quick server settings; keyword arguments override any field.

    The fixture sites live on 127.0.0.1 with random ports, so the network guard is opened
    (every network, every port); tests of the guard pass the default values back.
    """
    base = Settings(
        data_dir=data_dir,
        workers=2,
        crawl=CRAWL,
        heartbeat_interval=0.2,
        ping_interval=0.5,
        sync_timeout=20.0,
        allow_private_networks="*",
        allowed_ports="*",
    )
    return replace(base, **overrides)


def run_store(path: Path, work: Callable[[SQLiteStore], Any]) -> Any:
    """Run ``work(store)`` (a coroutine function) on a fresh store of ``path``, then close it."""

    async def go() -> Any:
        store = SQLiteStore(path)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(go())


@dataclass(frozen=True)
class Key:
    """An API key as its owner sees it: the key itself and its record."""

    key: str
    record: ApiKey

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def webhook_secret(self) -> str:
        return self.record.webhook_secret


def create_key(data_dir: Path, name: str, prefix: str = "sl_") -> Key:
    data_dir.mkdir(parents=True, exist_ok=True)
    shown, record = run_store(
        data_dir / "sitelore.db", lambda store: store.create_key(name, prefix=prefix)
    )
    return Key(shown, record)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class ApiServer:
    """``create_app(settings)`` served by a real uvicorn server in a background thread."""

    def __init__(self, settings: Settings, resolver: Resolver | None = None) -> None:
        self.settings = settings
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(settings, resolver=resolver),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="api-server", daemon=True)
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        except BaseException as error:  # reported by start()
            self._error = error

    def start(self, timeout: float = 10.0) -> ApiServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"API server did not start: {self._error!r}")
            time.sleep(0.01)
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Graceful shutdown (lifespan end: workers cancelled, store closed); idempotent."""
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError("API server did not stop within 15 s")

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _limit_files(limit: tuple[int, int]) -> Callable[[], None]:
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, limit)


@dataclass
class Api:
    """A running API server and the keys made for it; ``client()`` talks to it."""

    server: ApiServer
    key: Key
    other: Key
    data_dir: Path
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def settings(self) -> Settings:
        return self.server.settings

    def client(self, key: str | None = None, *, anonymous: bool = False) -> httpx.Client:
        """A client sending ``key`` (the main key by default; none when ``anonymous``)."""
        headers = {} if anonymous else {"x-api-key": key or self.key.key}
        client = httpx.Client(
            base_url=self.url, headers=headers, trust_env=False, timeout=httpx.Timeout(15.0)
        )
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


def error_body(response: httpx.Response, status: int) -> str:
    """Check ``response`` is ``status`` with the ``{statusCode, error, message}`` body."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"statusCode", "error", "message"}, body
    assert body["statusCode"] == status, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["message"], str) and body["message"], body
    assert "Traceback" not in body["message"]
    message: str = body["message"]
    return message


def submit(client: httpx.Client, body: Mapping[str, Any]) -> str:
    """POST /v1/extract/async; the job id."""
    response = client.post("/v1/extract/async", json=dict(body))
    assert response.status_code == 202, response.text
    job_id: str = response.json()["jobId"]
    return job_id


def get_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/jobs/{job_id}")
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


def wait_job(
    client: httpx.Client,
    job_id: str,
    until: Callable[[dict[str, Any]], bool] = lambda job: job["status"] in ("completed", "failed"),
    timeout: float = 20.0,
    interval: float = 0.05,
) -> dict[str, Any]:
    """Poll the job until ``until(job)`` (by default: finished); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        job = get_job(client, job_id)
        if until(job):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout}s: {job}")
        time.sleep(interval)


def eventually(check: Callable[[], T | None], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Call ``check`` until it returns something other than None or False."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


@dataclass(frozen=True)
class Frame:
    """One Server-Sent Events frame, with its raw field lines."""

    id: str | None
    event: str | None
    data: Any
    lines: tuple[str, ...]


@dataclass
class Stream:
    """The frames of an SSE response and its comment lines (``: ping``), in order."""

    frames: list[Frame] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [frame.event or "" for frame in self.frames]

    def of(self, name: str) -> list[Frame]:
        return [frame for frame in self.frames if frame.event == name]


def parse_frame(lines: list[str]) -> Frame:
    values: dict[str, list[str]] = {}
    for line in lines:
        name, _, value = line.partition(":")
        values.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)
    data = values.get("data", [])
    assert len(data) == 1, f"a frame has exactly one data line: {lines}"
    event_id = values.get("id", [None])[0]
    event = values.get("event", [None])[0]
    return Frame(event_id, event, json.loads(data[0]), tuple(lines))


def read_sse(
    response: httpx.Response,
    *,
    stop: Callable[[Frame], bool] = lambda frame: False,
    timeout: float = 20.0,
) -> Stream:
    """Read frames until the server closes the stream (or ``stop(frame)``)."""
    stream = Stream()
    pending: list[str] = []
    deadline = time.monotonic() + timeout
    for line in response.iter_lines():
        if time.monotonic() > deadline:
            raise AssertionError(f"stream still open after {timeout}s: {stream.names}")
        if line.startswith(":"):
            stream.comments.append(line)
            continue
        if line:
            pending.append(line)
            continue
        if pending:
            frame = parse_frame(pending)
            pending = []
            stream.frames.append(frame)
            if stop(frame):
                return stream
    assert not pending, f"stream ended inside a frame: {pending}"
    return stream


def seed_examples(path: Path) -> dict[str, dict[str, Any]]:
    """The four example job objects of the seed page, by status."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    examples: dict[str, dict[str, Any]] = {}
    for label, status in (
        ("Pending job:", "pending"),
        ("Processing job:", "processing"),
        ("Completed job:", "completed"),
        ("Failed job:", "failed"),
    ):
        start = text.index("{", text.index(label))
        value, _ = decoder.raw_decode(text, start)
        assert value["status"] == status, (label, value)
        examples[status] = value
    return examples


# -- `sitelore serve` as a child process ------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment without proxies (every request stays on loopback)."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env.update(extra)
    return env


# The child crawls the local fixture server (127.0.0.1, a random port): open the guard.
OPEN_GUARD = {"SITELORE_ALLOW_PRIVATE_NETWORKS": "*", "SITELORE_ALLOWED_PORTS": "*"}


class ServeProcess:
    """``python -m sitelore serve`` on 127.0.0.1; stderr goes to a file for reading.

    The network guard is open (:data:`OPEN_GUARD`) unless ``env`` says otherwise;
    ``file_limit`` (soft, hard) sets the server's open-file limit before it starts;
    ``prefix`` runs it through another command (``unshare ...``) that execs it; ``options``
    are more options of ``serve``.
    """

    def __init__(
        self,
        data_dir: Path,
        log: Path,
        file_limit: tuple[int, int] | None = None,
        prefix: Sequence[str] = (),
        /,
        *,
        workers: int = 1,
        options: Sequence[str] = (),
        **env: str,
    ) -> None:
        env = {**OPEN_GUARD, **env}
        self.port = free_port()
        self.log = log
        command = [
            *prefix, sys.executable, "-m", "sitelore", "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--data-dir", str(data_dir), "--workers", str(workers),
            *options,
        ]  # fmt: skip
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=sink,
                env=child_env(**env),
                preexec_fn=None if file_limit is None else _limit_files(file_limit),
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 30.0) -> ServeProcess:
        deadline = time.monotonic() + timeout
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"sitelore serve exited: {self.stderr()}")
                try:
                    if client.get(self.url + "/healthz").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"sitelore serve not ready: {self.stderr()}")
                time.sleep(0.05)

    def first_key(self) -> str:
        found = KEY_LINE.search(self.stderr())
        assert found is not None, self.stderr()
        return found.group(1)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Receiver:
    """What a webhook route on the test web server received, and how it answers."""

    status: int = 200
    hang: float = 0.0
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, headers: Mapping[str, str], body: bytes) -> None:
        with self.lock:
            self.calls.append((dict(headers), body))

    def received(self) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return list(self.calls)

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _, body in self.received()]


def iter_jobs(client: httpx.Client, **params: Any) -> Iterator[dict[str, Any]]:
    """Every job of GET /v1/jobs, following ``nextCursor``."""
    cursor: str | None = None
    while True:
        query = dict(params)
        if cursor is not None:
            query["cursor"] = cursor
        response = client.get("/v1/jobs", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        yield from page["jobs"]
        cursor = page["nextCursor"]
        if cursor is None:
            return
