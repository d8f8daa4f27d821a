"""The server side of the ``sitelore`` command: ``serve``, ``worker``, ``db`` and ``keys``.

Every command here works on the store of the settings: PostgreSQL when
``SITELORE_DATABASE_URL`` is set, else the SQLite file of the data directory. Heavy
modules are imported inside the commands so that ``sitelore --help`` starts fast.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from sitelore.cli_args import BadInput, check_range

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from sitelore.jobs.datafile import DataDirLock
    from sitelore.jobs.models import ApiKey
    from sitelore.jobs.store import JobStore
    from sitelore.settings import Settings

T = TypeVar("T")

keys_app = typer.Typer(help="Manage API keys (in the server's database).", rich_markup_mode=None)
db_app = typer.Typer(
    help="The PostgreSQL database of a scaled-out deployment.", rich_markup_mode=None
)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory [default: SITELORE_DATA_DIR, else ~/.local/share/sitelore].",
    ),
]


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.add_typer(keys_app, name="keys")
    app.add_typer(db_app, name="db")


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on [default: 127.0.0.1, SITELORE_HOST].")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on [default: 8000, SITELORE_PORT].")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Jobs run at once in this process; 0 (PostgreSQL only): API only "
            "[default: 4, SITELORE_WORKERS]."
        ),
    ] = None,
    data_dir: DataDirOption = None,
    no_ui: Annotated[
        bool,
        typer.Option("--no-ui", help="Serve no dashboard at /ui [SITELORE_UI=off]."),
    ] = False,
) -> None:
    """Serve the HTTP API and run jobs (on SQLite, or PostgreSQL when SITELORE_DATABASE_URL
    is set), and the dashboard at /ui."""
    import uvicorn

    from sitelore.api.app import create_app
    from sitelore.api.connections import (
        ConnectionLimits,
        connection_cap,
        guarded_protocol,
        raise_file_limit,
    )

    if port is not None:
        check_range("--port", port, 0, 65535)
    if workers is not None:
        check_range("--workers", workers, 0, 64)
    ui = False if no_ui else None  # unset: SITELORE_UI, else on
    settings = _settings(host=host, port=port, workers=workers, data_dir=data_dir, ui=ui)
    if settings.workers == 0 and not settings.database_url:
        raise BadInput(
            "--workers 0 runs no jobs, and on the embedded database no other process can: "
            "give --workers 1 or more (or SITELORE_DATABASE_URL and `sitelore worker`)"
        )
    # The data directory, then the port: a second server on the same directory, or one
    # that cannot listen, touches nothing (no key, no database, no job handed back).
    lock = _lock(settings)
    try:
        listening = _listen(settings.host, settings.port)
    except BadInput:
        if lock is not None:
            lock.abandon()
        raise
    file_limit = raise_file_limit()
    limits = ConnectionLimits(
        connection_cap(file_limit, settings.max_connections),
        settings.header_timeout,
        settings.body_timeout,
    )
    first_key = _with_store(settings, _first_key)
    address = f"http://{settings.host}:{listening.getsockname()[1]}"
    sys.stderr.write(
        f"sitelore: listening on {address} "
        f"(up to {limits.max_connections} connections; open-file limit {file_limit})\n"
        f"sitelore: database {_where(settings)}\n"
    )
    if settings.ui:
        sys.stderr.write(f"sitelore: dashboard at {address}/ui/\n")
    if first_key is not None:
        shown, record = first_key
        sys.stderr.write(
            f"sitelore: created API key (shown once): {shown}\n"
            f"sitelore: its webhook secret: {record.webhook_secret}\n"
        )
    config = uvicorn.Config(
        create_app(settings),
        log_level="warning",
        http=guarded_protocol(limits),
        # Open requests (event streams, a synchronous extraction) end within this.
        timeout_graceful_shutdown=max(int(settings.shutdown_timeout), 1),
    )
    uvicorn.Server(config).run(sockets=[listening])
    if lock is not None:
        lock.release()


def _lock(settings: Settings) -> DataDirLock | None:
    """The embedded database's directory, locked for this process (None on PostgreSQL)."""
    if settings.database_url:
        return None
    from sitelore.errors import SiteloreError
    from sitelore.jobs.datafile import lock_data_dir
    from sitelore.jobs.store import StoreUnusable

    try:
        return lock_data_dir(settings.data_dir)
    except StoreUnusable as error:
        raise SiteloreError(str(error)) from None
    except OSError as error:
        reason = error.strerror or str(error)
        where = settings.data_dir
        raise SiteloreError(f"cannot use the data directory {where}: {reason}") from None


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for the server, or one line saying why there is none."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        raise BadInput(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    listening.set_inheritable(True)
    return listening


def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once in this process.")] = 4,
    burst: Annotated[bool, typer.Option("--burst", help="Run the queued jobs, then exit.")] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Serve this process's Prometheus metrics on this port "
            "[default: none, SITELORE_METRICS_PORT]."
        ),
    ] = None,
) -> None:
    """Run jobs from the PostgreSQL queue of SITELORE_DATABASE_URL (on any machine).

    SIGTERM or Ctrl-C stops it: running jobs finish, or are handed back to the queue.
    """

    from sitelore.jobs.hub import EventHub
    from sitelore.jobs.metrics import JobMetrics, process_registry
    from sitelore.runtime.backends import open_backend
    from sitelore.runtime.background import background

    check_range("--concurrency", concurrency, 1, 256)
    if metrics_port is not None:
        check_range("--metrics-port", metrics_port, 0, 65535)
    settings = _settings(workers=concurrency, metrics_port=metrics_port)
    if not settings.database_url:
        raise BadInput("sitelore worker needs SITELORE_DATABASE_URL (a PostgreSQL database)")
    registry = process_registry()
    stop_metrics = _serve_metrics(settings, registry)  # first: a taken port starts nothing

    async def run() -> None:
        backend = await open_backend(settings)
        sys.stderr.write(f"sitelore: worker on {_where(settings)}, {concurrency} jobs at once\n")
        try:
            async with background(
                settings,
                backend,
                EventHub(),
                handle_signals=True,
                burst=burst,
                serves_api=False,
                metrics=JobMetrics(registry),
            ) as running:
                assert running.jobs is not None
                await running.jobs
        finally:
            await backend.close()

    try:
        _run(run())
    finally:
        stop_metrics()


