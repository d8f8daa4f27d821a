"""HostLimiter: per-host concurrency and spacing of request starts (orders and counts only)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from sitelore.crawl.politeness import HostLimiter

# asyncio timers may fire up to one clock tick early; allow for it in spacing checks.
TICK = 1e-3


async def run_requests(
    limiter: HostLimiter, hosts: list[str], hold: int = 3
) -> tuple[list[tuple[int, float]], dict[str, int]]:
    """Run one task per entry of ``hosts``; return (start order with times, peak concurrency)."""
    starts: list[tuple[int, float]] = []
    active: dict[str, int] = dict.fromkeys(hosts, 0)
    peak: dict[str, int] = dict.fromkeys(hosts, 0)
    loop = asyncio.get_running_loop()

    async def request(number: int, host: str) -> None:
        async with limiter.slot(host):
            starts.append((number, loop.time()))
            active[host] += 1
            peak[host] = max(peak[host], active[host])
            for _ in range(hold):  # stay inside long enough for others to try to enter
                await asyncio.sleep(0)
            active[host] -= 1

    await asyncio.gather(*(request(n, host) for n, host in enumerate(hosts)))
    return starts, peak


@pytest.mark.parametrize("concurrency", [1, 2, 3])
def test_concurrency_per_host(concurrency: int) -> None:
    _, peak = asyncio.run(run_requests(HostLimiter(concurrency), ["a.test"] * 8))
    assert peak == {"a.test": concurrency}


def test_hosts_are_independent() -> None:
    limiter = HostLimiter(1)
    _, peak = asyncio.run(run_requests(limiter, ["a.test", "b.test"] * 3))

    async def both_at_once() -> bool:
        async with limiter.slot("a.test"), limiter.slot("b.test"):
            return True

    assert peak == {"a.test": 1, "b.test": 1}
    assert asyncio.run(both_at_once())


def test_host_names_are_case_insensitive() -> None:
    _, peak = asyncio.run(run_requests(HostLimiter(1), ["A.test", "a.TEST", "a.test"]))
    assert max(peak.values()) == 1


def test_starts_are_spaced_by_the_delay_in_arrival_order() -> None:
    limiter = HostLimiter(4)
    limiter.set_delay("slow.test", 0.05)
    starts, _ = asyncio.run(run_requests(limiter, ["slow.test"] * 5))
    assert [number for number, _ in starts] == [0, 1, 2, 3, 4]
    gaps = [later - earlier for (_, earlier), (_, later) in itertools.pairwise(starts)]
    assert all(gap >= 0.05 - TICK for gap in gaps)


def test_default_delay_and_override() -> None:
    limiter = HostLimiter(2, default_delay=0.02)
    limiter.set_delay("FAST.test", 0)
    assert (limiter.delay("fast.test"), limiter.delay("other.test")) == (0, 0.02)
    starts, _ = asyncio.run(run_requests(limiter, ["other.test"] * 3))
    assert starts[2][1] - starts[0][1] >= 0.04 - 2 * TICK


def test_fifo_with_one_slot() -> None:
    starts, peak = asyncio.run(run_requests(HostLimiter(1), ["a.test"] * 6, hold=5))
    assert [number for number, _ in starts] == list(range(6))
    assert peak == {"a.test": 1}


def test_a_failing_request_frees_its_slot() -> None:
    limiter = HostLimiter(1)

    async def go() -> str:
        with pytest.raises(RuntimeError):
            async with limiter.slot("a.test"):
                raise RuntimeError("boom")
        async with asyncio.timeout(5):  # would hang forever if the slot leaked
            async with limiter.slot("a.test"):
                return "free"

    assert asyncio.run(go()) == "free"


@pytest.mark.parametrize(("concurrency", "delay"), [(0, 0.0), (1, -1.0)])
def test_invalid_settings(concurrency: int, delay: float) -> None:
    with pytest.raises(ValueError):
        HostLimiter(concurrency, delay)


def test_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError):
        HostLimiter(1).set_delay("a.test", -0.1)


def test_a_new_delay_applies_to_the_next_start() -> None:
    limiter = HostLimiter(1)

    async def go() -> float:
        loop = asyncio.get_running_loop()
        async with limiter.slot("a.test"):
            first = loop.time()
        limiter.set_delay("a.test", 0.05)
        async with limiter.slot("a.test"):
            return loop.time() - first

    assert asyncio.run(go()) >= 0.05 - TICK
