"""Scale-out on PostgreSQL: jobs per minute for 1, 2 and 4 ``sitelore worker`` processes.

Per worker count (and round), on a fresh database: ``sitelore serve --workers 0`` and N
``sitelore worker --concurrency C`` processes; ``--jobs`` 5-page extractions of a local
site (every answer delayed by ``--latency``, a sleep) submitted at once through ``POST
/v1/extract/async``; then it waits for all of them. It prints:

- jobs/min over the wall time from the first submit to the last ``finished_at``;
- queue wait ``started_at - created_at`` (median/p90: mostly backlog, since all jobs are
  submitted at once) and pickup, its median over the first N*C jobs (which found a free
  slot): what the queue itself adds;
- PostgreSQL transactions per job (pg_stat_database ``xact_commit + xact_rollback`` of the
  bench's own database; the bench's own queries removed). "raw" runs from just before the
  first submit to the processes' exit, idle polling and heartbeats included; "net"
  subtracts a 0-job run of the same processes for as long. Backends report counters late
  (up to ~10 s when idle), hence the final read after the processes have exited;
- CPU seconds per job of the workers, the API process and their backends (/proc; the
  backends are found by PGAPPNAME), and how busy the machine was (other load skews).

    python bench/scale.py [--workers 1,2,4] [--concurrency 4] [--jobs 60] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

from sitelore.jobs.pgschema import upgrade
from sitelore.jobs.postgres import PostgresStore

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
TICK = os.sysconf("SC_CLK_TCK")
NAV = [("/", "Home"), ("/services/", "Services"), ("/pricing/", "Pricing"),
       ("/about/", "About us"), ("/contact/", "Contact")]  # fmt: skip
# An invented heating contractor: (title, description, [(heading, paragraph)]) per page.
PAGES: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "/": ("Brightmoor Heating | Boiler repair and installation in Harrowgate",
          "Family-run heating engineers serving Harrowgate and the Vale since 1994.", [
        ("Warm homes, honest prices", "We repair, service and install gas and heat-pump "
         "systems for homes and small businesses. Our twelve engineers carry common parts, "
         "so most repairs are done on the first visit."),
        ("Same-day breakdown visits", "Call before noon on a weekday and an engineer comes "
         "the same day. Care-plan customers have emergency cover until 10 pm, every day."),
        ("Why customers stay", "Fixed prices in writing before work starts, insured "
         "engineers and a ten-year guarantee on new installations.")]),
    "/services/": ("Services | Brightmoor Heating", "Boiler repair, servicing, heat pumps.", [
        ("Boiler repair", "Fault finding on all major makes, from pressure loss to ignition "
         "faults. The call-out fee covers the first hour of labour."),
        ("Annual servicing", "A 45-minute safety check of boiler, flue and controls, with a "
         "written report."),
        ("Air-source heat pumps", "Survey, design and installation from 5 to 16 kW, with "
         "grant paperwork and radiator upgrades.")]),
    "/pricing/": ("Pricing | Brightmoor Heating", "Fixed prices for common heating work.", [
        ("Care plans", "Essential costs £12 a month: one annual service and priority booking. "
         "Complete costs £21 a month and adds parts, labour and emergency visits."),
        ("One-off work", "A boiler service is £89. A call-out is £95 including the first "
         "hour; then £48 an hour. Heat-pump surveys are free.")]),
    "/about/": ("About us | Brightmoor Heating", "Three generations of heating engineers.", [
        ("Our story", "Alan Brightmoor started with one van in 1994. His daughter Ruth now "
         "runs the company from a workshop on Tanner Lane."),
        ("Our team", "Twelve Gas Safe registered engineers, three office staff and two "
         "apprentices, covering Harrowgate, Pellham and Low Cross.")]),
    "/contact/": ("Contact | Brightmoor Heating", "Call, email or visit the workshop.", [
        ("Get in touch", "Phone 01632 960 418, Monday to Saturday, 8 am to 6 pm, or email "
         "hello@brightmoor-heating.example."),
        ("Visit us", "Unit 4, Tanner Lane Works, Harrowgate HG9 2QT.")]),
}  # fmt: skip


def page_html(path: str) -> bytes:
    title, description, sections = PAGES[path]
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in NAV)
    body = "".join(f"<section><h2>{head}</h2><p>{text}</p></section>" for head, text in sections)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="description" content="{description}"></head><body><header>'
        f"<nav><ul>{nav}</ul></nav></header><main><h1>{title.split(' | ')[0]}</h1>{body}"
        f"</main><footer><p>© 2024 Brightmoor Heating Ltd · Unit 4, Tanner Lane Works, "
        f"Harrowgate</p><ul>{nav}</ul></footer></body></html>"
    ).encode()


class SiteHandler(BaseHTTPRequestHandler):
    """The site: every answer waits ``latency`` seconds (a sleep, not CPU)."""

    protocol_version = "HTTP/1.1"
    latency: ClassVar[float] = 0.05

    def do_GET(self) -> None:
        time.sleep(self.latency)
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            status, kind, body = 200, "text/plain", b"User-agent: *\nAllow: /\n"
        elif path in PAGES:
            status, kind, body = 200, "text/html; charset=utf-8", page_html(path)
        else:
            status, kind, body = 404, "text/plain", b"not found"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # crawlers of stopped workers drop their keep-alive connections


@dataclass
class Run:
    workers: int
    jobs: int
    failed: int
    pages: float  # mean pages scraped per completed job
    wall: float  # first submit to last finish (s)
    window: float  # first stats read to the stop (s)
    wait: list[float]  # started_at - created_at (s), in created order
    took: list[float]  # finished_at - started_at (s)
    submit: float  # seconds to POST them all
    transactions: int  # raw, the bench's own removed
    cpu: dict[str, float]  # seconds: see cpu_snapshot
    net: int | None = None  # transactions minus those of a 0-job run


class Bench:
    """Databases and child processes of the benchmark; :meth:`close` removes them all."""

    def __init__(self, url: str, concurrency: int, logs: Path) -> None:
        self.url = url
        self.concurrency = concurrency
        self.logs = logs
        self.databases: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.files: list[Path] = []

    def fresh_database(self) -> str:
        """A new database, migrated; its conninfo. A database rather than a schema: the
        transaction counters of pg_stat_database are per database, and the shared one may
        be busy with other clients."""
        name = "bench_" + secrets.token_hex(6)
        with psycopg.connect(self.url, autocommit=True) as connection:
            create = "CREATE DATABASE {} TEMPLATE template0"  # template1 may be in use
            connection.execute(sql.SQL(create).format(sql.Identifier(name)))
        self.databases.append(name)
        conninfo = urlunsplit(urlsplit(self.url)._replace(path="/" + name))
        upgrade(conninfo)
        return conninfo

    def spawn(self, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        self.files.append(self.logs / f"{len(self.files)}-{args[0]}.log")
        with self.files[-1].open("wb") as log:
            command = [sys.executable, "-m", "sitelore", *args]
            process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def failed(self, what: str) -> SystemExit:
        tails = [
            f"--- {f.name}\n" + "\n".join(f.read_text().splitlines()[-15:]) for f in self.files
        ]
        return SystemExit("\n".join([what, *tails[-6:]]))

    def stop(self) -> None:
        """SIGTERM every child, then SIGKILL what is left after 30 s."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 30
        for process in self.processes:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def close(self) -> None:
        """Stop the processes, drop the databases."""
        self.stop()
        with psycopg.connect(self.url, autocommit=True) as connection:
            for name in self.databases:
                drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
                connection.execute(sql.SQL(drop).format(sql.Identifier(name)))
        self.databases.clear()

    def run(
        self, workers: int, jobs: int, site: str, idle: float = 0.0, one_by_one: bool = False
    ) -> Run:
        """One measurement: ``jobs`` jobs (all at once, or ``one_by_one`` with the workers
        idle before each), or (0 jobs) ``idle`` seconds of waiting."""
        conninfo = self.fresh_database()
        key = asyncio.run(create_key(conninfo))
        app = "bench-" + secrets.token_hex(4)
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(
            SITELORE_DATABASE_URL=conninfo,
            SITELORE_ALLOW_PRIVATE_NETWORKS="*",
            SITELORE_ALLOWED_PORTS="*",
            SITELORE_RATE_LIMIT_PER_MINUTE="100000000",
            PGAPPNAME=app,
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        api = self.spawn(["serve", "--workers", "0", "--port", str(port)], env)
        workers_ = [
            self.spawn(["worker", "--concurrency", str(self.concurrency)], env)
            for _ in range(workers)
        ]
        base = f"http://127.0.0.1:{port}"
        with psycopg.connect(conninfo, autocommit=True) as db:
            self.wait_ready(db, base, workers)  # its counts are reported when it closes
        time.sleep(1.0)  # let the start-up settle
        # A backend reports its counts at once when it starts, then at most once a second:
        # the queries of ``db`` (each a transaction) are its own, and counted at its close.
        with psycopg.connect(conninfo, autocommit=True) as db:
            before = cpu_snapshot(db, app, api, workers_)
            first = transactions(db)
            own = 2
            began = time.monotonic()
            submitted = time.time()
            took = 0.0
            if jobs and one_by_one:
                for finished in range(1, jobs + 1):
                    took += submit(base, key, site, 1)
                    own += wait_done(db, finished, poll=0.02)
            elif jobs:
                took = submit(base, key, site, jobs)
                own += wait_done(db, jobs)
            else:
                time.sleep(idle)
            after = cpu_snapshot(db, app, api, workers_)
            own += 1
            window = time.monotonic() - began
        self.stop()  # exiting backends report their counters (a closed ``db`` too)
        time.sleep(0.5)
        with psycopg.connect(conninfo, autocommit=True) as db:
            raw = transactions(db) - first - own - 1  # the 1: this connection's start
            rows = db.execute(
                "SELECT status, created_at, started_at, finished_at, "
                "(result::jsonb ->> 'pagesScraped')::int FROM sitelore_jobs ORDER BY created_at"
            ).fetchall()
        self.close()
        done = [row for row in rows if row[0] == "completed"]
        return Run(
            workers=workers,
            jobs=len(rows),
            failed=sum(row[0] != "completed" for row in rows),
            pages=statistics.mean(row[4] for row in done) if done else 0.0,
            wall=max((row[3] for row in rows), default=submitted) - submitted,
            window=window,
            wait=[row[2] - row[1] for row in rows if row[2] is not None],
            took=[row[3] - row[2] for row in rows if row[2] is not None and row[3] is not None],
            submit=took,
            transactions=raw,
            cpu={name: after[name] - before.get(name, 0.0) for name in after},
        )

    def wait_ready(self, db: psycopg.Connection[Any], base: str, workers: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise self.failed("a sitelore process exited")
            try:
                api_up = httpx.get(base + "/healthz", timeout=0.5).status_code == 200
            except httpx.HTTPError:
                api_up = False
            row = db.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
            if api_up and row is not None and row[0] >= workers:
                return
            time.sleep(0.2)
        raise self.failed("sitelore did not start within 60 s")


async def create_key(conninfo: str) -> str:
    store = PostgresStore(conninfo)
    await store.open()
    try:
        shown, _ = await store.create_key("bench")
        return shown
    finally:
        await store.close()


def submit(base: str, key: str, site: str, jobs: int) -> float:
    """POST ``jobs`` jobs from 8 threads; the seconds it took."""
    begin = time.monotonic()
    with (
        httpx.Client(base_url=base, headers={"x-api-key": key}, timeout=30) as client,
        ThreadPoolExecutor(8) as pool,
    ):
        body = {"url": site, "maxPages": 5}
        answers = list(pool.map(lambda _: client.post("/v1/extract/async", json=body), range(jobs)))
    for answer in answers:
        if answer.status_code != 202:
            raise SystemExit(f"POST /v1/extract/async answered {answer.status_code}: "
                             f"{answer.text[:200]}")  # fmt: skip
    return time.monotonic() - begin


def wait_done(
    db: psycopg.Connection[Any], jobs: int, timeout: float = 600, poll: float = 0.25
) -> int:
    """Poll until ``jobs`` jobs are finished; returns the queries it ran."""
    queries = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queries += 1
        row = db.execute(
            "SELECT count(*) FROM sitelore_jobs WHERE status IN ('completed', 'failed')"
        ).fetchone()
        if row is not None and row[0] >= jobs:
            return queries
        time.sleep(poll)
    raise SystemExit(f"the jobs did not finish within {timeout:g} s")


def transactions(db: psycopg.Connection[Any]) -> int:
    row = db.execute(
        "SELECT coalesce(sum(xact_commit + xact_rollback), 0) FROM pg_stat_database "
        "WHERE datname = current_database()"
    ).fetchone()
    assert row is not None
    return int(row[0])


def cpu_snapshot(
    db: psycopg.Connection[Any],
    app: str,
    api: subprocess.Popen[bytes],
    workers: list[subprocess.Popen[bytes]],
) -> dict[str, float]:
    """CPU seconds so far: the worker processes, the API process, their backends (one
    entry per backend pid, so that backends opened later count from zero), and the whole
    machine's time (all cores) and idle time."""
    cpu = {"workers": sum(cpu_seconds(w.pid) for w in workers), "api": cpu_seconds(api.pid)}
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    cpu["machine"], cpu["machine_idle"] = sum(ticks) / TICK, (ticks[3] + ticks[4]) / TICK
    cpu["bench"] = time.process_time()  # the site server's threads and the observer
    rows = db.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app,))
    for (pid,) in rows.fetchall():
        cpu[f"pg{pid}"] = cpu_seconds(pid)
    return cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def report(runs: list[Run], concurrency: int, cores: int) -> None:
    fewest = min(run.workers for run in runs)  # the ratio's reference: its median jobs/min
    ref = statistics.median(r.jobs / r.wall * 60 for r in runs if r.workers == fewest and r.wall)
    print(f"\n{'workers':>7} | {'jobs':>4} | {'failed':>6} | {'pages':>5} | {'wall s':>6} | "
          f"{'jobs/min':>8} | {'ratio':>5} | {'wait med/p90 ms':>15} | {'pickup ms':>9} | "
          f"{'job ms':>6} | {'submit s':>8} | {'tx/job raw':>10} | {'tx/job net':>10}")  # fmt: skip
    for run in runs:
        rate = run.jobs / run.wall * 60 if run.wall > 0 else 0.0
        first = run.wait[: run.workers * concurrency]
        p90 = statistics.quantiles(run.wait, n=10)[-1] if len(run.wait) > 1 else run.wait[0]
        wait = f"{statistics.median(run.wait) * 1000:.0f}/{p90 * 1000:.0f}"
        net = f"{run.net / run.jobs:.1f}" if run.net is not None else "-"
        print(f"{run.workers:>7} | {run.jobs:>4} | {run.failed:>6} | {run.pages:>5.1f} | "
              f"{run.wall:>6.1f} | {rate:>8.1f} | {rate / ref if ref else 0:>5.2f} | "
              f"{wait:>15} | {statistics.median(first) * 1000:>9.0f} | "
              f"{statistics.median(run.took) * 1000:>6.0f} | {run.submit:>8.1f} | "
              f"{run.transactions / run.jobs:>10.1f} | {net:>10}")  # fmt: skip
    print(f"\n{'workers':>7} | {'CPU s/job: workers':>18} | {'api':>5} | {'postgres':>8} | "
          f"{'site+bench':>10} | "
          f"{'ours % of ' + str(cores) + ' cores':>17} | {'machine busy %':>14}")  # fmt: skip
    for run in runs:
        pg = sum(v for k, v in run.cpu.items() if k.startswith("pg"))
        busy = (run.cpu["workers"] + run.cpu["api"] + pg) / (cores * run.window) * 100
        machine = 100 - run.cpu["machine_idle"] / run.cpu["machine"] * 100
        workers, api = run.cpu["workers"] / run.jobs, run.cpu["api"] / run.jobs
        print(f"{run.workers:>7} | {workers:>18.3f} | {api:>5.3f} | {pg / run.jobs:>8.3f} | "
              f"{run.cpu['bench'] / run.jobs:>10.3f} | "
              f"{busy:>17.0f} | {machine:>14.0f}")  # fmt: skip
    print(
        "\ntx: PostgreSQL transactions of the bench's database (pg_stat_database xact_commit +\n"
        "  xact_rollback) per job; besides queries they count psycopg_pool's connection checks\n"
        "  and the transaction in which each LISTENing backend reads a NOTIFY. raw includes\n"
        "  idle polling and heartbeats; net subtracts a 0-job run of the same processes.\n"
        f"pickup: median queue wait of the first workers x {concurrency} jobs. ours: CPU of\n"
        "  the workers, the API and their backends; machine: every process (other load skews)."
    )


