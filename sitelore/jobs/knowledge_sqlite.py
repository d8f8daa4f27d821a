"""The knowledge store on the embedded SQLite file, beside the jobs (same file, same thread).

It is a class of its own rather than more methods of :class:`~sitelore.jobs.sqlite.
SQLiteStore`, sharing the store's :class:`~sitelore.jobs.sqlitefile.SQLiteFile`: every call
is one transaction on the file's single connection, as the job store's are. Search runs on
FTS5 (see :mod:`sitelore.jobs.knowledge_sqlschema`): each term of the parsed query is one
double-quoted FTS5 string, so the user's text never reaches FTS5's query syntax.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence

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
from sitelore.jobs.sqlitefile import SQLiteFile
from sitelore.models import ExtractResult, ItemCategory

ITEM_COLUMNS = "id, title, description, content, category, source, job_id"
SNIPPET = "snippet(knowledge_fts, 1, '**', '**', '…', 24)"
BM25 = "bm25(knowledge_fts, 3.0, 1.0)"  # a word in the title counts three times one in content
# The index is read first (CROSS JOIN keeps SQLite from scanning every item of the owner
# and asking the index about each), then each match's row is filtered.
MATCHES = (
    f"FROM (SELECT rowid, -{BM25} AS rank FROM knowledge_fts WHERE knowledge_fts MATCH :match) "
    "AS f CROSS JOIN knowledge_items AS i ON i.seq = f.rowid WHERE i.owner = :owner "
    "AND (:domain IS NULL OR i.domain = :domain) AND (:category IS NULL OR i.category = :category)"
)
# The best matches and the number of all of them, in one pass: the matches' rows and ranks
# are kept aside (narrow rows) and counted, and only the best are joined back to their items
# for their text (matching, ranking and filtering twice, to rank and to count, cost twice).
RANKED = (
    f"WITH m AS MATERIALIZED (SELECT i.seq AS seq, f.rank AS rank {MATCHES}), "
    "best AS (SELECT seq, rank, (SELECT count(*) FROM m) AS total FROM m "
    "ORDER BY rank DESC, seq LIMIT :limit) "
    "SELECT i.id, i.title, i.content, i.category, i.source, i.domain, i.seq, best.rank, "
    "best.total FROM best CROSS JOIN knowledge_items AS i ON i.seq = best.seq "
    "ORDER BY best.rank DESC, best.seq"
)
# The snippet of one hit (snippet() reads the index's match, so it is asked per hit: only
# the hits answered pay for it).
HIT_SNIPPET = (
    f"SELECT {SNIPPET} FROM knowledge_fts WHERE knowledge_fts MATCH :match AND rowid = :row"
)


class KnowledgeSQLite:
    """:class:`~sitelore.jobs.knowledge.KnowledgeStore` on the job store's SQLite file."""

    def __init__(self, file: SQLiteFile, clock: Callable[[], float] = time.time) -> None:
        self.file = file
        self._clock = clock

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
        profile = json.dumps(profile_to_json(result.business))
        now = self._clock()

        def save(db: sqlite3.Connection) -> None:
            site = db.execute(
                "SELECT job_id FROM knowledge_sites WHERE owner = ? AND domain = ?",
                (owner, domain),
            ).fetchone()
            if site is not None:
                _keep_previous(db, owner, domain, site["job_id"], now)
            _drop_replaced(db, owner, domain, scraped_pages)
            db.executemany(
                "INSERT INTO knowledge_items (id, owner, domain, job_id, category, title, "
                "description, content, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id",
                [item_row(owner, domain, item) for item in items],
            )
            # A partial job saw a few pages only: the profile of a full crawl stays.
            keep_profile = scraped_pages is not None and site is not None
            db.execute(
                "INSERT INTO knowledge_sites (owner, domain, profile, job_id, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner, domain) DO UPDATE SET "
                "profile = CASE WHEN ? THEN profile ELSE excluded.profile END, "
                "job_id = excluded.job_id, updated_at = excluded.updated_at",
                (owner, domain, profile, job_id, now, keep_profile),
            )

        await self.file.run(save)

    async def list_domains(
        self, owner: str, limit: int, cursor: str | None
    ) -> tuple[list[DomainSummary], str | None]:
        after = decode_domain_cursor(cursor) if cursor else ""

        def read(db: sqlite3.Connection) -> list[sqlite3.Row]:
            return db.execute(
                "SELECT s.domain, s.profile, s.job_id, s.updated_at, (SELECT count(*) FROM "
                "knowledge_items AS i WHERE i.owner = s.owner AND i.domain = s.domain) AS n "
                "FROM knowledge_sites AS s WHERE s.owner = ? AND s.domain > ? "
                "ORDER BY s.domain LIMIT ?",
                (owner, after, limit + 1),
            ).fetchall()

        rows = await self.file.run(read)
        summaries = [
            DomainSummary(
                row["domain"],
                json.loads(row["profile"])["name"],
                row["n"],
                row["job_id"],
                row["updated_at"],
            )
            for row in rows[:limit]
        ]
        more = len(rows) > limit
        return summaries, encode_domain_cursor(summaries[-1].domain) if more else None

    async def get_knowledge(self, owner: str, domain: str) -> StoredKnowledge | None:
        def read(db: sqlite3.Connection) -> StoredKnowledge | None:
            site = db.execute(
                "SELECT profile, job_id, updated_at FROM knowledge_sites "
                "WHERE owner = ? AND domain = ?",
                (owner, domain),
            ).fetchone()
            if site is None:
                return None
            items = _items(db, owner, domain)
            profile = profile_from_json(json.loads(site["profile"]))
            return StoredKnowledge(domain, profile, items, site["job_id"], site["updated_at"])

        return await self.file.run(read)

    async def previous_items(self, owner: str, domain: str) -> PreviousItems | None:
        def read(db: sqlite3.Connection) -> sqlite3.Row | None:
            return db.execute(  # type: ignore[no-any-return]
                "SELECT job_id, items, replaced_at FROM knowledge_previous "
                "WHERE owner = ? AND domain = ?",
                (owner, domain),
            ).fetchone()

        row = await self.file.run(read)
        if row is None:
            return None
        items = items_from_json(json.loads(row["items"]))
        return PreviousItems(domain, row["job_id"], items, row["replaced_at"])

    async def delete_knowledge(self, owner: str, domain: str) -> bool:
        def delete(db: sqlite3.Connection) -> bool:
            args = (owner, domain)
            db.execute("DELETE FROM knowledge_items WHERE owner = ? AND domain = ?", args)
            db.execute("DELETE FROM knowledge_previous WHERE owner = ? AND domain = ?", args)
            gone = db.execute("DELETE FROM knowledge_sites WHERE owner = ? AND domain = ?", args)
            return gone.rowcount > 0

        return await self.file.run(delete)

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
        args = {
            "match": fts_match(terms),
            "owner": owner,
            "domain": domain,
            "category": None if category is None else category.value,
            "limit": limit,
        }

        def find(db: sqlite3.Connection) -> tuple[list[sqlite3.Row], list[str], int]:
            rows = db.execute(RANKED, args).fetchall()
            snippets = [
                db.execute(HIT_SNIPPET, {"match": args["match"], "row": row["seq"]}).fetchone()[0]
                for row in rows
            ]
            return rows, snippets, min(int(rows[0]["total"]), MAX_TOTAL) if rows else 0

        rows, snippets, total = await self.file.run(find)
        hits = tuple(
            SearchHit(
                row["id"],
                row["title"],
                row["content"],
                ItemCategory(row["category"]),
                row["source"],
                score,
                row["domain"],
                snippet,
            )
            for row, snippet, score in zip(
                rows, snippets, scores([row["rank"] for row in rows]), strict=True
            )
        )
        return SearchResult(hits, total, query)


