"""What rendering costs: a client-rendered site of ``--pages`` pages, each loading a
``--bundle-kb`` JavaScript bundle, extracted with a real browser at 1 and 4 tabs, beside
the same site served pre-rendered and extracted over HTTP alone.

The bundle is generated: a few hundred component functions (templates, formatters, a
router, data tables), all parsed and most of them run at start, as a built React or Vue
app's vendor bundle is. Each page's content arrives by XHR. Prints, per run: wall time,
pages/s, CPU per page (this process and the browser's processes) and peak memory (the
PSS of the browser's processes plus this process's RSS, sampled every 50 ms).

    python bench/render.py [--pages 24] [--bundle-kb 320]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from sitelore.crawl.sources.browser import find_chromium
from sitelore.crawl.sources.rendering import browser_for
from sitelore.models import CrawlOptions, ExtractRequest, RenderMode
from sitelore.pipeline import extract_site

SHELL = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Loading…</title>'
    '<script src="/static/vendor.js" defer></script><script src="/static/app.js" defer></script>'
    '</head><body><div id="root"></div></body></html>'
)
OPTIONS = CrawlOptions(timeout=30, trust_env=False, concurrency=4, obey_robots=False)
TICKS = os.sysconf("SC_CLK_TCK")


def page_content(index: int) -> dict[str, Any]:
    return {
        "title": f"Module {index}: inventory for workshops",
        "paragraphs": [
            f"Module {index} of Benchco tracks parts, tools and jobs for repair workshop {index}.",
            f"It costs £{10 + index} a month per workshop and includes {index + 2} user seats.",
            "Stock is counted by barcode; low stock raises a purchase order for approval.",
        ],
        "links": [f"/m/{(index + step) % 1000}" for step in (1, 2, 3)],
    }


def vendor_bundle(kilobytes: int) -> bytes:
    """Component functions until the bundle has ``kilobytes``; most run at start."""
    parts = ["var LIB = {};"]
    index = 0
    while sum(map(len, parts)) < kilobytes * 1024:
        parts.append(
            f"LIB.c{index} = function (props) {{ var rows = []; "
            f"for (var i = 0; i < (props.n || 3); i++) {{ rows.push({{key: 'r' + i, "
            f"label: 'Item ' + i + ' of component {index}', value: (i * {index % 97}) % 13, "
            f"price: (i * 1.{index % 9}).toFixed(2)}}); }} "
            f"return rows.map(function (r) {{ return r.label + ': ' + r.value + ' / ' + "
            f"r.price; }}).join('; '); }};\n"
        )
        index += 1
    parts.append("var WARM = 0; for (var k in LIB) { if (WARM++ % 3 === 0) LIB[k]({n: 2}); }\n")
    return "".join(parts).encode()


APP = b"""
(function () {
  var id = location.pathname.split('/').pop() || '0';
  var request = new XMLHttpRequest();
  request.open('GET', '/api/page/' + id + '.json');
  request.onload = function () {
    var page = JSON.parse(request.responseText), root = document.getElementById('root');
    document.title = page.title + ' | Benchco';
    var html = '<header><a href="/">Benchco</a></header><main><h1>' + page.title + '</h1>';
    page.paragraphs.forEach(function (p) { html += '<p>' + p + '</p>'; });
    html += '<nav>' + page.links.map(function (l) {
      return '<a href="' + l + '">' + l + '</a>'; }).join(' ') + '</nav></main>';
    root.innerHTML = html;
  };
  request.send();
})();
"""


def prerendered(index: int) -> bytes:
    page = page_content(index)
    body = "".join(f"<p>{p}</p>" for p in page["paragraphs"])
    links = " ".join(f'<a href="{link}">{link}</a>' for link in page["links"])
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{page["title"]} | Benchco'
        f'</title></head><body><header><a href="/">Benchco</a></header><main><h1>'
        f"{page['title']}</h1>{body}<nav>{links}</nav></main></body></html>"
    ).encode()


class SiteHandler(BaseHTTPRequestHandler):
    bundle: ClassVar[bytes] = b""
    rendered: ClassVar[bool] = False

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/static/vendor.js":
            self._send(self.bundle, "text/javascript")
        elif path == "/static/app.js":
            self._send(APP, "text/javascript")
        elif path.startswith("/api/page/"):
            index = int(path.rsplit("/", 1)[1].split(".")[0])
            self._send(json.dumps(page_content(index)).encode(), "application/json")
        elif path == "/robots.txt" or "sitemap" in path:
            self._send(b"", "text/plain", 404)
        else:
            index = int(path.rsplit("/", 1)[1] or 0) if path.startswith("/m/") else 0
            body = prerendered(index) if self.rendered else SHELL.encode()
            self._send(body, "text/html; charset=utf-8")

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Figures:
    wall: float
    pages: int
    cpu: float
    peak_mib: float


class MemoryPeak:
    """The peak of this process's RSS plus the PSS of its descendants (the browser)."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self.cpu_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> MemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            total = _status_kib(os.getpid(), "VmRSS")
            for pid in _descendants(os.getpid()):
                total += _pss_kib(pid)
                self.cpu_ticks[pid] = _cpu_ticks(pid) or self.cpu_ticks.get(pid, 0)
            self.peak_kib = max(self.peak_kib, total)

    def browser_cpu(self) -> float:
        return sum(self.cpu_ticks.values()) / TICKS


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found.extend([int(child), *_descendants(int(child))])
    except OSError:
        pass
    return found


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


async def crawl(site: str, pages: int, tabs: int | None) -> Figures:
    mode = RenderMode.NEVER if tabs is None else RenderMode.AUTO
    request = ExtractRequest(site, max_pages=pages, render=mode)
    with MemoryPeak() as memory:
        start_cpu = time.process_time()
        start = time.perf_counter()
        async with browser_for(None, OPTIONS, None, None, tabs=tabs or 1) as renderer:
            result = await extract_site(request, options=OPTIONS, renderer=renderer)
            wall = time.perf_counter() - start
            time.sleep(0.1)  # one more sample of the browser's CPU before it closes
        cpu = time.process_time() - start_cpu + memory.browser_cpu()
    return Figures(wall, result.pages_scraped, cpu, memory.peak_kib / 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--bundle-kb", type=int, default=320)
    args = parser.parse_args()
    if find_chromium(None) is None:
        raise SystemExit("no Chromium: apt-get install chromium-headless-shell")
    SiteHandler.bundle = vendor_bundle(args.bundle_kb)
    server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"{args.pages} pages, each loading a {len(SiteHandler.bundle) // 1024} KB bundle:")
    for label, tabs in (("rendered, 1 tab", 1), ("rendered, 4 tabs", 4), ("HTTP only", None)):
        SiteHandler.rendered = tabs is None
        figures = asyncio.run(crawl(site, args.pages, tabs))
        print(
            f"  {label:17} {figures.pages} pages in {figures.wall:5.2f} s: "
            f"{figures.pages / figures.wall:5.1f} pages/s, "
            f"{figures.wall / figures.pages:.3f} s/page, "
            f"CPU {figures.cpu / figures.pages * 1000:6.1f} ms/page, "
            f"peak {figures.peak_mib:5.0f} MiB"
        )
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
