"""Helpers for the browser tests: the Chromium to use, an "internal service" that logs every
contact, the guarded client a renderer fetches with, and the memory of a browser.

The browser tests never skip: without Chromium they fail, naming the install command.
:class:`InternalService` listens on 127.0.0.2 (on ``lo`` by default, and refused by the
test policy, which allows 127.0.0.1 only) and records every TCP accept, HTTP request line
and UDP datagram, so a test can assert that nothing at all reached it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

import httpx
import pytest

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.sources.browser import BrowserSettings, Renderer, find_chromium
from sitelore.crawl.transport import build_client
from sitelore.errors import BrowserUnavailable
from tests.sitekit import OPTIONS
from tests.webserver import Response, WebServer

INTERNAL_HOST = "127.0.0.2"
SECRET = "INTERNAL-SECRET-CONTENT"
_BODY = f"<p>{SECRET}</p>".encode()
ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nAccess-Control-Allow-Origin: *\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(_BODY), _BODY)
)


def chromium() -> str:
    """The Chromium the tests launch; fails the test (never skips) when there is none."""
    found = find_chromium(None)
    if found is None:
        pytest.fail(BrowserUnavailable.MESSAGE)
    return found


def settings(**changes: float) -> BrowserSettings:
    """Settings for tests: the real browser, the defaults, ``changes`` applied."""
    values: dict[str, float] = {"tabs": 4, "page_timeout": 20.0, "settle_cap": 5.0}
    values.update(changes)
    return BrowserSettings(
        chromium(),
        tabs=int(values["tabs"]),
        page_timeout=values["page_timeout"],
        settle_cap=values["settle_cap"],
        restart_after=int(values.get("restart_after", 100)),
    )


def guarded_client(web: WebServer, *other_ports: int) -> httpx.AsyncClient:
    """The crawl client a renderer gets: the guard allows 127.0.0.1 only, on the web
    server's port and ``other_ports`` (so the port rule never hides an address leak)."""
    ports = ",".join(str(port) for port in (web.port, *other_ports))
    policy = NetworkPolicy.from_strings("127.0.0.1/32", ports)
    return build_client(OPTIONS, policy=policy)


class InternalService:
    """Logs every TCP accept, HTTP request line and UDP datagram on 127.0.0.2:``port``;
    answers HTTP requests with a page marked :data:`SECRET`."""

    def __init__(self) -> None:
        self.tcp, self.udp = _bind_pair()
        self.port = int(self.tcp.getsockname()[1])
        self.url = f"http://{INTERNAL_HOST}:{self.port}"
        self.accepts: list[tuple[str, int]] = []
        self.requests: list[str] = []
        self.datagrams: list[bytes] = []
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._accept, daemon=True),
            threading.Thread(target=self._receive, daemon=True),
        ]

    def __enter__(self) -> InternalService:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.tcp.close()
        self.udp.close()

    def contacts(self) -> list[str]:
        """Everything that reached the service, in words."""
        with self._lock:
            return (
                [f"TCP accept from {host}:{port}" for host, port in self.accepts]
                + [f"HTTP {line}" for line in self.requests]
                + [f"UDP datagram of {len(data)} bytes" for data in self.datagrams]
            )

    def paths(self) -> set[str]:
        """The paths of the HTTP requests received."""
        with self._lock:
            return {line.split(" ")[1] for line in self.requests if line.count(" ") >= 1}

    def _accept(self) -> None:
        while True:
            try:
                connection, peer = self.tcp.accept()
            except OSError:
                return
            with self._lock:
                self.accepts.append(peer[:2])
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(2.0)
            head = b""
            try:
                while b"\r\n\r\n" not in head and len(head) < 65_536:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                if head:
                    with self._lock:
                        self.requests.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
                    connection.sendall(ANSWER)
            except OSError:
                pass

    def _receive(self) -> None:
        while True:
            try:
                data, _peer = self.udp.recvfrom(65_536)
            except OSError:
                return
            with self._lock:
                self.datagrams.append(data)


def _bind_pair() -> tuple[socket.socket, socket.socket]:
    """A listening TCP socket and a UDP socket on the same port of 127.0.0.2."""
    for _attempt in range(20):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind((INTERNAL_HOST, 0))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind((INTERNAL_HOST, tcp.getsockname()[1]))
        except OSError:
            tcp.close()
            udp.close()
            continue
        tcp.listen(64)
        return tcp, udp
    raise RuntimeError("no port free for both TCP and UDP on 127.0.0.2")


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process in its process group (the browser starts its own)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pid:  # the process group id
            members.append(int(entry.name))
    return members


def pss_kib(pid: int) -> int:
    """The anonymous and shared-memory part of the proportional set size of the browser's
    processes, in KiB (pages shared among them counted once).

    File-backed pages (the browser's code) are left out: they cannot leak, and their share
    moves with every other process mapping the same binary (another browser on the machine
    starting or exiting shifts it by tens of MiB), which would make growth a false alarm.
    """
    total = 0
    for member in process_tree(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith(("Pss_Anon:", "Pss_Shmem:")):
                total += int(line.split()[1])
    return total


@contextlib.asynccontextmanager
async def renderer(web: WebServer, **changes: float) -> AsyncIterator[Renderer]:
    """A confined renderer with the test settings, and its guarded client, closed after."""
    client = guarded_client(web)
    try:
        async with Renderer(settings(**changes), client) as rendering:
            yield rendering
    finally:
        await client.aclose()


SPA_SHELL = """<!doctype html><html><head><title>Loading…</title>
<script src="/app.js" defer></script></head>
<body><div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript>
</body></html>"""
# Builds the page in steps: a timer, an XHR (answered late), a second XHR, another timer.
SPA_SCRIPT = """
const root = document.getElementById("root");
const get = (url) => new Promise((done) => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", url);
  xhr.onload = () => done(JSON.parse(xhr.responseText));
  xhr.send();
});
setTimeout(async () => {
  const site = await get("/api/site.json");
  document.title = site.name;
  root.innerHTML = "<h1>" + site.name + "</h1><nav>" +
    site.pages.map((page) => '<a href="' + page + '">' + page + "</a>").join(" ") + "</nav>";
  const pricing = await get("/api/pricing.json");
  const list = document.createElement("ul");
  for (const plan of pricing.plans) {
    const item = document.createElement("li");
    item.textContent = plan;
    list.appendChild(item);
  }
  root.appendChild(list);
  setTimeout(() => {
    const note = document.createElement("p");
    note.textContent = "Support answers within one business day.";
    root.appendChild(note);
  }, 60);
}, 50);
"""
SITE_JSON = b'{"name": "Nimbus Ledger", "pages": ["/features", "/pricing", "/about"]}'
PRICING_JSON = b'{"plans": ["Starter plan: 9 EUR a month", "Team plan: 29 EUR a month"]}'


def serve_spa(web: WebServer, host: str = "127.0.0.1") -> str:
    """A client-rendered site (every path gets the shell, as SPA hosts do); its URL."""
    script = SPA_SCRIPT.encode()
    web.add_route(host, "*", Response(200, {"Content-Type": "text/html"}, SPA_SHELL.encode()))
    web.add_route(host, "/app.js", Response(200, {"Content-Type": "text/javascript"}, script))
    web.add_route(host, "/api/site.json", _json(SITE_JSON, delay=0.15))
    web.add_route(host, "/api/pricing.json", _json(PRICING_JSON, delay=0.1))
    return f"{web.url}/"


def _json(body: bytes, delay: float) -> Response:
    return Response(200, {"Content-Type": "application/json"}, body, delay=delay)
