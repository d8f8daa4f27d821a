"""A real local web server for crawl tests: virtual hosts, folder sites, programmable routes.

One ``ThreadingHTTPServer`` on 127.0.0.1 (port 0) in a daemon thread. The site is picked by
the ``Host`` header, or by the authority of an absolute-form request line, so the server is
also a plain-HTTP forward proxy. Sites are folders (GitHub-Pages mapping) or routes::

    server = WebServer().start()
    server.add_site("acme.test", Path("tests/sites/tiny"))
    server.add_alias("www.acme.test", "acme.test")
    server.add_route("acme.test", "/slow", lambda req: Response(body=[b"a", Pause(5), b"b"]))
    fetcher = Fetcher(CrawlOptions(), resolver=server.resolver())

:class:`StaticResolver` maps the test hostnames to the server and refuses everything else,
so a test can never reach beyond loopback, even when the code under test is wrong.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

__all__ = [
    "LoggedRequest",
    "Pause",
    "Request",
    "Response",
    "StaticResolver",
    "WebServer",
    "html",
    "redirect",
]

_CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".xml": "application/xml",
    ".txt": "text/plain", ".gz": "application/gzip", ".pdf": "application/pdf",
    ".json": "application/json", ".css": "text/css", ".js": "text/javascript",
    ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml",
}  # fmt: skip
_NOT_FOUND = b"<!doctype html><title>Not found</title><h1>404 Not Found</h1>\n"
_HANDLER_SOCKET_TIMEOUT = 10.0


@dataclass(frozen=True)
class Request:
    """What a route handler sees. ``target`` is path + query; header names are lower case."""

    method: str
    host: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""
    absolute_form: bool = False

    @property
    def path(self) -> str:
        """The path, without the query."""
        return self.target.split("?", 1)[0]


@dataclass(frozen=True)
class Pause:
    """Inside a body iterator: wait this long before the next chunk (cut short by reset)."""

    seconds: float


@dataclass(frozen=True)
class Response:
    """A route's answer. ``body`` is bytes, or an iterable of bytes and :class:`Pause`.

    An iterable body is sent chunked (unless a Content-Length is given, which may lie) and
    the connection is closed afterwards. ``delay`` holds back the status line itself.
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes | Pause] = b""
    delay: float = 0.0


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class LoggedRequest:
    """One request as received: host (port stripped, lower case), target, headers, ..."""

    host: str
    path: str
    headers: Mapping[str, str]
    method: str
    absolute_form: bool


def html(text: str, status: int = 200, *, charset: str | None = "utf-8") -> Response:
    """An HTML response: ``charset`` is declared in the header and encodes the text.

    ``None`` declares nothing and encodes as UTF-8.
    """
    content_type = "text/html" if charset is None else f"text/html; charset={charset}"
    body = text.encode(charset or "utf-8")
    return Response(status, {"Content-Type": content_type}, body)


def redirect(location: str, status: int = 301) -> Response:
    """A redirect to ``location`` (sent as given, so it may be relative)."""
    return Response(status, {"Location": location, "Content-Type": "text/html"}, b"moved\n")


def split_host(authority: str) -> str:
    """``ACME.test:8080`` → ``acme.test``; ``[::1]:80`` → ``[::1]``."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        return authority.split("]", 1)[0] + "]"
    return authority.rsplit(":", 1)[0].rstrip(".") if ":" in authority else authority.rstrip(".")


class StaticResolver:
    """A :class:`~sitelore.crawl.transport.Resolver` over a fixed (or live) host table.

    Known hostnames (any port) go to their mapped loopback address; anything else raises
    ``socket.gaierror``, which the transport reports as "Could not resolve host". Returning
    a non-loopback address is a bug in the test setup and raises ``AssertionError``.
    ``mapping`` is read on every lookup, so a dict that grows later is honoured.
    """

    def __init__(self, mapping: Mapping[str, tuple[str, int]]) -> None:
        self._mapping = mapping
        self.lookups: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """The mapped loopback address of ``host``; ``gaierror`` for unknown hosts."""
        self.lookups.append((host, port))
        target = self._mapping.get(host.lower().rstrip("."))
        if target is None:
            raise socket.gaierror(socket.EAI_NONAME, f"unknown test host {host}")
        if not ipaddress.ip_address(target[0]).is_loopback:
            raise AssertionError(f"test resolver must only return loopback, got {target[0]}")
        return [target]


class WebServer:
    """The test web server; see the module docstring. Thread-safe; reusable after reset()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sites: dict[str, Path] = {}
        self._aliases: dict[str, str] = {}
        self._routes: dict[tuple[str, str], Handler] = {}
        self._log: list[LoggedRequest] = []
        self._addresses: dict[str, tuple[str, int]] = {}
        self._wake = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(target=self._serve, name="test-web-server", daemon=True)
        self.reset()

    @property
    def port(self) -> int:
        """The TCP port the server listens on (127.0.0.1)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: also the URL to use as an HTTP proxy."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebServer:
        """Start serving in a daemon thread; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake every handler that is sleeping."""
        self._wake.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every site, alias, route and logged request; cut short pending sleeps."""
        with self._lock:
            self._wake.set()
            self._wake = threading.Event()
            self._sites.clear()
            self._aliases.clear()
            self._routes.clear()
            self._log.clear()
            self._addresses.clear()
            for host in ("127.0.0.1", "localhost"):
                self._addresses[host] = ("127.0.0.1", self.port)

    def add_site(self, host: str, root: Path) -> None:
        """Serve the folder ``root`` as ``host``."""
        if not root.is_dir():
            raise ValueError(f"site root {root} is not a folder")
        with self._lock:
            self._sites[self._know(host)] = root.resolve()

    def add_alias(self, alias: str, host: str) -> None:
        """Serve ``host``'s site and routes under the name ``alias`` too."""
        with self._lock:
            self._aliases[self._know(alias)] = host.lower()
            self._know(host)

    def add_host(self, host: str) -> None:
        """Have the resolver send ``host`` here without serving anything on it (e.g. a proxy)."""
        with self._lock:
            self._know(host)

    def add_route(self, host: str, path: str, handler: Handler | Response) -> None:
        """Answer ``path`` (without query; ``"*"`` = any path) on ``host`` with ``handler``."""
        answer: Handler = (lambda _req: handler) if isinstance(handler, Response) else handler
        with self._lock:
            self._routes[(self._know(host), path)] = answer

    def resolver(self) -> StaticResolver:
        """A resolver sending every host known to this server (now or later) to it."""
        return StaticResolver(self._addresses)

    @property
    def requests(self) -> tuple[LoggedRequest, ...]:
        """Every request received since the last reset, in arrival order."""
        with self._lock:
            return tuple(self._log)

    def paths(self, host: str | None = None) -> list[str]:
        """The targets requested (of ``host`` only, if given), in arrival order."""
        return [r.path for r in self.requests if host is None or r.host == host.lower()]

    def count(self, path: str, host: str | None = None) -> int:
        """How many times ``path`` (target) was requested."""
        return self.paths(host).count(path)

    def sleep(self, seconds: float) -> None:
        """Block a handler thread for ``seconds``, unless the server is reset or stopped first."""
        with self._lock:
            wake = self._wake
        wake.wait(seconds)

    def _know(self, host: str) -> str:
        name = host.lower()
        self._addresses[name] = ("127.0.0.1", self.port)
        return name

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)

    def record(self, request: Request) -> None:
        """Add ``request`` to the log."""
        entry = LoggedRequest(
            request.host, request.target, request.headers, request.method, request.absolute_form
        )
        with self._lock:
            self._log.append(entry)

    def dispatch(self, request: Request) -> Response:
        """The response for ``request`` (route, else folder site, else 502 unknown host)."""
        self.record(request)
        with self._lock:
            host = self._aliases.get(request.host, request.host)
            route = self._routes.get((host, request.path)) or self._routes.get((host, "*"))
            root = self._sites.get(host)
        if route is not None:
            return route(request)
        if root is not None:
            return serve_folder(root, request)
        return Response(502, {"Content-Type": "text/plain"}, f"no site {request.host}\n".encode())


