"""The knowledge store on PostgreSQL, on the job store's pool (its transactions and errors).

A class of its own beside :class:`~sitelore.jobs.postgres.PostgresStore` (which it borrows
connections from), so that neither grows past a readable size. A save takes a
transaction-scoped advisory lock on its owner and domain: two jobs of one site finishing
at once save one after the other. Search builds its ``tsquery`` from the parsed query's
terms, one ``phraseto_tsquery`` per term joined with ``&&``: the user's text is only ever
a parameter, never query syntax (no ``to_tsquery`` on it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from psycopg.rows import DictRow

from sitelore.core.query import Term, can_match, parse_query
from sitelore.jobs.knowledge import (
    MAX_TOTAL,
    DomainSummary,
    PreviousItems,
    SearchHit,
    SearchResult,
    StoredItem,
    StoredKnowledge,
    check_limit,
    decode_domain_cursor,
    encode_domain_cursor,
    item_row,
    items_from_json,
    items_to_json,
    profile_from_json,
    profile_to_json,
    scores,
    site_domain,
    stored_item,
    stored_items,
)
from sitelore.jobs.pgsql import NOW, Connection
from sitelore.jobs.postgres import PostgresStore
from sitelore.models import ExtractResult, ItemCategory

ITEM_COLUMNS = "id, title, description, content, category, source, job_id"
HEADLINE = '\'StartSel="**", StopSel="**", MaxWords=35, MinWords=15, MaxFragments=1\''
SITE = "owner = %(owner)s AND domain = %(domain)s"
MATCHES = (
    "FROM sitelore_knowledge_items AS i, q WHERE i.search @@ q.query AND i.owner = %(owner)s "
    "AND (%(domain)s::text IS NULL OR i.domain = %(domain)s) "
    "AND (%(category)s::text IS NULL OR i.category = %(category)s)"
)


def ranked_sql(tsquery: str) -> str:
    """The best ``limit`` matches with the number of all of them, in one pass: the matches'
    ids and ranks are kept aside (narrow rows), counted, and only the best are joined back
    to their items for their text and headline (scanning and rechecking the matches twice,
    once to rank and once to count, cost twice the time)."""
    return (
        f"WITH q AS (SELECT {tsquery} AS query), "
        "m AS MATERIALIZED (SELECT i.id, i.seq, ts_rank_cd(i.search, q.query) AS rank "
        f"{MATCHES}), "
        "best AS (SELECT m.id, m.seq, m.rank, (SELECT count(*) FROM m) AS total FROM m "
        "ORDER BY m.rank DESC, m.seq LIMIT %(limit)s) "
        "SELECT i.id, i.title, i.content, i.category, i.source, i.domain, best.rank, best.total, "
        f"ts_headline('sitelore_fold', i.content, q.query, {HEADLINE}) AS snippet "
        "FROM best JOIN sitelore_knowledge_items AS i ON i.id = best.id, q "
        "ORDER BY best.rank DESC, best.seq"
    )


class KnowledgePostgres:
    """:class:`~sitelore.jobs.knowledge.KnowledgeStore` on a :class:`PostgresStore`'s pool."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    async def save_knowledge(
        self,
        owner: str,
        result: ExtractResult,
        *,
        scraped_pages: Sequence[str] | None,
        job_id: str,
    ) -> None:
        domain = site_domain(result)
        items = stored_items(owner, domain, result.knowledge_items, job_id)
        site_args = {"owner": owner, "domain": domain, "job": job_id}
        async with self.store._connection() as connection:
            await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%(owner)s || '/' || %(domain)s, 0))",
                site_args,
            )
            site = await _fetch_one(
                connection, f"SELECT job_id FROM sitelore_knowledge_sites WHERE {SITE}", site_args
            )
            if site is not None:
                await _keep_previous(connection, owner, domain, site["job_id"])
            await _drop_replaced(connection, owner, domain, scraped_pages)
            async with connection.cursor() as cursor:
                await cursor.executemany(
                    "INSERT INTO sitelore_knowledge_items (id, owner, domain, job_id, category, "
                    "title, description, content, source) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                    "%s, %s) ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id",
                    [item_row(owner, domain, item) for item in items],
                )
            # A partial job saw a few pages only: the profile of a full crawl stays.
            keep_profile = scraped_pages is not None and site is not None
            await connection.execute(
                "INSERT INTO sitelore_knowledge_sites (owner, domain, profile, job_id, "
                f"updated_at) VALUES (%(owner)s, %(domain)s, %(profile)s, %(job)s, {NOW}) "
                "ON CONFLICT (owner, domain) DO UPDATE SET profile = CASE WHEN %(keep)s "
                "THEN sitelore_knowledge_sites.profile ELSE excluded.profile END, "
                "job_id = excluded.job_id, updated_at = excluded.updated_at",
                site_args
                | {"profile": json.dumps(profile_to_json(result.business)), "keep": keep_profile},
            )

    async def list_domains(
        self, owner: str, limit: int, cursor: str | None
    ) -> tuple[list[DomainSummary], str | None]:
        after = decode_domain_cursor(cursor) if cursor else ""
        rows = await self.store._all(
            "SELECT s.domain, s.profile, s.job_id, s.updated_at, (SELECT count(*) FROM "
            "sitelore_knowledge_items AS i WHERE i.owner = s.owner AND i.domain = s.domain) "
            "AS n FROM sitelore_knowledge_sites AS s WHERE s.owner = %(owner)s "
            'AND s.domain COLLATE "C" > %(after)s '
            'ORDER BY s.domain COLLATE "C" LIMIT %(limit)s',
            {"owner": owner, "after": after, "limit": limit + 1},
        )
        summaries = [
            DomainSummary(
                row["domain"],
                json.loads(row["profile"])["name"],
                int(row["n"]),
                row["job_id"],
                row["updated_at"],
            )
            for row in rows[:limit]
        ]
        more = len(rows) > limit
        return summaries, encode_domain_cursor(summaries[-1].domain) if more else None

    async def get_knowledge(self, owner: str, domain: str) -> StoredKnowledge | None:
        args = {"owner": owner, "domain": domain}
        async with self.store._connection() as connection:
            site = await _fetch_one(
                connection,
                f"SELECT profile, job_id, updated_at FROM sitelore_knowledge_sites WHERE {SITE}",
                args,
            )
            if site is None:
                return None
            items = await _items(connection, owner, domain)
        profile = profile_from_json(json.loads(site["profile"]))
        return StoredKnowledge(domain, profile, items, site["job_id"], site["updated_at"])

    async def previous_items(self, owner: str, domain: str) -> PreviousItems | None:
        row = await self.store._one(
            f"SELECT job_id, items, replaced_at FROM sitelore_knowledge_previous WHERE {SITE}",
            {"owner": owner, "domain": domain},
        )
        if row is None:
            return None
        items = items_from_json(json.loads(row["items"]))
        return PreviousItems(domain, row["job_id"], items, row["replaced_at"])

    async def delete_knowledge(self, owner: str, domain: str) -> bool:
        row = await self.store._one(
            f"WITH items AS (DELETE FROM sitelore_knowledge_items WHERE {SITE}), "
            f"previous AS (DELETE FROM sitelore_knowledge_previous WHERE {SITE}), "
            f"sites AS (DELETE FROM sitelore_knowledge_sites WHERE {SITE} RETURNING 1) "
            "SELECT count(*) AS n FROM sites",
            {"owner": owner, "domain": domain},
        )
        return row is not None and int(row["n"]) > 0

    async def search(
        self,
        owner: str,
        query: str,
        *,
        domain: str | None = None,
        category: ItemCategory | None = None,
        limit: int = 10,
    ) -> SearchResult:
        check_limit(limit)
        terms = parse_query(query)
        if not can_match(terms):
            return SearchResult((), 0, query)
        tsquery, args = pg_tsquery(terms)
        args |= {
            "owner": owner,
            "domain": domain,
            "category": None if category is None else category.value,
            "limit": limit,
        }
        async with self.store._connection() as connection:
            cursor = await connection.execute(ranked_sql(tsquery), args)
            rows = await cursor.fetchall()
        hits = tuple(
            SearchHit(
                row["id"],
                row["title"],
                row["content"],
                ItemCategory(row["category"]),
                row["source"],
                score,
                row["domain"],
                row["snippet"],
            )
            for row, score in zip(rows, scores([float(row["rank"]) for row in rows]), strict=True)
        )
        total = min(int(rows[0]["total"]), MAX_TOTAL) if rows else 0
        return SearchResult(hits, total, query)


