"""HTTP API figures: job-read throughput and latency, submit-to-complete, SSE delay.

Starts ``sitelore serve`` (one process, SQLite) on loopback and a 5-page local site, then:

1. ``GET /v1/jobs/{id}`` throughput and p50/p99 latency, from a load generator in another
   process (asyncio + httpx, ``--connections`` keep-alive connections, ``--seconds`` long);
2. submit-to-complete latency of a 5-page extraction of the local site (median of runs);
3. the delay from a page's response leaving the site server to its ``page_scraped`` SSE
   event reaching a client (median and max over the pages of the runs).

    python bench/api.py [--seconds 10] [--connections 32] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
from benchkit import free_port

PAGES = ["/", "/pricing/", "/features/", "/about/", "/contact/"]


class SiteHandler(BaseHTTPRequestHandler):
    """A small company site; records when each page's response was fully sent."""

    sent: ClassVar[dict[str, float]] = {}

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path not in PAGES:
            self.send_response(404)
            self.end_headers()
            return
        links = "".join(f'<li><a href="{p}">{p.strip("/") or "home"}</a></li>' for p in PAGES)
        body = (
            f"<html><head><title>{path} | Benchco</title></head><body><nav><ul>{links}</ul>"
            f"</nav><main><h1>Benchco {path}</h1><h2>What we do</h2><p>Benchco makes "
            f"scheduling software for repair crews; this is the {path} page of the site.</p>"
            f"<h2>Plans</h2><p>Starter costs $19 per month and includes five users.</p>"
            f"</main></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        SiteHandler.sent[f"http://{self.headers.get('Host', '')}{path}"] = time.time()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_site() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def create_key(data_dir: str, name: str = "bench") -> str:
    created = subprocess.run(
        [sys.executable, "-m", "sitelore", "keys", "create", "--name", name,
         "--data-dir", data_dir],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return created.stdout.splitlines()[0]


def start_api(
    data_dir: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, str]:
    """``sitelore serve`` on a free port with a new key; ``env`` adds settings."""
    key = create_key(data_dir)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sitelore", "serve", "--port", str(port), "--data-dir", data_dir],
        stderr=subprocess.DEVNULL,
        # The per-key rate limit (600/min by default) would measure itself, not the server.
        env={
            **os.environ,
            "SITELORE_DATA_DIR": data_dir,
            "SITELORE_RATE_LIMIT_PER_MINUTE": "100000000",
            # The benchmark site is on 127.0.0.1 with a random port: open the network guard.
            "SITELORE_ALLOW_PRIVATE_NETWORKS": "*",
            "SITELORE_ALLOWED_PORTS": "*",
            **(env or {}),
        },
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=0.5).status_code == 200:
                return process, base, key
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("sitelore serve did not start")


def run_job(base: str, key: str, site: str) -> tuple[float, list[float]]:
    """Submit-to-complete seconds, and SSE delays (s) of page_scraped events."""
    delays: list[float] = []
    begin = time.perf_counter()
    body = {"url": site, "maxPages": len(PAGES)}
    headers = {"x-api-key": key}
    with (
        httpx.Client(timeout=60) as client,
        client.stream("POST", base + "/v1/extract/stream", json=body, headers=headers) as stream,
    ):
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "page_scraped":
                arrived = time.time()
                url = json.loads(line[6:])["url"]
                if url in SiteHandler.sent:
                    delays.append(arrived - SiteHandler.sent[url])
            elif line.startswith("data: ") and event in ("complete", "error"):
                break
    return time.perf_counter() - begin, delays


def load(base: str, key: str, job_id: str, seconds: float, connections: int) -> None:
    """The load generator (runs in its own process): prints a JSON line of latencies."""

    async def one(client: httpx.AsyncClient, stop: float, out: list[float]) -> None:
        while time.perf_counter() < stop:
            start = time.perf_counter()
            response = await client.get(f"/v1/jobs/{job_id}")
            if response.status_code != 200:
                raise SystemExit(f"GET /v1/jobs answered {response.status_code}")
            out.append(time.perf_counter() - start)

    async def main() -> None:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(
            base_url=base, headers={"x-api-key": key}, limits=limits, timeout=10
        ) as client:
            await client.get(f"/v1/jobs/{job_id}")
            stop = time.perf_counter() + seconds
            latencies: list[float] = []
            await asyncio.gather(*(one(client, stop, latencies) for _ in range(connections)))
        print(json.dumps({"latencies": latencies, "seconds": seconds}))

    asyncio.run(main())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--load", nargs=3, metavar=("BASE", "KEY", "JOB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        base, key, job = args.load
        load(base, key, job, args.seconds, args.connections)
        return 0
    site_server, site = start_site()
    with tempfile.TemporaryDirectory() as data_dir:
        api, base, key = start_api(data_dir)
        try:
            report(base, key, site, args)
        finally:
            api.terminate()
            api.wait()
            site_server.shutdown()
    return 0


def report(base: str, key: str, site: str, args: argparse.Namespace) -> None:
    totals: list[float] = []
    delays: list[float] = []
    for _ in range(args.runs):
        total, page_delays = run_job(base, key, site)
        totals.append(total)
        delays.extend(page_delays)
    print(
        f"submit-to-complete, {len(PAGES)}-page local site, {args.runs} runs: "
        f"median {statistics.median(totals) * 1000:.0f} ms, max {max(totals) * 1000:.0f} ms"
    )
    print(
        f"page response sent -> page_scraped SSE event received, {len(delays)} pages: "
        f"median {statistics.median(delays) * 1000:.1f} ms, max {max(delays) * 1000:.1f} ms"
    )
    job = httpx.post(base + "/v1/extract/async", json={"url": site, "maxPages": 1},
                     headers={"x-api-key": key}).json()["jobId"]  # fmt: skip
    wait_finished(base, key, job)
    for connections in sorted({8, args.connections}):
        rate, p50, p99, tool = read_load(base, key, job, args.seconds, connections)
        print(f"GET /v1/jobs/{{id}} (finished job), {connections} connections, "
              f"{args.seconds:g} s, {tool}, one server process: {rate:.0f} req/s, "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")  # fmt: skip


def wait_finished(base: str, key: str, job: str) -> None:
    for _ in range(200):
        status = httpx.get(f"{base}/v1/jobs/{job}", headers={"x-api-key": key}).json()["status"]
        if status in ("completed", "failed"):
            return
        time.sleep(0.05)


def read_load(
    base: str, key: str, job: str, seconds: float, connections: int
) -> tuple[float, float, float, str]:
    """(requests/s, p50 ms, p99 ms, tool): Debian's wrk when installed, else httpx."""
    if shutil.which("wrk"):
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency",
                   "-H", f"x-api-key: {key}", f"{base}/v1/jobs/{job}"]  # fmt: skip
        text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
        return rate, _wrk_ms(text, "50%"), _wrk_ms(text, "99%"), "wrk"
    command = [sys.executable, __file__, "--load", base, key, job, "--seconds",
               str(seconds), "--connections", str(connections)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    latencies = figures["latencies"]
    rate = len(latencies) / figures["seconds"]
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    return rate, p50, p99, "httpx load generator"


def _wrk_ms(text: str, label: str) -> float:
    found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", text)
    if found is None:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


if __name__ == "__main__":
    raise SystemExit(main())
