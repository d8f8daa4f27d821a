"""The two ways jobs are stored and reach a worker, each as one object.

:func:`open_backend` returns the backend of the settings: :class:`EmbeddedBackend` (the
data directory's SQLite file, owned by one server process whose workers poll it) or
:class:`PostgresBackend` (a PostgreSQL database shared by many processes, jobs handed out
by procrastinate, events followed with LISTEN/NOTIFY). What differs between them lives
here, so the runtime asks its backend instead of testing which store it has.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from sitelore.jobs.conditions import ConditionLog
from sitelore.jobs.hub import EventHub
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.jobs.store import JobStore
from sitelore.jobs.worker import PullLoop, Worker
from sitelore.settings import Settings

if TYPE_CHECKING:
    from sitelore.jobs.postgres import PostgresStore

log = logging.getLogger("sitelore.background")
QUEUE_RESTART = 2.0


class Backend(Protocol):
    @property
    def store(self) -> JobStore: ...

    async def at_start(self, worker: Worker) -> None:
        """What must happen before any job runs."""
        ...

    def listener(self, hub: EventHub) -> asyncio.Task[None] | None:
        """A task that brings other processes' job events to ``hub`` (None: not needed)."""
        ...

    async def run_jobs(self, worker: Worker, *, handle_signals: bool, burst: bool) -> None:
        """Feed ``worker`` jobs until cancelled (or, with ``burst``, until none is left)."""
        ...

    async def close(self) -> None: ...


class EmbeddedBackend:
    """The SQLite file of one server process."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    async def at_start(self, worker: Worker) -> None:
        # One server process owns the file (its data directory is locked): whatever was
        # processing died with the previous process, so it is retried (or failed) now
        # rather than after a timeout.
        await worker.recover(stale_after=0.0)

    def listener(self, hub: EventHub) -> asyncio.Task[None] | None:
        return None  # every event is published in this process

    async def run_jobs(self, worker: Worker, *, handle_signals: bool, burst: bool) -> None:
        await PullLoop(worker, self.store).run(burst=burst)

    async def close(self) -> None:
        await self.store.close()


class PostgresBackend:
    """A PostgreSQL database shared by any number of API and worker processes."""

    def __init__(self, store: PostgresStore, shutdown_timeout: float) -> None:
        self.store = store
        self.shutdown_timeout = shutdown_timeout

    async def at_start(self, worker: Worker) -> None:
        return None  # other processes' jobs are alive: housekeeping judges them by heartbeat

    def listener(self, hub: EventHub) -> asyncio.Task[None] | None:
        from sitelore.jobs.pgqueue import Listener

        return asyncio.create_task(Listener(self.store.conninfo, hub).run(), name="listener")

    async def run_jobs(self, worker: Worker, *, handle_signals: bool, burst: bool) -> None:
        from sitelore.jobs.pgqueue import QueueSettings, run_queue_worker

        queue = QueueSettings(
            concurrency=worker.settings.concurrency,
            shutdown_timeout=self.shutdown_timeout,
            install_signal_handlers=handle_signals,
        )
        condition = ConditionLog(
            log, f"the queue worker stopped (restarting every {QUEUE_RESTART:g}s)"
        )
        while True:
            try:
                await run_queue_worker(self.store, worker, queue, burst=burst)
                return  # stopped by a signal, or the burst is done
            except Exception as error:  # mostly the database going away: start again
                condition.failing(error)
            await asyncio.sleep(QUEUE_RESTART)

    async def close(self) -> None:
        await self.store.close()


async def open_backend(settings: Settings) -> Backend:
    """PostgreSQL when ``settings.database_url`` is set, else the data directory's SQLite
    file. Raises :class:`~sitelore.jobs.store.StoreUnavailable` (with what to do), or
    :class:`~sitelore.jobs.store.StoreUnusable` for a data file that cannot be trusted."""
    if settings.database_url:
        from sitelore.jobs.postgres import PostgresStore

        shared = PostgresStore(
            settings.database_url,
            per_key_limit=settings.max_concurrent_jobs_per_key,
            pool_size=settings.database_pool_size,
        )
        await shared.open()
        return PostgresBackend(shared, settings.shutdown_timeout)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedded = SQLiteStore(settings.database_path)
    try:
        await embedded.open()
    except BaseException:
        await embedded.close()
        raise
    return EmbeddedBackend(embedded)


async def open_store(settings: Settings) -> JobStore:
    """The store alone (for commands that only read or write records: keys, ...)."""
    return (await open_backend(settings)).store
