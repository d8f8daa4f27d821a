"""Search at scale: ``--items`` generated knowledge items stored under one key, then
``POST /v1/search`` through a real ``sitelore serve`` on each backend, p50/p99 for three
kinds of query: a rare word (in under 1 % of the items), a two-word phrase, and a word in a
third of the items.

The items are sentences built from a fixed vocabulary (a deterministic generator), spread
over 100 sites. PostgreSQL runs in a schema of its own on
``SITELORE_TEST_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
dropped afterwards.

    python bench/search.py [--items 100000] [--requests 200] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from api import start_api
from benchkit import stop

from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.store import JobStore, split_key
from sitelore.models import BusinessProfile, ExtractResult, ItemCategory, KnowledgeItem
from sitelore.runtime.backends import open_store
from sitelore.settings import Settings

SITES = 100
COMMON = "scheduling"  # in a third of the items
RARE = "ombudsman"  # in 0.5 % of them
PHRASE = "route optimisation"  # as a phrase in 5 %
WORDS = [
    "crew", "invoice", "quote", "van", "technician", "customer", "booking", "calendar",
    "reminder", "payment", "card", "report", "dashboard", "export", "import", "team", "office",
    "branch", "contract", "warranty", "repair", "service", "install", "maintenance", "boiler",
    "heating", "plumbing", "electric", "roof", "window", "garden", "cleaning",
]  # fmt: skip
CATEGORIES = [ItemCategory.FEATURE, ItemCategory.PRICING, ItemCategory.FAQ, ItemCategory.ABOUT]
QUERIES = {"a rare word": RARE, "a two-word phrase": f'"{PHRASE}"', "a common word": COMMON}


def sentence(rng: random.Random, index: int) -> str:
    words = rng.choices(WORDS, k=24)
    if index % 3 == 0:
        words.insert(rng.randrange(len(words)), COMMON)
    if index % 200 == 0:
        words.insert(rng.randrange(len(words)), RARE)
    if index % 20 == 0:
        words[5:5] = PHRASE.split()
    return " ".join(words).capitalize() + "."


def site_result(site: int, items: int, rng: random.Random) -> ExtractResult:
    domain = f"site{site}.example"
    knowledge = tuple(
        KnowledgeItem(
            title=f"{WORDS[(site + n) % len(WORDS)].title()} {n}",
            description="",
            content=sentence(rng, site * items + n),
            category=CATEGORIES[n % len(CATEGORIES)],
            source=f"https://{domain}/page{n // 10}",
        )
        for n in range(items)
    )
    business = BusinessProfile(f"Site {site}", domain, "Technology", "", None)
    now = datetime.now(UTC)
    return ExtractResult(business, knowledge, items // 10, items // 10, now, now)


async def fill(settings: Settings, owner: str, items: int) -> float:
    store: JobStore = await open_store(settings)
    knowledge: KnowledgeStore = store.knowledge()
    rng = random.Random(7)
    start = time.perf_counter()
    try:
        for site in range(SITES):
            result = site_result(site, items // SITES, rng)
            await knowledge.save_knowledge(owner, result, scraped_pages=None, job_id=f"j{site}")
    finally:
        await store.close()
    return time.perf_counter() - start


def latencies(base: str, key: str, query: str, count: int) -> tuple[list[float], int]:
    times = []
    total = 0
    with httpx.Client(base_url=base, headers={"x-api-key": key}, timeout=60) as client:
        for _ in range(count):
            start = time.perf_counter()
            response = client.post("/v1/search", json={"query": query, "limit": 10})
            times.append(time.perf_counter() - start)
            response.raise_for_status()
            total = response.json()["total"]
    return sorted(times), total


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))]


def run_backend(name: str, env: dict[str, str], args: Any) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ.update(env)  # for `sitelore keys create` and the store opened here
        server, base, key = start_api(data_dir, env)
        try:
            owner = (split_key(key) or ("", ""))[0]
            settings = Settings.from_env(os.environ, data_dir=Path(data_dir))
            took = asyncio.run(fill(settings, owner, args.items))
            print(f"{name}: {args.items:,} items stored in {took:.1f} s")
            for kind, query in QUERIES.items():
                times, total = latencies(base, key, query, args.requests)
                print(
                    f"  {kind:18} {query!r:24} matches {total:>6,}: "
                    f"p50 {percentile(times, 0.5) * 1000:6.1f} ms, "
                    f"p99 {percentile(times, 0.99) * 1000:6.1f} ms"
                )
        finally:
            stop(server)
            for variable in env:
                os.environ.pop(variable, None)


def postgres_schema() -> tuple[str, str]:
    import psycopg

    url = os.environ.get("SITELORE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = "bench_" + secrets.token_hex(6)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return url, schema


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], action="append")
    args = parser.parse_args()
    for backend in args.backend or ["sqlite", "postgres"]:
        if backend == "sqlite":
            run_backend("SQLite", {}, args)
            continue
        import psycopg

        from sitelore.jobs.pgschema import upgrade

        url, schema = postgres_schema()
        conninfo = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        try:
            upgrade(conninfo)
            run_backend("PostgreSQL", {"SITELORE_DATABASE_URL": conninfo}, args)
        finally:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(f"DROP SCHEMA {schema} CASCADE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
