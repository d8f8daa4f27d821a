"""Pages rendered by a headless Chromium, behind the crawl's network guard.

A :class:`Renderer` runs one browser (started on the first render) and renders up to
``tabs`` pages at once, each in a fresh browser context that is disposed of afterwards, so
no cookie, storage or service worker passes from one page to the next. The browser is
replaced after ``restart_after`` pages (its memory stays bounded) and after a crash (the
next render starts a new one). Each page has ``page_timeout`` seconds; past it, its tab
and context are torn down and the page fails with :class:`~sitelore.errors.RenderError`.

The browser has no network of its own: every request of every page is paused and fetched
through the crawl's guarded client (:mod:`sitelore.crawl.sources.browsernet`), and the
launch flags leave it nowhere else to go (:mod:`sitelore.crawl.sources.cdp`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

import httpx

from sitelore.crawl.sources.browsernet import BrowserNetwork
from sitelore.crawl.sources.cdp import Browser, BrowserGone, CDPError, launch
from sitelore.crawl.sources.tab import Tab, TabFailed
from sitelore.errors import BrowserUnavailable, RenderError

__all__ = ["BrowserSettings", "Rendered", "Renderer", "find_chromium"]

T = TypeVar("T")

# Where Chromium is looked for, in order, after SITELORE_CHROMIUM. /usr/bin/chromium is
# never used: on Debian it is a shell script that adds flags from /etc/chromium.d.
INSTALLED = (
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium-headless-shell",
    "/usr/lib/chromium/chromium",
)
ON_PATH = ("chromium", "google-chrome")
WRAPPER = "/usr/bin/chromium"
VIEWPORT = (1280, 800)


@dataclass(frozen=True)
class BrowserSettings:
    """How pages are rendered. ``max_page_bytes`` caps each response a page loads and the
    rendered HTML (the crawl's per-page cap)."""

    executable: str
    tabs: int = 4  # pages rendered at once
    page_timeout: float = 20.0  # a page's render budget
    restart_after: int = 100  # pages, then a fresh browser (bounded memory)
    settle_cap: float = 5.0  # max wait for the network and DOM to go quiet
    max_page_bytes: int = 5 * 1024 * 1024


@dataclass(frozen=True)
class Rendered:
    """A rendered page: its HTML once settled, the URL it ended at, the document's status
    (0 when the browser fetched the document itself, in the unconfined test mode)."""

    url: str
    final_url: str
    html: str
    status: int


@dataclass
class _Instance:
    """One running browser and the renders it serves."""

    browser: Browser
    served: int = 0
    active: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)


