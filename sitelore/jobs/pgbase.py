"""The PostgreSQL store's plumbing: its connection pool, transactions and errors.

:class:`PostgresBase` is what every part of the PostgreSQL store stands on (the jobs and
keys of :class:`~sitelore.jobs.postgres.PostgresStore`, the webhooks and deliveries of
:class:`~sitelore.jobs.deliveries_postgres.PostgresDeliveries`): opening refuses a database
whose schema is behind, each ``_connection()`` block is one transaction, and a database
that cannot be reached is a :class:`~sitelore.jobs.store.StoreUnavailable`, said once in
the log while it lasts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import psycopg_pool
from psycopg.rows import DictRow, dict_row

from sitelore.jobs.conditions import ConditionLog
from sitelore.jobs.pgschema import missing_migrations
from sitelore.jobs.pgsql import Connection
from sitelore.jobs.store import StoreUnavailable

log = logging.getLogger("sitelore.store")


class SchemaOutdated(StoreUnavailable):
    """The database lacks migrations: run ``sitelore db upgrade`` (then start again)."""


class PostgresBase:
    """A pool on ``conninfo``, opened by :meth:`open`; its statements and transactions."""

    def __init__(self, conninfo: str, *, pool_size: int = 10, timeout: float = 5.0) -> None:
        self.conninfo = conninfo
        self.pool = psycopg_pool.AsyncConnectionPool[Connection](
            conninfo,
            connection_class=psycopg.AsyncConnection[DictRow],
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=timeout,
            kwargs={"row_factory": dict_row},
            check=psycopg_pool.AsyncConnectionPool.check_connection,
        )
        self._condition = ConditionLog(log, "database")

    async def open(self) -> None:
        """Connect, and refuse a database whose schema is not up to date."""
        try:
            await self.pool.open(wait=True, timeout=self.pool.timeout)
        except psycopg_pool.PoolTimeout as error:
            raise StoreUnavailable(f"cannot connect to PostgreSQL: {error}") from error
        try:
            async with self._connection() as connection:
                missing = await missing_migrations(connection)
        except BaseException:
            await self.pool.close()
            raise
        if missing:
            await self.pool.close()
            raise SchemaOutdated(
                f"the database schema is not up to date ({len(missing)} migrations missing): "
                "run `sitelore db upgrade`"
            )

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        """One transaction: committed when the block ends, rolled back on an error."""
        try:
            async with self.pool.connection() as connection:
                yield connection
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
            unavailable = StoreUnavailable(f"database unavailable: {error}")
            self._condition.failing(unavailable)  # said once; the loops that retry are quiet
            raise unavailable from error
        self._condition.working()

    async def _one(self, sql: str, args: dict[str, Any] | None = None) -> DictRow | None:
        async with self._connection() as connection:
            cursor = await connection.execute(sql, args)
            return await cursor.fetchone()

    async def _all(self, sql: str, args: dict[str, Any] | None = None) -> list[DictRow]:
        async with self._connection() as connection:
            cursor = await connection.execute(sql, args)
            return await cursor.fetchall()

    async def _exec(self, sql: str, args: dict[str, Any]) -> None:
        async with self._connection() as connection:
            await connection.execute(sql, args)

    async def ping(self) -> None:
        await self._one("SELECT 1")

    async def close(self) -> None:
        await self.pool.close()