def report_pickup(run: Run) -> None:
    """What the queue adds to a job when a worker is free: submit to claim."""
    waits = sorted(wait * 1000 for wait in run.wait)
    p90 = waits[min(len(waits) - 1, int(len(waits) * 0.9))]
    print(
        f"queue pickup, 1 idle worker, {run.jobs} jobs one at a time (created_at to "
        f"started_at, database clock): median {statistics.median(waits):.1f} ms, "
        f"p90 {p90:.1f} ms, max {waits[-1]:.1f} ms; job {statistics.median(run.took) * 1000:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "SITELORE_TEST_DATABASE_URL", DEFAULT_URL))  # fmt: skip
    parser.add_argument("--workers", default="1,2,4", help="worker process counts")
    parser.add_argument("--concurrency", type=int, default=4, help="jobs at once per worker")
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.05, help="site answer delay (s)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-idle-run", action="store_true", help="skip the 0-job runs")
    parser.add_argument("--pickups", type=int, default=20, help="jobs run one at a time")
    args = parser.parse_args()
    if args.jobs < 2 or args.concurrency < 1:
        parser.error("--jobs must be 2 or more, --concurrency 1 or more")
    counts = [int(part) for part in args.workers.split(",") if part.strip()]
    cores = os.cpu_count() or 1
    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"cores: {cores}; concurrency per worker {args.concurrency}; {args.jobs} jobs of 5 "
          f"pages; site latency {args.latency * 1000:.0f} ms; {args.rounds} round(s); load "
          f"average {os.getloadavg()[0]:.2f}")  # fmt: skip
    SiteHandler.latency = args.latency
    site_server = SiteServer(("127.0.0.1", 0), SiteHandler)
    threading.Thread(target=site_server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{site_server.server_address[1]}/"
    started = time.monotonic()
    runs: list[Run] = []
    alone: Run | None = None
    with tempfile.TemporaryDirectory(prefix="sitelore-scale-") as logs:
        bench = Bench(args.database_url, args.concurrency, Path(logs))
        try:
            for round_ in range(args.rounds):
                for count in counts:
                    run = bench.run(count, args.jobs, site)
                    if not args.no_idle_run:
                        run.net = (
                            run.transactions - bench.run(count, 0, site, run.window).transactions
                        )
                    print(f"round {round_ + 1}, {count} workers: {run.jobs} jobs in "
                          f"{run.wall:.1f} s", flush=True)  # fmt: skip
                    runs.append(run)
            alone = bench.run(1, args.pickups, site, one_by_one=True) if args.pickups else None
        finally:
            bench.close()
            site_server.shutdown()
    report(runs, args.concurrency, cores)
    if alone is not None:
        report_pickup(alone)
    print(f"total time {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