class Renderer:
    """Renders pages in a headless Chromium (see the module docstring).

    ``client`` is the crawl's guarded client (``build_client(options, resolver,
    policy=policy)``); every request of the browser is fetched with it. ``confined=False``
    exists ONLY for the network-guard test's positive control: the browser then uses its
    own network and nothing is intercepted. Never use it for real pages.
    Use as an async context manager, or call :meth:`close`.
    """

    def __init__(
        self, settings: BrowserSettings, client: httpx.AsyncClient, *, confined: bool = True
    ) -> None:
        self.settings = settings
        self.confined = confined
        self.network = BrowserNetwork(client, settings.max_page_bytes)
        self.launches = 0
        self._slots = asyncio.Semaphore(max(settings.tabs, 1))
        self._lock = asyncio.Lock()
        self._current: _Instance | None = None
        self._closed = False

    @property
    def browser_pid(self) -> int | None:
        """The running browser's process id (its process group's too), if one runs."""
        current = self._current
        return current.browser.pid if current and current.browser.alive else None

    async def __aenter__(self) -> Renderer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def render(
        self,
        url: str,
        *,
        html: str | None = None,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
    ) -> Rendered:
        """Render ``url``: its HTML once scripts have run and the page has settled.

        With ``html`` (the document already fetched over HTTP, and ``url`` its final URL)
        the page's document is served from it instead of being fetched again. Raises
        :class:`RenderError`, a :class:`~sitelore.errors.FetchError` when the document
        itself cannot be fetched, :class:`BrowserUnavailable` when no browser starts.
        """
        document = None
        if html is not None:
            document = (html.encode("utf-8"), _as_utf8(content_type), status)

        async def work(tab: Tab) -> Rendered:
            await tab.load(url, document)
            await tab.settle(self.settings.settle_cap)
            page, final_url = await tab.snapshot()
            if len(page.encode("utf-8")) > self.settings.max_page_bytes:
                cap = self.settings.max_page_bytes
                raise TabFailed(f"the rendered page is over the {cap}-byte cap")
            return Rendered(url, final_url, page, status if document else tab.status)

        return await self._in_tab(url, work, VIEWPORT, pictures=False)

    async def screenshot(self, url: str, *, width: int = 1280, height: int = 800) -> bytes:
        """A PNG of ``url``'s first ``width`` × ``height`` pixels, once the page has settled.
        Images and fonts are fetched for it (through the same guarded client)."""

        async def work(tab: Tab) -> bytes:
            await tab.load(url)
            await tab.settle(self.settings.settle_cap)
            return await tab.screenshot()

        return await self._in_tab(url, work, (width, height), pictures=True)

    async def close(self) -> None:
        """Stop the browser; renders still running fail with :class:`RenderError`."""
        async with self._lock:
            self._closed = True
            current, self._current = self._current, None
        if current is not None:
            await current.browser.close()

    async def _in_tab(
        self,
        url: str,
        work: Callable[[Tab], Awaitable[T]],
        size: tuple[int, int],
        *,
        pictures: bool,
    ) -> T:
        async with self._slots:
            instance = await self._checkout()
            network = self.network if self.confined else None
            tab = Tab(instance.browser, network, pictures=pictures)
            try:
                async with asyncio.timeout(self.settings.page_timeout):
                    await tab.open(*size)
                    return await work(tab)
            except TimeoutError:
                limit = self.settings.page_timeout
                raise RenderError(
                    url, f"it took longer than the {limit:g}s page time limit"
                ) from None
            except (BrowserGone, TabFailed) as error:
                raise RenderError(url, str(error)) from None
            except CDPError as error:
                raise RenderError(url, f"the browser refused a command ({error})") from None
            finally:
                await self._release(instance, tab)

    async def _checkout(self) -> _Instance:
        """The browser to render on: a new one after a crash or ``restart_after`` pages
        (once the renders still on the old one have ended)."""
        async with self._lock:
            if self._closed:
                raise RuntimeError("the renderer is closed")
            current = self._current
            if current is not None and (
                not current.browser.alive or current.served >= self.settings.restart_after
            ):
                self._current = None
                if current.browser.alive and current.active:
                    await current.idle.wait()
                await current.browser.close()
            if self._current is None:
                self._current = _Instance(await self._launch())
            self._current.served += 1
            self._current.active += 1
            self._current.idle.clear()
            return self._current

    async def _release(self, instance: _Instance, tab: Tab) -> None:
        try:
            await tab.close()
        except TimeoutError:  # the browser does not answer: kill it, the next render replaces it
            instance.browser.kill()
        finally:
            instance.active -= 1
            if instance.active == 0:
                instance.idle.set()

    async def _launch(self) -> Browser:
        executable = self.settings.executable
        try:
            browser = await launch(executable, confined=self.confined)
        except OSError as error:
            raise BrowserUnavailable(
                f"{executable} cannot be run: {error.strerror or error}"
            ) from None
        except BrowserGone as error:
            raise BrowserUnavailable(f"{executable}: {error}") from None
        self.launches += 1
        return browser


def find_chromium(configured: str | None) -> str | None:
    """The Chromium to launch: ``configured`` (SITELORE_CHROMIUM) as given, else the first
    one installed (see :data:`INSTALLED`, :data:`ON_PATH`); None when there is none."""
    if configured:
        return shutil.which(configured) or configured
    for path in INSTALLED:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    for name in ON_PATH:
        found = shutil.which(name)
        if found is not None and os.path.realpath(found) != WRAPPER:
            return found
    return None


def _as_utf8(content_type: str) -> str:
    """The content type of HTML handed over as text: it is sent as UTF-8."""
    mime = content_type.split(";", 1)[0].strip() or "text/html"
    return f"{mime}; charset=utf-8"
