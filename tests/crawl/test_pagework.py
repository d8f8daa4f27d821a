"""The page work in child processes: the same documents as on the calling thread, a time
limit that stops even C code, and a cancel that frees the CPU at once."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from sitelore.core.assemble import CrawledPage, assemble
from sitelore.core.globs import PathFilter
from sitelore.core.treecaps import TreeLimits
from sitelore.crawl.pagework import InlinePageWork, PageProcesses
from sitelore.errors import PageTimeout, PageTooComplex, UnreadablePage
from tests.sitekit import nested, page_html, prose

URL = "http://work.test/"
# 150,000 nested <div>s: over a minute of parsing in C, when the depth cap is lifted.
HOSTILE = nested(150_000)
NO_CAPS = TreeLimits(max_elements=10**9, max_depth=10**9)


def children() -> set[int]:
    """The page processes this test process is running now."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"sitelore.crawl.pagechild" in command:
            found.add(int(entry.name))
    return found


def wait_until_gone(pids: set[int], within: float = 10.0) -> set[int]:
    deadline = time.monotonic() + within
    while pids & children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids & children()


def test_a_child_gives_the_document_and_result_the_thread_would() -> None:
    html = page_html("Acme pricing", prose("Plans and prices"))

    async def run() -> None:
        async with PageProcesses(processes=1) as work:
            document = await work.parse(html, URL)
            inline = await InlinePageWork().parse(html, URL)
            # Containers are keyed by node addresses, which differ from process to process.
            assert [b.markdown for b in document.blocks] == [b.markdown for b in inline.blocks]
            assert (document.metadata, document.links) == (inline.metadata, inline.links)
            page = CrawledPage(document, is_start=True)
            assert await work.assemble([page]) == assemble([page])

    asyncio.run(run())


def test_a_page_over_the_time_limit_fails_alone_and_the_next_one_is_parsed() -> None:
    async def run() -> None:
        async with PageProcesses(processes=1, page_timeout=1.0, limits=NO_CAPS) as work:
            with pytest.raises(PageTimeout, match="longer than the 1s page time limit"):
                await work.parse(HOSTILE, URL + "deep")
            assert wait_until_gone(children()) == set()  # the stuck process was killed
            document = await work.parse(page_html("Next", "<p>next page</p>"), URL)
            assert document.title.startswith("Next")

    asyncio.run(run())


def test_a_cancel_kills_the_process_working_for_it() -> None:
    async def run() -> None:
        async with PageProcesses(processes=1, page_timeout=600.0, limits=NO_CAPS) as work:
            call = asyncio.create_task(work.parse(HOSTILE, URL))
            while not children():
                await asyncio.sleep(0.05)
            busy = children()
            await asyncio.sleep(0.5)  # the request is in the child, parsing
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            assert await asyncio.to_thread(wait_until_gone, busy) == set()

    asyncio.run(run())


def test_the_tree_caps_hold_in_the_child() -> None:
    async def run() -> None:
        async with PageProcesses(processes=1) as work:
            with pytest.raises(PageTooComplex, match="5,000 deep"):
                await work.parse(HOSTILE, URL)

    asyncio.run(run())


def test_a_child_that_dies_fails_its_page_and_is_replaced() -> None:
    async def run() -> None:
        async with PageProcesses(processes=1, limits=NO_CAPS) as work:
            call = asyncio.create_task(work.parse(HOSTILE, URL))
            while not children():
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            for pid in children():
                os.kill(pid, 9)
            with pytest.raises(UnreadablePage, match="its process stopped"):
                await call
            back = await work.parse(page_html("Back", "<p>back</p>"), URL)
            assert back.title.startswith("Back")

    asyncio.run(run())


def test_closing_stops_every_child() -> None:
    async def run() -> None:
        work = PageProcesses(processes=2)
        await asyncio.gather(*(work.parse(page_html("P", "<p>x</p>"), URL) for _ in range(4)))
        assert children()
        await work.close()
        assert children() == set()

    asyncio.run(run())


def test_patterns_are_matched_in_a_child_as_on_the_thread() -> None:
    path_filter = PathFilter(["/blog/**", "/docs/*/intro"], ["/blog/drafts/**"])
    urls = [URL + path for path in ("blog/a", "blog/drafts/x", "docs/v2/intro", "about", "")]

    async def run() -> dict[str, bool]:
        async with PageProcesses(processes=1) as work:
            return await work.verdicts(path_filter, urls)

    judged = asyncio.run(run())
    assert judged == {"/blog/a": True, "/blog/drafts/x": False, "/docs/v2/intro": True,
                      "/about": False, "/": False}  # fmt: skip
    assert judged == asyncio.run(InlinePageWork().verdicts(path_filter, urls))
