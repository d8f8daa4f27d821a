"""Helpers of the scale-out tests: ``sitelore worker`` child processes, keys and SQL on a test
schema, and a TCP proxy in front of PostgreSQL that can be switched off and on.

The schema itself comes from :func:`tests.jobs.conftest.fresh_pg_schema` (skipped without
``SITELORE_TEST_DATABASE_URL``). Every child process gets the schema's conninfo with an
``application_name`` of the test's own, so a test can cut exactly its own connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from tests.apikit import OPEN_GUARD, ServeProcess, child_env
from tests.jobs.conftest import open_postgres

PgRow = tuple[Any, ...]

# Quick recovery: a job whose worker is silent for 4 s is retried, housekeeping every second.
QUICK_RECOVERY = {
    "SITELORE_STALE_AFTER": "4",
    "SITELORE_HOUSEKEEPING_INTERVAL": "1",
    "SITELORE_RATE_LIMIT_PER_MINUTE": "100000",
    "SITELORE_DATABASE_POOL_SIZE": "6",
}


def app_name() -> str:
    """A distinctive ``application_name`` for one test's child processes."""
    return "sl_" + secrets.token_hex(6)


def with_app_name(conninfo: str, name: str) -> str:
    separator = "&" if "?" in conninfo else "?"
    return f"{conninfo}{separator}application_name={name}"


def pg_env(conninfo: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process on ``conninfo``: guard open, quick recovery."""
    return {
        **OPEN_GUARD,
        **QUICK_RECOVERY,
        "SITELORE_DATABASE_URL": conninfo,
        "SITELORE_DATA_DIR": str(data_dir),
        **extra,
    }


def cli_create_key(env: Mapping[str, str]) -> str:
    """``sitelore keys create`` on the database of ``env``; the key (shown once)."""
    done = subprocess.run(
        [sys.executable, "-m", "sitelore", "keys", "create", "--name", "t"],
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    key = done.stdout.splitlines()[0]
    assert key.startswith("sl_"), done.stdout
    return key


def store_create_key(conninfo: str) -> str:
    """A key made straight through :class:`PostgresStore` (quicker than the CLI)."""

    async def create() -> str:
        async with open_postgres(conninfo) as store:
            shown, _ = await store.create_key("t")
            return shown

    return asyncio.run(create())


def sql_rows(conninfo: str, query: str, args: tuple[Any, ...] = ()) -> list[PgRow]:
    """The rows of one statement on a fresh autocommit connection (of the test process)."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        cursor = connection.execute(query.encode(), args)
        return cursor.fetchall() if cursor.description is not None else []


def sql_value(conninfo: str, query: str, args: tuple[Any, ...] = ()) -> Any:
    rows = sql_rows(conninfo, query, args)
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return rows[0][0]


def terminate_backends(conninfo: str, name: str) -> int:
    """``pg_terminate_backend`` every connection whose application_name is ``name``."""
    return int(
        sql_value(
            conninfo,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name = %s",
            (name,),
        )
    )


class WorkerProcess:
    """``python -m sitelore worker --concurrency N``; stderr goes to a file for reading."""

    def __init__(self, log: Path, env: Mapping[str, str], *, concurrency: int = 4) -> None:
        self.log = log
        command = [sys.executable, "-m", "sitelore", "worker", "--concurrency", str(concurrency)]
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=sink, env=child_env(**env)
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, signum: signal.Signals) -> None:
        self.process.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # in case a test left it stopped
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class TcpProxy:
    """A TCP forwarder on 127.0.0.1 to ``target``; :meth:`stop` closes the listener and every
    connection (the database "goes away"), :meth:`start` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def to_database(cls, conninfo: str) -> TcpProxy:
        parts = conninfo_to_dict(conninfo)
        host = str(parts.get("host") or "127.0.0.1")
        assert host in ("127.0.0.1", "localhost"), f"the test database must be local: {host}"
        return cls(("127.0.0.1", int(parts.get("port") or 5432)))

    def conninfo(self, conninfo: str) -> str:
        """``conninfo`` pointed at this proxy (host 127.0.0.1, the proxy's port)."""
        return psycopg.conninfo.make_conninfo(conninfo, host="127.0.0.1", port=str(self.port))

    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            doomed, self._sockets = self._sockets, set()
        for sock in doomed:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        _close(source)
        _close(sink)
        with self._lock:
            self._sockets.discard(source)
            self._sockets.discard(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def wait_exit(process: subprocess.Popen[bytes], timeout: float) -> float | None:
    """Seconds until ``process`` exits, or None if it still runs after ``timeout``."""
    start = time.monotonic()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return time.monotonic() - start


class Fleet:
    """The child processes of one test (``serve`` and ``worker``), all stopped on exit."""

    def __init__(self, directory: Path, env: Mapping[str, str]) -> None:
        self.directory = directory
        self.env = dict(env)
        self.serves: list[ServeProcess] = []
        self.workers: list[WorkerProcess] = []

    def serve(self, **env: str) -> ServeProcess:
        """``sitelore serve --workers 0`` (API only); call ``wait_ready()`` on it."""
        index = len(self.serves)
        process = ServeProcess(
            self.directory / "data", self.directory / f"serve{index}.log", workers=0,
            **{**self.env, **env},
        )  # fmt: skip
        self.serves.append(process)
        return process

    def worker(self, concurrency: int = 4, **env: str) -> WorkerProcess:
        log = self.directory / f"worker{len(self.workers)}.log"
        process = WorkerProcess(log, {**self.env, **env}, concurrency=concurrency)
        self.workers.append(process)
        return process

    def logs(self) -> str:
        """Every child's stderr, for failure messages."""
        return "\n".join(f"--- {p.log.name}\n{p.stderr()[-3000:]}" for p in self.children())

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for child in self.children():
            child.stop()

    def children(self) -> list[ServeProcess | WorkerProcess]:
        return [*self.workers, *self.serves]