def fts_match(terms: Sequence[Term]) -> str:
    """The FTS5 query of ``terms``: each a double-quoted string (a phrase when it has several
    words), all required. Words hold letters and digits only: nothing in them is syntax."""
    return " AND ".join('"' + " ".join(term).replace('"', '""') + '"' for term in terms)


def _items(db: sqlite3.Connection, owner: str, domain: str) -> tuple[StoredItem, ...]:
    rows = db.execute(
        f"SELECT {ITEM_COLUMNS} FROM knowledge_items WHERE owner = ? AND domain = ? ORDER BY seq",
        (owner, domain),
    ).fetchall()
    return tuple(stored_item(row, row["job_id"]) for row in rows)


def _keep_previous(
    db: sqlite3.Connection, owner: str, domain: str, job_id: str, now: float
) -> None:
    """The domain's current item set becomes its previous one (replacing the older)."""
    items = json.dumps(items_to_json(_items(db, owner, domain)))
    db.execute(
        "INSERT OR REPLACE INTO knowledge_previous (owner, domain, job_id, items, replaced_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (owner, domain, job_id, items, now),
    )


def _drop_replaced(
    db: sqlite3.Connection, owner: str, domain: str, scraped_pages: Sequence[str] | None
) -> None:
    """Delete the items a save replaces: all of the domain's, or those of ``scraped_pages``."""
    if scraped_pages is None:
        db.execute("DELETE FROM knowledge_items WHERE owner = ? AND domain = ?", (owner, domain))
        return
    db.execute(
        "DELETE FROM knowledge_items WHERE owner = ? AND domain = ? "
        "AND source IN (SELECT value FROM json_each(?))",
        (owner, domain, json.dumps(list(scraped_pages))),
    )