def serve_folder(root: Path, request: Request) -> Response:
    """GitHub-Pages mapping: ``/`` → index.html, ``/a/`` → a/index.html, ``/a`` → a, a.html,
    or 301 to ``/a/`` for a folder; otherwise the site's 404.html (or a short page), status 404."""
    path = unquote(request.path)
    target = (root / path.lstrip("/")).resolve()
    if target != root and root not in target.parents:
        return _not_found(root)
    if path.endswith("/"):
        return _file(target / "index.html") or _not_found(root)
    found = _file(target) or _file(target.with_name(target.name + ".html"))
    if found is not None:
        return found
    if target.is_dir():
        query = request.target[len(request.path) :]
        return redirect(request.path + "/" + query)
    return _not_found(root)


def _file(path: Path, status: int = 200) -> Response | None:
    if not path.is_file():
        return None
    content_type = _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return Response(status, {"Content-Type": content_type}, path.read_bytes())


def _not_found(root: Path) -> Response:
    page = _file(root / "404.html", status=404)
    return page or Response(404, {"Content-Type": "text/html"}, _NOT_FOUND)


class _QuietServer(ThreadingHTTPServer):
    """Handler threads never block shutdown, and a client hanging up is not an error."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _make_handler(server: WebServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = _HANDLER_SOCKET_TIMEOUT  # a client that hangs must not pin a thread forever

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except OSError:  # the client hung up mid-response: fine, it is allowed to
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._answer()

        do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

        def do_CONNECT(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            server.record(Request("CONNECT", split_host(self.path), self.path, headers))
            self._send(Response(501, {"Content-Type": "text/plain"}, b"no CONNECT here\n"))

        def _answer(self) -> None:
            try:
                response = server.dispatch(self._request())
            except Exception as exc:  # a broken test handler: say so instead of hanging up
                traceback.print_exc()
                response = Response(500, {"Content-Type": "text/plain"}, repr(exc).encode())
            self._send(response)

        def _request(self) -> Request:
            parts = urlsplit(self.path)
            absolute = parts.scheme in ("http", "https") and bool(parts.netloc)
            authority = parts.netloc if absolute else self.headers.get("Host", "")
            if absolute:
                target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            else:
                target = self.path
            headers = {name.lower(): value for name, value in self.headers.items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            return Request(self.command, split_host(authority), target, headers, body, absolute)

        def _send(self, response: Response) -> None:
            if response.delay > 0:
                server.sleep(response.delay)
            self.send_response(response.status)
            names = {name.lower() for name in response.headers}
            for name, value in response.headers.items():
                self.send_header(name, value)
            if isinstance(response.body, bytes):
                self._send_bytes(response.body, names)
            else:
                self._send_stream(response.body, names)

        def _send_bytes(self, body: bytes, names: set[str]) -> None:
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _send_stream(self, body: Iterable[bytes | Pause], names: set[str]) -> None:
            chunked = "content-length" not in names and "transfer-encoding" not in names
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            if self.command == "HEAD":
                return
            for part in body:
                if isinstance(part, Pause):
                    server.sleep(part.seconds)
                elif part:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")

    return _Handler


def closed_port() -> int:
    """A loopback port nothing listens on (bound, read, closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
