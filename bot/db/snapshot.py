"""Read-only connections for long reports: several at once, seeing the same data, never
holding the write lock.

A report of a dozen aggregate queries over a million events takes about a second on one
connection; on two it takes about half, one CPU each. Postgres gives every connection the
same snapshot (the first exports it, the others import it, as `pg_dump --jobs` does), so
the report's tables agree with each other exactly. SQLite cannot share a snapshot: each
connection reads in its own deferred transaction (WAL readers never block the bot's
writers, nor are they blocked), so two tables can differ by what was written during that
second, and each table is consistent in itself. Neither ever takes SQLite's write lock,
which every other transaction here takes up front (see `bot.db.engine`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

READ_ONLY = "ura_read_only"  # execution option `bot.db.engine` looks for at BEGIN


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, with transactions that read (deferred on SQLite, READ ONLY
    REPEATABLE READ on Postgres)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True, **{READ_ONLY: True}
        )
    return engine.execution_options(**{READ_ONLY: True})


@asynccontextmanager
async def snapshot(engine: AsyncEngine, count: int) -> AsyncIterator[list[AsyncConnection]]:
    """`count` connections in read-only transactions over one snapshot where the database
    can share it (Postgres), rolled back when done."""
    reader = read_only(engine)
    async with AsyncExitStack() as stack:
        connections: list[AsyncConnection] = []
        shared: str | None = None
        for _ in range(max(1, count)):
            conn = await stack.enter_async_context(reader.connect())
            await stack.enter_async_context(conn.begin())
            if engine.dialect.name == "postgresql":
                if shared is None:
                    shared = str(await conn.scalar(text("SELECT pg_export_snapshot()")))
                else:  # must be the transaction's first statement
                    await conn.execute(text(f"SET TRANSACTION SNAPSHOT '{shared}'"))
            connections.append(conn)
        yield connections
