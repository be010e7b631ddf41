"""Round trips a statement costs. SQLite through `bot.db.sqlite_driver`: one trip to
aiosqlite's thread a statement, none for a commit or rollback that would do nothing, and
still every guarantee of a transaction (errors, rollbacks, the write lock given back).
Postgres: no ping before a connection in steady use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import ONE_READ, make_engine
from bot.db.snapshot import read_only


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = make_engine(f"sqlite+aiosqlite:///{tmp_path}/driver.db", busy_timeout_ms=200)
    async with made.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v INT NOT NULL)"))
        await conn.execute(text("INSERT INTO t VALUES (1, 0)"))
    yield made
    await made.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to an aiosqlite worker thread, in order."""
    sent: list[str] = []
    real = aiosqlite.Connection._execute

    async def spy(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", spy)
    return sent


async def test_a_write_is_four_trips_and_a_check_is_one(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as conn:
        assert (await conn.execute(text("SELECT v FROM t WHERE id = 1"))).scalar() == 0
        await conn.execute(text("UPDATE t SET v = v + 1 WHERE id = 1"))
    assert trips == ["_run", "_run", "_run", "commit"]  # BEGIN IMMEDIATE, SELECT, UPDATE
    trips.clear()
    async with read_only(engine).execution_options(**{ONE_READ: True}).connect() as conn:
        assert (await conn.execute(text("SELECT v FROM t WHERE id = 1"))).scalar() == 1
    assert trips == ["_run"]  # no BEGIN, no ROLLBACK, no reset


async def test_errors_and_rollbacks_keep_their_meaning(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE t SET v = 5 WHERE id = 1"))
            await conn.execute(text("INSERT INTO t VALUES (1, 0)"))
    async with engine.connect() as conn:  # left without a commit: rolled back on close
        await conn.execute(text("UPDATE t SET v = 7 WHERE id = 1"))
    async with engine.begin() as conn:  # and the write lock was given back (200 ms busy)
        await conn.execute(text("UPDATE t SET v = v + 1 WHERE id = 1"))
        async with conn.begin_nested() as inner:
            await conn.execute(text("UPDATE t SET v = 100 WHERE id = 1"))
            await inner.rollback()
        rows = (await conn.execute(text("SELECT id, v FROM t"))).all()
    assert [tuple(row) for row in rows] == [(1, 1)]


async def test_postgres_pings_a_pooled_connection_only_after_it_idled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steady use pings nothing (a ping is three round trips on asyncpg); a connection
    idle longer than `PING_AFTER_IDLE_S` is pinged before it is lent out."""
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

    from bot.db import engine as engines
    from tests.databases import fresh_database

    pings: list[int] = []
    real = AsyncAdapt_asyncpg_connection.ping

    def counted(self: AsyncAdapt_asyncpg_connection) -> None:
        pings.append(1)
        real(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
    async with fresh_database("postgres", tmp_path) as url:
        made = make_engine(url, pool_size=1, max_overflow=0)
        try:
            for _ in range(5):
                async with made.connect() as conn:
                    assert (await conn.execute(text("SELECT 1"))).scalar() == 1
            assert pings == []
            monkeypatch.setattr(engines, "PING_AFTER_IDLE_S", -1.0)  # as if it idled
            async with made.connect() as conn:
                await conn.execute(text("SELECT 1"))
            assert len(pings) == 1
        finally:
            await made.dispose()
