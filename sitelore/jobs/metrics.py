"""What the job runtime of a process records for Prometheus: pages, job times, webhooks.

:class:`JobMetrics` holds the counters and histograms, made on the registry it is given
(one per process, or per app in tests: never the global one), and is handed to the
worker, the crawler (as its page observer) and the webhook sender. Every process counts
its own work; ``/metrics`` of that process serves them (:mod:`sitelore.api.metrics`), and a
``sitelore worker`` serves them on ``SITELORE_METRICS_PORT``.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    start_http_server,
)

from sitelore.crawl.observer import FAILURE_REASONS, OTHER, SKIP_REASONS
from sitelore.jobs.models import Job, JobStatus

# Seconds: a job waits from nothing (an idle worker) to hours (a deep queue) ...
QUEUE_WAIT_BUCKETS = (0.05, 0.25, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)
# ... and runs from a second (one page) to its time limit (30 minutes by default).
DURATION_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
DELIVERED, RETRYING, GAVE_UP = "delivered", "retrying", "failed"


class JobMetrics:
    """The job runtime's counters on ``registry``; each method records one thing."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.pages_fetched = Counter(
            "sitelore_pages_fetched", "Pages fetched and extracted", registry=registry
        )
        self.pages_failed = Counter(
            "sitelore_pages_failed",
            "Pages that failed, by reason (the class of their error)",
            ["reason"],
            registry=registry,
        )
        self.pages_skipped = Counter(
            "sitelore_pages_skipped",
            "Pages fetched with nothing new in them (not HTML, empty, a duplicate), by reason",
            ["reason"],
            registry=registry,
        )
        self.queue_wait = Histogram(
            "sitelore_job_queue_wait_seconds",
            "Seconds from a job's submission to its first claim by a worker",
            buckets=QUEUE_WAIT_BUCKETS,
            registry=registry,
        )
        self.job_duration = Histogram(
            "sitelore_job_duration_seconds",
            "Seconds from a job's start to its end, by outcome (completed or failed)",
            ["outcome"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.deliveries = Counter(
            "sitelore_webhook_deliveries",
            "Webhook delivery attempts, by outcome: delivered, retrying (the attempt failed, "
            "another is due) or failed (given up)",
            ["outcome"],
            registry=registry,
        )
        self._start_at_zero()

    def _start_at_zero(self) -> None:
        """Every series exists from the start, so a rate over the first event is right."""
        for reason in (*FAILURE_REASONS, OTHER):
            self.pages_failed.labels(reason)
        for reason in (*SKIP_REASONS, OTHER):
            self.pages_skipped.labels(reason)
        for status in (JobStatus.COMPLETED, JobStatus.FAILED):
            self.job_duration.labels(status.value)
        for outcome in (DELIVERED, RETRYING, GAVE_UP):
            self.deliveries.labels(outcome)

    # -- pages (the crawler's PageObserver) -------------------------------------------------

    def page_done(self) -> None:
        self.pages_fetched.inc()

    def page_missed(self, reason: str, *, skipped: bool) -> None:
        known = SKIP_REASONS if skipped else FAILURE_REASONS
        counter = self.pages_skipped if skipped else self.pages_failed
        counter.labels(reason if reason in known else OTHER).inc()

    # -- jobs -------------------------------------------------------------------------------

    def job_claimed(self, job: Job) -> None:
        """A worker took ``job``; its wait counts once, at its first claim (a retry's wait
        would count the attempts before it)."""
        if job.attempts == 1 and job.started_at is not None:
            self.queue_wait.observe(max(job.started_at - job.created_at, 0.0))

    def job_finished(self, job: Job) -> None:
        """A worker ended ``job`` (completed, or failed: cancelled, timed out, no page)."""
        if job.started_at is not None and job.finished_at is not None:
            seconds = max(job.finished_at - job.started_at, 0.0)
            self.job_duration.labels(job.status.value).observe(seconds)

    # -- webhooks ---------------------------------------------------------------------------

    def delivery(self, outcome: str) -> None:
        """One attempt's outcome: :data:`DELIVERED`, :data:`RETRYING` or :data:`GAVE_UP`."""
        self.deliveries.labels(outcome).inc()


def process_registry() -> CollectorRegistry:
    """A registry of one process: its CPU, memory and open files to begin with."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    return registry


def unrecorded() -> JobMetrics:
    """Metrics nobody reads (a worker or sender built without any, as in tests)."""
    return JobMetrics(CollectorRegistry())


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> Callable[[], None]:
    """Serve ``registry`` over HTTP on ``host:port`` from a thread (a process with no API:
    ``sitelore worker``); the function returned stops it. ``OSError`` when it cannot bind."""
    server, thread = start_http_server(port, addr=host, registry=registry)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