def pg_tsquery(terms: Sequence[Term]) -> tuple[str, dict[str, Any]]:
    """The ``tsquery`` expression of ``terms`` (all required, each a phrase of its words)
    and its parameters: the words are bound, never spliced into the SQL."""
    args = {f"t{n}": " ".join(term) for n, term in enumerate(terms)}
    pieces = [f"phraseto_tsquery('sitelore_fold', %({name})s)" for name in args]
    return " && ".join(pieces), args


async def _fetch_one(connection: Connection, sql: str, args: dict[str, Any]) -> DictRow | None:
    cursor = await connection.execute(sql, args)
    return await cursor.fetchone()


async def _items(connection: Connection, owner: str, domain: str) -> tuple[StoredItem, ...]:
    cursor = await connection.execute(
        f"SELECT {ITEM_COLUMNS} FROM sitelore_knowledge_items WHERE {SITE} ORDER BY seq",
        {"owner": owner, "domain": domain},
    )
    return tuple(stored_item(row, row["job_id"]) for row in await cursor.fetchall())


async def _keep_previous(connection: Connection, owner: str, domain: str, job_id: str) -> None:
    """The domain's current item set becomes its previous one (replacing the older)."""
    items = json.dumps(items_to_json(await _items(connection, owner, domain)))
    await connection.execute(
        "INSERT INTO sitelore_knowledge_previous (owner, domain, job_id, items, replaced_at) "
        f"VALUES (%(owner)s, %(domain)s, %(job)s, %(items)s, {NOW}) "
        "ON CONFLICT (owner, domain) DO UPDATE SET job_id = excluded.job_id, "
        "items = excluded.items, replaced_at = excluded.replaced_at",
        {"owner": owner, "domain": domain, "job": job_id, "items": items},
    )


async def _drop_replaced(
    connection: Connection, owner: str, domain: str, scraped_pages: Sequence[str] | None
) -> None:
    """Delete the items a save replaces: all of the domain's, or those of ``scraped_pages``."""
    only_pages = "" if scraped_pages is None else " AND source = ANY(%(pages)s)"
    await connection.execute(
        f"DELETE FROM sitelore_knowledge_items WHERE {SITE}{only_pages}",
        {"owner": owner, "domain": domain, "pages": list(scraped_pages or [])},
    )
