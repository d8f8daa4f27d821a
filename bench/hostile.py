"""The server under a hostile page: what other tenants wait, how fast a cancel answers.

Starts ``sitelore serve`` (one process, SQLite) on loopback and a local site whose second
page is 150,000 nested ``<div>`` (1.6 MB, over a minute of parsing). The tree caps would
refuse that page at once, so they are lifted here (``--keep-caps`` keeps them): the page
really is parsed, in a page process, while this script measures

1. ``/healthz`` latency, p50 and p99, and another key's ``GET /v1/jobs/{id}`` p99
   (target ≤ 50 ms), over ``--requests`` requests each;
2. the time for ``POST /v1/jobs/{id}/cancel`` of the hostile job to answer (target ≤ 1 s),
   and for the job to end ``Job cancelled``;
3. the server's peak RSS (its own, and its page processes' at the end);
4. what the isolation costs per page: the evaluation kit's pages parsed on the calling
   thread, then through one page process (``--pages`` of them).

    python bench/hostile.py [--requests 200] [--pages 300] [--keep-caps]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
from api import create_key, percentile, start_api
from benchkit import EVAL, stop

from sitelore.crawl.pagework import InlinePageWork, PageProcesses

DEPTH = 150_000
HOSTILE = f"<html><body>{'<div>' * DEPTH}x{'</div>' * DEPTH}</body></html>".encode()
HOME = (
    b"<html><head><title>Hostile | Benchco</title></head><body><main><h1>Benchco</h1>"
    b"<p>Benchco makes scheduling software for repair crews.</p>"
    b'<a href="/deep">Deep</a> <a href="/about">About</a></main></body></html>'
)
NO_CAPS = {"SITELORE_PAGE_MAX_DEPTH": "1000000000", "SITELORE_PAGE_MAX_ELEMENTS": "1000000000"}


class SiteHandler(BaseHTTPRequestHandler):
    requested: ClassVar[set[str]] = set()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body = HOSTILE if path == "/deep" else HOME
        SiteHandler.requested.add(path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def latencies(client: httpx.Client, path: str, count: int) -> list[float]:
    found = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        found.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    return found


def wait_for(check: Any, seconds: float, what: str) -> float:
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > seconds:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.02)
    return time.perf_counter() - start


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir():
        found.extend(int(p) for p in (task / "children").read_text().split())
    return found


def under_attack(args: argparse.Namespace) -> None:
    site_server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    threading.Thread(target=site_server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{site_server.server_address[1]}/"
    env = {"SITELORE_PAGE_TIMEOUT": "600", **({} if args.keep_caps else NO_CAPS)}
    with tempfile.TemporaryDirectory() as data_dir:
        other_key = create_key(data_dir, "other")
        server, base, key = start_api(data_dir, env)
        try:
            measure(base, key, other_key, site, server.pid, args)
        finally:
            stop(server)
            site_server.shutdown()


def measure(base: str, key: str, other_key: str, site: str, pid: int, args: Any) -> None:
    mine = httpx.Client(base_url=base, headers={"x-api-key": key}, timeout=120)
    theirs = httpx.Client(base_url=base, headers={"x-api-key": other_key}, timeout=120)
    their_job = theirs.post("/v1/extract/async", json={"url": site, "singlePage": True})
    their_path = f"/v1/jobs/{their_job.json()['jobId']}"
    wait_for(lambda: theirs.get(their_path).json()["status"] == "completed", 60, "their job")
    job = mine.post("/v1/extract/async", json={"url": site, "maxPages": 3}).json()["jobId"]
    wait_for(lambda: "/deep" in SiteHandler.requested, 30, "the hostile page's fetch")
    time.sleep(0.5)  # it is in a page process now
    health = latencies(mine, "/healthz", args.requests)
    reads = latencies(theirs, their_path, args.requests)
    pages_rss = sum(memory_kib(child, "VmRSS") for child in children(pid))  # mid-parse
    start = time.perf_counter()
    answer = mine.post(f"/v1/jobs/{job}/cancel")
    cancel = time.perf_counter() - start
    ended = wait_for(lambda: mine.get(f"/v1/jobs/{job}").json()["status"] == "failed", 60, "end")
    error = mine.get(f"/v1/jobs/{job}").json()["error"]
    page = "refused by the tree caps" if args.keep_caps else "being parsed (caps lifted)"
    print(f"with a {len(HOSTILE) / 1e6:.1f} MB page of {DEPTH:,} nested <div>s {page}:")
    print(
        f"  /healthz, {len(health)} requests: p50 {percentile(health, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(health, 0.99) * 1000:.1f} ms"
    )
    print(
        f"  another key's GET /v1/jobs/{{id}}, {len(reads)} requests: "
        f"p50 {percentile(reads, 0.5) * 1000:.1f} ms, p99 {percentile(reads, 0.99) * 1000:.1f} ms"
    )
    print(
        f"  cancel of the hostile job: answered {answer.status_code} in {cancel * 1000:.1f} ms; "
        f"the job ended ({error!r}) {ended * 1000:.0f} ms later"
    )
    print(
        f"  server peak RSS {memory_kib(pid, 'VmHWM') / 1024:.0f} MiB; "
        f"its page processes {pages_rss / 1024:.0f} MiB during the parse"
    )


def isolation_cost(count: int) -> None:
    sites = sorted((EVAL / "sites").glob("*/site/**/*.html"))
    pages = [(p.read_text("utf-8", errors="replace"), "http://bench.test/") for p in sites][:count]

    async def timed(work: Any) -> float:
        await work.parse(*pages[0])  # warm: a child's start, the vocabularies
        start = time.perf_counter()
        for html, url in pages:
            await work.parse(html, url)
        return (time.perf_counter() - start) / len(pages)

    async def run() -> tuple[float, float]:
        inline = await timed(InlinePageWork())
        async with PageProcesses(processes=1) as work:
            isolated = await timed(work)
        return inline, isolated

    inline, isolated = asyncio.run(run())
    print(
        f"parse of {len(pages)} evaluation pages: {inline * 1000:.2f} ms/page on the calling "
        f"thread, {isolated * 1000:.2f} ms/page through a page process "
        f"(+{(isolated - inline) * 1000:.2f} ms/page for the isolation)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--keep-caps", action="store_true")
    args = parser.parse_args()
    under_attack(args)
    isolation_cost(args.pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
