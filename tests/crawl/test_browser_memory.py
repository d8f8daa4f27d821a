"""A hundred renders keep the browser's memory flat: every page's context is disposed of and
the browser is replaced after ``restart_after`` pages. Memory is the anonymous and shared-memory
proportional set size (PSS) of the browser's whole process tree (see ``pss_kib``)."""

from __future__ import annotations

import asyncio

from tests.browserkit import pss_kib, renderer, serve_spa
from tests.webserver import WebServer

RENDERS = 100
BATCH = 20
TABS = 4
GROWTH = 1.5


def test_memory_stays_flat_over_a_hundred_renders(web: WebServer) -> None:
    url = serve_spa(web)

    async def scenario() -> list[int]:
        after_batch: list[int] = []
        async with renderer(web, tabs=TABS) as rendering:
            for _batch in range(RENDERS // BATCH):
                pages = await asyncio.gather(*(rendering.render(url) for _ in range(BATCH)))
                assert all("Team plan: 29 EUR a month" in page.html for page in pages)
                pid = rendering.browser_pid
                assert pid is not None
                after_batch.append(pss_kib(pid))
        return after_batch

    memory = asyncio.run(scenario())
    first, last = memory[0], memory[-1]
    assert first > 0
    assert last <= first * GROWTH, f"PSS grew from {first} KiB to {last} KiB: {memory}"
