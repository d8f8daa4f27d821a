"""The PostgreSQL queue: procrastinate workers that run sitelore jobs, and the listener
that carries wake-ups between processes.

:func:`queue_app` builds a procrastinate app on the store's connection pool with one
task, ``sitelore.extract(job_id)``: it claims the job row and hands it to a
:class:`~sitelore.jobs.worker.Worker`. procrastinate brings the rest: LISTEN/NOTIFY for
new jobs, concurrency, worker heartbeats and a graceful stop (running jobs finish, or are
handed back when the stop times out).

:class:`Listener` holds one connection that LISTENs on the store's channel and turns
each notification (a job's new event, or a cancel request) into a wake-up of the process's
:class:`~sitelore.jobs.hub.EventHub`. Only API processes listen: on PostgreSQL every
NOTIFY wakes every listening connection of the database, so worker-only processes (which
learn of a cancel request from their next heartbeat, within a second) hold none. It
reconnects by itself and wakes every waiter after a reconnect, since notifications sent
meanwhile are lost; waiters re-read the store, so nothing else is.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import procrastinate
import psycopg

from sitelore.jobs.hub import EventHub
from sitelore.jobs.pgsql import CANCEL_CHANNEL, EVENTS_CHANNEL, QUEUE_NAME, TASK_NAME
from sitelore.jobs.postgres import PostgresStore
from sitelore.jobs.worker import Worker, cancel_topic

log = logging.getLogger("sitelore.queue")


@dataclass(frozen=True)
class QueueSettings:
    """How a procrastinate worker runs; times in seconds."""

    concurrency: int = 4
    shutdown_timeout: float = 25.0  # then running jobs are handed back to the queue
    poll_interval: float = 5.0  # LISTEN/NOTIFY wakes workers; polling is the fallback
    procrastinate_heartbeat: float = 5.0
    install_signal_handlers: bool = False


def queue_app(store: PostgresStore, worker: Worker) -> procrastinate.App:
    """A procrastinate app whose one task runs sitelore jobs with ``worker``."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector())

    async def extract(job_id: str) -> None:
        job = await store.claim(job_id, worker.worker_id)
        if job is not None:  # else cancelled while queued, or already run
            await worker.run_job(job)

    app.task(name=TASK_NAME, queue=QUEUE_NAME)(extract)
    return app


async def run_queue_worker(
    store: PostgresStore, worker: Worker, settings: QueueSettings, *, burst: bool = False
) -> None:
    """Run jobs until stopped (SIGTERM/SIGINT when signal handlers are installed, or
    cancellation); with ``burst``, until the queue is empty."""
    app = queue_app(store, worker)
    async with app.open_async(store.pool):
        await app.run_worker_async(
            queues=[QUEUE_NAME],
            name=worker.worker_id,
            concurrency=settings.concurrency,
            wait=not burst,
            listen_notify=True,
            fetch_job_polling_interval=settings.poll_interval,
            shutdown_graceful_timeout=settings.shutdown_timeout,
            delete_jobs="successful",
            install_signal_handlers=settings.install_signal_handlers,
            update_heartbeat_interval=settings.procrastinate_heartbeat,
            stalled_worker_timeout=settings.procrastinate_heartbeat * 6,
        )


class Listener:
    """Feeds ``hub`` with the store's notifications, from any process, until cancelled."""

    def __init__(
        self,
        conninfo: str,
        hub: EventHub,
        *,
        idle_check: float = 10.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.conninfo = conninfo
        self.hub = hub
        self.channels = [CANCEL_CHANNEL, EVENTS_CHANNEL]
        self.idle_check = idle_check
        self.max_backoff = max_backoff
        self.connected = asyncio.Event()

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError) as error:
                log.warning("notification listener lost the database (%s); reconnecting", error)
            if self.connected.is_set():
                backoff = 0.2  # it was up: try again soon
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True
        ) as connection:
            for channel in self.channels:
                await connection.execute(f"LISTEN {channel}")
            self.connected.set()
            self.hub.notify_all()  # whatever was sent while we were away
            while True:
                async for note in connection.notifies(timeout=self.idle_check):
                    topic = cancel_topic(note.payload) if note.channel == CANCEL_CHANNEL else None
                    self.hub.notify(topic or note.payload)
                await connection.execute("SELECT 1")  # a dead connection raises here
