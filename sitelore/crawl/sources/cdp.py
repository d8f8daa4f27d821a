"""A small Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

The browser reads commands on its fd 3 and writes answers and events on its fd 4, each
message a JSON object ended by a NUL byte. No TCP debug port is opened, so nothing else on
the machine can drive the browser.

:func:`launch` starts a headless Chromium and returns a :class:`Browser`: send commands with
:meth:`Browser.send` (to the browser, or to a target's ``session``), receive a session's
events through the handler given to :meth:`Browser.listen`. When the browser dies (its pipe
ends) every pending and later call fails with :class:`BrowserGone`.

With ``confined`` (the default) the browser gets no network of its own: a dead proxy, a
host resolver that resolves nothing and WebRTC without UDP. The renderer fulfils every
request itself (CDP ``Fetch``); these flags are the backstop for what ``Fetch`` cannot see
(WebSockets, preconnects, WebRTC) and for any request it would miss.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from typing import Any

__all__ = ["Browser", "BrowserGone", "CDPError", "EventHandler", "browser_flags", "launch"]

EventHandler = Callable[[str, dict[str, Any]], None]
START_TIMEOUT = 30.0  # it answers in ~0.1 s; far more means it is stuck
CLOSE_TIMEOUT = 2.0
STDERR_TAIL = 2_000
_PR_SET_PDEATHSIG = 1
# Looked up once in the parent: between fork and exec the child must not load libraries.
try:
    _PRCTL: Callable[..., int] | None = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _PRCTL = None
_READ_FD, _WRITE_FD = 3, 4  # the browser's ends, fixed by Chromium
# The dead proxy: the discard port on loopback. Nothing listens there, and a discard service
# that did would only swallow the bytes.
DEAD_PROXY = "127.0.0.1:9"

QUIET_FLAGS = (
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB, too little for tabs
    "--disable-gpu",
    "--mute-audio",
    "--hide-scrollbars",
    "--password-store=basic",
    "--use-mock-keychain",
    "--block-new-web-contents",  # window.open makes no page (it would not be intercepted)
    "--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider",
)
CONFINED_FLAGS = (
    f"--proxy-server={DEAD_PROXY}",
    # Chromium never proxies loopback unless told to: "<-loopback>" removes that exception,
    # so even 127.0.0.1 goes to the dead proxy.
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)


class CDPError(RuntimeError):
    """The browser answered a command with an error."""

    def __init__(self, method: str, error: dict[str, Any]) -> None:
        super().__init__(f"{method}: {error.get('message', 'error')} ({error.get('code')})")
        self.method = method


class BrowserGone(RuntimeError):
    """The browser process ended (crashed, killed or closed); its calls cannot complete."""


def browser_flags(user_data_dir: str, *, confined: bool) -> list[str]:
    """The command line options of a browser launched by :func:`launch`."""
    flags = ["--headless", "--remote-debugging-pipe", f"--user-data-dir={user_data_dir}"]
    flags += QUIET_FLAGS
    if confined:
        flags += CONFINED_FLAGS
    if os.geteuid() == 0:
        # Chromium refuses to start its sandbox as root (CI containers run as root). The
        # sandbox is kept for every other user; the page still gets no network (above).
        flags.append("--no-sandbox")
    return flags


async def launch(executable: str, *, confined: bool = True) -> Browser:
    """Start ``executable`` headless, connected over the pipe; it answers before this returns.

    Raises ``OSError`` when the file cannot be run, :class:`BrowserGone` when it does not start.
    """
    user_data_dir = tempfile.mkdtemp(prefix="sitelore-chromium-")
    try:
        browser = await _spawn(executable, browser_flags(user_data_dir, confined=confined))
    except BaseException:
        shutil.rmtree(user_data_dir, ignore_errors=True)
        raise
    browser.user_data_dir = user_data_dir
    try:
        await asyncio.wait_for(browser.send("Browser.getVersion"), START_TIMEOUT)
    except (TimeoutError, BrowserGone, CDPError) as error:
        await browser.close()
        raise BrowserGone(f"the browser did not start ({error}){browser.stderr_tail()}") from None
    except BaseException:
        await browser.close()
        raise
    return browser


async def _spawn(executable: str, flags: list[str]) -> Browser:
    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()
    # The child's ends are copied to fd 10 or above, so that moving them onto 3 and 4 in the
    # child never overwrites one with the other (os.pipe may have returned 3 or 4).
    child_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD_CLOEXEC, 10)
    child_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(to_browser_read)
    os.close(from_browser_write)

    def in_child() -> None:
        # Between fork and exec: only system calls, no lock another thread could hold.
        os.dup2(child_read, _READ_FD)
        os.dup2(child_write, _WRITE_FD)
        # The kernel kills the browser when the thread that started it ends, so a crashed
        # sitelore leaves no browser behind (as sitelore.crawl.pagechild does).
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)

    try:
        process = await asyncio.create_subprocess_exec(
            executable,
            *flags,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            # close_fds runs after preexec_fn: 3 and 4 must be named to survive it.
            pass_fds=(_READ_FD, _WRITE_FD),
            preexec_fn=in_child,
            # Its own process group: closing kills the renderers and helpers with it.
            start_new_session=True,
        )
    except BaseException:
        for fd in (to_browser_write, from_browser_read):
            os.close(fd)
        raise
    finally:
        os.close(child_read)
        os.close(child_write)
    browser = Browser(process)
    try:
        await browser.connect(from_browser_read, to_browser_write)
    except BaseException:
        browser.kill()
        await process.wait()
        raise
    return browser


class _Pipe(asyncio.Protocol):
    """Splits the browser's output into messages; tells the browser when it ends."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\0")) >= 0:
            message = bytes(self.buffer[:end])
            del self.buffer[: end + 1]
            self.browser.dispatch(json.loads(message))

    def connection_lost(self, exc: Exception | None) -> None:
        self.browser.gone("its pipe closed")