def _serve_metrics(settings: Settings, registry: CollectorRegistry) -> Callable[[], None]:
    """Serve the worker's metrics on ``settings.metrics_port``, if any; the stop function."""
    from sitelore.jobs.metrics import serve_metrics

    if not settings.metrics or not settings.metrics_port:
        return lambda: None
    where = f"{settings.host}:{settings.metrics_port}"
    try:
        stop = serve_metrics(registry, settings.host, settings.metrics_port)
    except OSError as error:
        raise BadInput(f"cannot serve metrics on {where}: {error.strerror or error}") from None
    sys.stderr.write(f"sitelore: metrics on http://{where}/metrics\n")
    return stop


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema of SITELORE_DATABASE_URL (idempotent)."""
    settings = _settings()
    if not settings.database_url:
        raise BadInput("SITELORE_DATABASE_URL is not set (the embedded SQLite needs no upgrade)")
    import psycopg

    from sitelore.errors import SiteloreError
    from sitelore.jobs.pgschema import MIGRATIONS, upgrade

    try:
        applied = upgrade(settings.database_url)
    except psycopg.Error as error:
        raise SiteloreError(f"cannot upgrade the database: {error}") from None
    for migration in applied:
        sys.stdout.write(f"applied {migration.version}: {migration.name}\n")
    sys.stdout.write(f"database schema is at version {MIGRATIONS[-1].version}\n")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="A label for the key.")],
    prefix: Annotated[
        str,
        typer.Option(
            "--prefix",
            help="How the key starts: sl_, or sk_ks_ for the hosted API's SDK (knowledgesdk).",
        ),
    ] = "sl_",
    data_dir: DataDirOption = None,
) -> None:
    """Create a key; prints the key alone on the first line (it is shown only once)."""
    from sitelore.jobs.store import KEY_PREFIXES

    if prefix not in KEY_PREFIXES:
        raise BadInput(f"--prefix must be one of {', '.join(KEY_PREFIXES)}, got {prefix!r}")
    settings = _settings(data_dir=data_dir)
    label = name.strip() or "key"
    shown, record = _with_store(settings, lambda store: store.create_key(label, prefix))
    sys.stdout.write(
        f"{shown}\nid: {record.id}\nname: {record.name}\nwebhook secret: {record.webhook_secret}\n"
    )


@keys_app.command("list")
def keys_list(
    data_dir: DataDirOption = None,
    secrets: Annotated[
        bool, typer.Option("--secrets", help="Also show each key's webhook secret.")
    ] = False,
) -> None:
    """List keys (ids and names; keys themselves are never stored)."""
    for key in _with_store(_settings(data_dir=data_dir), lambda store: store.list_keys()):
        state = "revoked" if key.revoked_at else "active"
        shown = f"\t{key.webhook_secret}" if secrets else ""
        sys.stdout.write(f"{key.id}\t{state}\t{key.name}{shown}\n")


@keys_app.command("revoke")
def keys_revoke(key_id: str, data_dir: DataDirOption = None) -> None:
    """Revoke a key by its id; requests with it get 401 (within 5 s on a running server)."""
    if not _with_store(_settings(data_dir=data_dir), lambda store: store.revoke_key(key_id)):
        raise BadInput(f"no active key with id {key_id}")
    sys.stdout.write(f"revoked {key_id}\n")


async def _first_key(store: JobStore) -> tuple[str, ApiKey] | None:
    """A new key and its record when the database has none yet (first start), else None."""
    if await store.list_keys():
        return None
    return await store.create_key("default")


def _settings(**overrides: object) -> Settings:
    import os

    from sitelore.settings import Settings

    try:
        settings = Settings.from_env(os.environ, **overrides)
        settings.network_policy()
    except ValueError as error:  # a setting's value, said in one line that names it
        raise BadInput(str(error)) from None
    return settings


def _where(settings: Settings) -> str:
    if not settings.database_url:
        return str(settings.database_path)
    from sitelore.jobs.pgsql import describe

    return describe(settings.database_url)


def _with_store(settings: Settings, work: Callable[[JobStore], Awaitable[T]]) -> T:
    """Run ``work`` against the settings' store, then close it."""
    from sitelore.runtime.backends import open_store

    async def run() -> T:
        store = await open_store(settings)
        try:
            return await work(store)
        finally:
            await store.close()

    return _run(run())


def _run(work: Awaitable[T]) -> T:
    """Run a coroutine; an unreachable or outdated database is a one-line error."""
    import asyncio

    from sitelore.errors import SiteloreError
    from sitelore.jobs.store import StoreUnavailable, StoreUnusable

    async def main() -> T:
        return await work

    try:
        return asyncio.run(main())
    except (StoreUnavailable, StoreUnusable) as error:
        raise SiteloreError(str(error)) from None
