"""Where the CPU work of an extraction runs: each page's parse, and the final assembly.

The crawl mostly waits on the network; turning HTML into documents and documents into
items is CPU work, and on a hostile page it can take minutes inside C code that no thread
can interrupt. :class:`PageWork` is the seam; two implementations:

- :class:`InlinePageWork` runs it on the calling thread: no time limit, and the event loop
  waits meanwhile. For library use and tests of the pure pipeline.
- :class:`PageProcesses` runs it in child processes (:mod:`sitelore.crawl.pagechild`),
  so the event loop stays free to answer HTTP. A page whose work outlasts the page time
  limit fails alone with :class:`~sitelore.errors.PageTimeout`: its process is killed and
  replaced. Cancelling a call (a cancelled job) kills the process working on it, so the
  CPU is free at once. The server and the CLI use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sitelore.core.assemble import Assembled, CrawledPage, assemble
from sitelore.core.document import Document, parse_document
from sitelore.core.globs import PathFilter
from sitelore.core.treecaps import TreeLimits
from sitelore.core.triage import Triage, triage
from sitelore.crawl.pagechild import HEADER, frame
from sitelore.errors import PageTimeout, PageTooComplex, UnreadablePage

log = logging.getLogger("sitelore.pagework")
DEFAULT_PAGE_TIMEOUT = 20.0
# The assembly reads every page again: it gets the page time limit once more per this
# many pages (a 50-page result normally takes ~0.2 s).
PAGES_PER_ASSEMBLY_BUDGET = 10
START_TIMEOUT = 60.0  # a child loads its modules in ~0.2 s; far more means it is stuck


class PageWork(Protocol):
    async def parse(self, html: str, url: str) -> Document:
        """The document of one page; raises :class:`~sitelore.errors.UnreadablePage`."""
        ...

    async def assemble(self, pages: Sequence[CrawledPage]) -> Assembled:
        """The profile and items of the pages (:func:`sitelore.core.assemble.assemble`)."""
        ...

    async def verdicts(self, path_filter: PathFilter, urls: Sequence[str]) -> dict[str, bool]:
        """Whether ``path_filter`` admits each URL's path (:meth:`PathFilter.verdicts`);
        raises :class:`~sitelore.errors.PageTimeout` past the time limit."""
        ...

    async def triage(self, html: str, url: str, status: int, headers: Mapping[str, str]) -> Triage:
        """Whether the page is a bot challenge or a script shell
        (:func:`sitelore.core.triage.triage`); raises
        :class:`~sitelore.errors.UnreadablePage` like :meth:`parse`."""
        ...


class PageWorkFailed(RuntimeError):
    """The assembly failed in a child process (a bug): the job fails with an internal error."""


class InlinePageWork:
    """The work on the calling thread."""

    def __init__(self, limits: TreeLimits | None = None) -> None:
        self.limits = limits or TreeLimits()

    async def parse(self, html: str, url: str) -> Document:
        try:
            return parse_document(html, url, self.limits)
        except UnreadablePage:
            raise
        except Exception as error:  # a page the parser cannot take fails alone, never the job
            raise UnreadablePage(url, error) from error

    async def assemble(self, pages: Sequence[CrawledPage]) -> Assembled:
        return assemble(pages)

    async def verdicts(self, path_filter: PathFilter, urls: Sequence[str]) -> dict[str, bool]:
        return path_filter.verdicts(urls)

    async def triage(self, html: str, url: str, status: int, headers: Mapping[str, str]) -> Triage:
        try:
            return triage(html, url, status, headers, self.limits)
        except UnreadablePage:
            raise
        except Exception as error:  # as parse: a page the code cannot take fails alone
            raise UnreadablePage(url, error) from error


class PageProcesses:
    """The work in up to ``processes`` child processes, started as they are needed.

    Use as an async context manager (or call :meth:`close`): it stops the children.
    """

    def __init__(
        self,
        processes: int = 2,
        page_timeout: float = DEFAULT_PAGE_TIMEOUT,
        limits: TreeLimits | None = None,
    ) -> None:
        self.page_timeout = page_timeout
        self.limits = limits or TreeLimits()
        self._slots = asyncio.Semaphore(max(processes, 1))
        self._idle: list[_Child] = []

    async def __aenter__(self) -> PageProcesses:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for child in idle:
            await child.stop()

    async def parse(self, html: str, url: str) -> Document:
        document: Document = await self._page_call("parse", (html, url, self.limits), url)
        return document

    async def assemble(self, pages: Sequence[CrawledPage]) -> Assembled:
        budget = self.page_timeout * (1 + len(pages) // PAGES_PER_ASSEMBLY_BUDGET)
        where = pages[0].document.url if pages else ""
        status, value = await self._call("assemble", (list(pages),), budget, where)
        if status != "ok":
            raise PageWorkFailed(f"assembling the result failed: {value}")
        assembled: Assembled = value
        return assembled

    async def triage(self, html: str, url: str, status: int, headers: Mapping[str, str]) -> Triage:
        args = (html, url, status, dict(headers), self.limits)
        found: Triage = await self._page_call("triage", args, url)
        return found

    async def _page_call(self, operation: str, args: tuple[Any, ...], url: str) -> Any:
        """One page's work: over the caps, :class:`PageTooComplex`; failed, its cause."""
        status, value = await self._call(operation, args, self.page_timeout, url)
        if status == "too_complex":
            raise PageTooComplex(url, value)
        if status != "ok":
            raise UnreadablePage(url, value)
        return value

    async def verdicts(self, path_filter: PathFilter, urls: Sequence[str]) -> dict[str, bool]:
        where = urls[0] if urls else ""
        args = (path_filter.patterns, list(urls))
        status, value = await self._call("verdicts", args, self.page_timeout, where)
        if status != "ok":
            raise UnreadablePage(where, value)
        judged: dict[str, bool] = value
        return judged

    async def _call(
        self, operation: str, args: tuple[Any, ...], budget: float, url: str
    ) -> tuple[str, Any]:
        async with self._slots:
            child = self._idle.pop() if self._idle else None
            try:
                child = child or await _Child.start()
                answer = await asyncio.wait_for(child.call(operation, args), budget)
            except TimeoutError:
                _kill(child)
                raise PageTimeout(url, budget) from None
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                _kill(child)
                raise UnreadablePage(url, f"its process stopped ({error})") from None
            except BaseException:  # cancelled mid-call: the child's state is unknown
                _kill(child)
                raise
            self._idle.append(child)
            return answer


class _Child:
    """One child process and its pipes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls) -> _Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "sitelore.crawl.pagechild",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        child = cls(process)
        try:
            await asyncio.wait_for(child.receive(), START_TIMEOUT)
        except BaseException:
            child.kill()
            raise
        return child

    async def call(self, operation: str, args: tuple[Any, ...]) -> tuple[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(frame((operation, args)))
        await self.process.stdin.drain()
        return await self.receive()

    async def receive(self) -> tuple[str, Any]:
        assert self.process.stdout is not None
        (size,) = HEADER.unpack(await self.process.stdout.readexactly(HEADER.size))
        answer: tuple[str, Any] = pickle.loads(await self.process.stdout.readexactly(size))
        return answer

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    async def stop(self) -> None:
        """End of input: the child exits; kill it if it does not within a second."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 1.0)
        except TimeoutError:
            self.kill()
            await self.process.wait()


def _kill(child: _Child | None) -> None:
    if child is not None:
        child.kill()