class Browser:
    """One browser process and its DevTools pipe (see the module docstring)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.user_data_dir: str | None = None
        self._writer: asyncio.WriteTransport | None = None
        self._reader: asyncio.ReadTransport | None = None
        self._next_id = 0
        self._pending: dict[int, tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        self._handlers: dict[str | None, EventHandler] = {}
        self._gone: str | None = None
        self.dead = asyncio.Event()
        self._stderr: bytes = b""
        self._watchers: list[asyncio.Task[None]] = []

    @property
    def pid(self) -> int:
        """The browser process's id (also its process group's id)."""
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self._gone is None

    async def connect(self, read_fd: int, write_fd: int) -> None:
        loop = asyncio.get_running_loop()
        self._reader, _ = await loop.connect_read_pipe(
            lambda: _Pipe(self), os.fdopen(read_fd, "rb", buffering=0)
        )
        self._writer, _ = await loop.connect_write_pipe(
            asyncio.Protocol, os.fdopen(write_fd, "wb", buffering=0)
        )
        self._watchers = [
            asyncio.create_task(self._watch_exit()),
            asyncio.create_task(self._read_stderr()),
        ]

    def listen(self, session: str | None, handler: EventHandler) -> None:
        """Give the events of ``session`` (None: the browser's own) to ``handler``."""
        self._handlers[session] = handler

    def forget(self, session: str) -> None:
        self._handlers.pop(session, None)

    async def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Run one command and return its result; :class:`CDPError`, :class:`BrowserGone`."""
        if self._gone is not None or self._writer is None:
            raise BrowserGone(f"the browser stopped ({self._gone or 'not connected'})")
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = (method, future)
        self._writer.write(json.dumps(message).encode() + b"\0")
        try:
            return await future
        finally:
            self._pending.pop(message["id"], None)

    def dispatch(self, message: dict[str, Any]) -> None:
        """Route one message from the browser: an answer to its caller, an event to its handler."""
        if "id" in message:
            method, future = self._pending.pop(message["id"], ("", None))
            if future is None or future.done():
                return
            if "error" in message:
                future.set_exception(CDPError(method, message["error"]))
            else:
                future.set_result(message.get("result", {}))
            return
        handler = self._handlers.get(message.get("sessionId"))
        if handler is not None:
            handler(message.get("method", ""), message.get("params", {}))

    def gone(self, reason: str) -> None:
        """The browser cannot answer any more: fail every pending call with ``reason``."""
        if self._gone is not None:
            return
        self._gone = reason
        self.dead.set()
        pending, self._pending = self._pending, {}
        for _method, future in pending.values():
            if not future.done():
                future.set_exception(BrowserGone(f"the browser stopped ({reason})"))

    def stderr_tail(self) -> str:
        """The end of what the browser printed, to explain a failed start."""
        text = self._stderr.decode("utf-8", "replace").strip()
        return f": {text[-STDERR_TAIL:]}" if text else ""

    async def close(self) -> None:
        """Ask the browser to quit, kill its process group if it lingers, remove its profile."""
        if self._gone is None:
            with contextlib.suppress(BrowserGone, CDPError, TimeoutError):
                await asyncio.wait_for(self.send("Browser.close"), CLOSE_TIMEOUT)
        self.gone("closed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), CLOSE_TIMEOUT)
        self.kill()
        await self.process.wait()
        for transport in (self._writer, self._reader):
            if transport is not None:
                transport.close()
        for task in self._watchers:
            task.cancel()
        if self.user_data_dir is not None:
            shutil.rmtree(self.user_data_dir, ignore_errors=True)

    def kill(self) -> None:
        """Kill the browser and every process it started (its process group)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    async def _watch_exit(self) -> None:
        code = await self.process.wait()
        self.gone(f"its process exited with status {code}")
        # Its renderers and helpers may outlive a crashed browser process for a moment.
        self.kill()

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(4096):
            self._stderr = (self._stderr + chunk)[-STDERR_TAIL:]
