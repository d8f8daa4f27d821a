"""Helpers for the dashboard tests: gates that hold a fixture page back, a proxy that cuts a
connection mid-stream, a page's console, a logo image and the screenshots folder.

Nothing here stands in for a sitelore component: the browser talks to a real API server
over TCP, and the server crawls the real test web server.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
from playwright.sync_api import ConsoleMessage, Page, ViewportSize

from tests.apikit import ApiServer, Key
from tests.webserver import Request, Response, WebServer, serve_folder

T = TypeVar("T")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


def off_loop(work: Callable[[], T]) -> T:
    """``work()`` in another thread: Playwright's sync API keeps an event loop running in
    this one, so code that calls ``asyncio.run`` (the store helpers) must run elsewhere."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@dataclass
class Dashboard:
    """A running API server with a key, and the fixture sites it crawls."""

    server: ApiServer
    key: Key
    data_dir: Path
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.server.url}/ui/"

    def client(self) -> httpx.Client:
        client = httpx.Client(
            base_url=self.server.url, headers={"x-api-key": self.key.key}, trust_env=False
        )
        self.clients.append(client)
        return client


def sign_in(
    page: Page, dashboard: Dashboard, key: str | None = None, *, url: str | None = None
) -> None:
    """Open the dashboard (at ``url``, e.g. through a proxy) and sign in with ``key`` (the
    dashboard's own by default)."""
    page.goto(url or dashboard.url)
    page.get_by_label("API key").fill(key or dashboard.key.key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="New extraction", level=1).wait_for()


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG image of one colour (a fixture site's logo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class Gate:
    """Holds back the fixture pages routed through it until :meth:`open` (at most 30 s):
    a test sees the job mid-way for as long as it needs, whatever the machine's speed."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self.waiting = threading.Semaphore(0)  # released once per request held

    def open(self) -> None:
        self._open.set()

    def held(self, answer: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            self.waiting.release()
            self._open.wait(30)
            return answer(request)

        return handler


def hold_folder_page(web: WebServer, host: str, root: Path, path: str, gate: Gate) -> None:
    """Serve ``path`` of the folder site ``root`` on ``host`` only once ``gate`` opens."""
    web.add_route(host, path, gate.held(lambda request: serve_folder(root, request)))


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 in front of ``upstream_port``. Once :meth:`arm` is called,
    the next answer bytes that hold ``marker`` are passed on and then the connection is
    closed in both directions: a real mid-stream drop, as a flaky network or proxy makes.
    What clients sent is kept in :attr:`sent` (request lines and headers)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._marker: bytes | None = None
        self.cuts = 0
        self.sent: list[bytes] = []
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arm(self, marker: bytes) -> None:
        with self._lock:
            self._marker = marker

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, answers: bool) -> None:
        try:
            while data := source.recv(65536):
                if not answers:
                    with self._lock:
                        self.sent.append(data)
                sink.sendall(data)
                if answers and self._take_cut(data):
                    break
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def _take_cut(self, data: bytes) -> bool:
        with self._lock:
            if self._marker is None or self._marker not in data:
                return False
            self._marker = None
            self.cuts += 1
            return True

    def requests_with(self, text: str) -> list[str]:
        """The request heads sent through the proxy that contain ``text`` (any case)."""
        with self._lock:
            heads = [chunk.split(b"\r\n\r\n", 1)[0].decode("latin-1") for chunk in self.sent]
        return [head for head in heads if text.lower() in head.lower()]

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()


@dataclass
class Console:
    """The errors a page reported: console errors and uncaught exceptions.

    Chromium logs every non-2xx answer of fetch() as "Failed to load resource"; a test
    that provokes one says so with :meth:`expect` (a status, or a part of the message,
    and a part of the URL).
    """

    errors: list[str] = field(default_factory=list)
    expected: list[tuple[str, str]] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        return page

    def expect(self, what: int | str, url_part: str) -> None:
        self.expected.append((f"status of {what} " if isinstance(what, int) else what, url_part))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if any(text in message.text and part in url for text, part in self.expected):
            return
        self.errors.append(f"{message.text} ({url})")


def shoot(page: Page, name: str) -> Path:
    """A screenshot of the page's first screen in :data:`SCREENSHOTS`, named after the
    screen, the colour scheme and the width (``jobs-dark-390.png``)."""
    scheme = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    width = page.viewport_size["width"] if page.viewport_size else 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{'dark' if scheme else 'light'}-{width}.png"
    page.screenshot(path=str(path), animations="disabled")
    return path


JOB_HASH = re.compile(r"#/jobs/(job_[\w-]+)$")


def extract(page: Page, url: str, *, max_pages: int = 5, explain: bool = False) -> str:
    """Fill in and send the New extraction form; the job's id once the page names it."""
    page.get_by_role("link", name="New extraction").first.click()
    page.get_by_label("Website URL").fill(url)
    page.get_by_label("Max pages").fill(str(max_pages))
    page.get_by_label("Explain").set_checked(explain)
    page.get_by_role("button", name="Extract").click()
    page.wait_for_url(JOB_HASH)
    found = JOB_HASH.search(page.url)
    assert found is not None, page.url
    return found.group(1)


def wait_result(page: Page) -> None:
    """Wait until the job view shows the result (the job completed)."""
    page.locator("#job-result h2").wait_for(timeout=30_000)
