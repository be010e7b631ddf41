"""The update log's group commit: updates that finish together are recorded together, each
caller returns only once its own id is committed, and a failed write fails every waiter."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from bot.db.engine import make_engine
from bot.db.uow import WriterTurn
from bot.db.update_log import UpdateLog
from tests.dbcheck import query


async def test_marks_made_together_share_transactions_and_all_land(database_url: str) -> None:
    engine = make_engine(database_url)
    transactions = 0

    def began(*_: object) -> None:
        nonlocal transactions
        transactions += 1

    event.listen(engine.sync_engine, "begin", began)
    sqlite = engine.dialect.name == "sqlite"
    log = UpdateLog(engine, WriterTurn() if sqlite else None)
    try:
        await asyncio.gather(*(log.mark(n) for n in range(1, 41)))
        await log.mark(7)  # again is fine
        assert await log.seen(range(1, 45)) == set(range(1, 41))
        # The first write goes alone, the other 39 wait and go as one group: not 41.
        assert transactions <= 3, transactions
    finally:
        await engine.dispose()
    rows = await query(database_url, "SELECT count(*) FROM processed_updates")
    assert rows == [(40,)]


async def test_a_failed_write_fails_every_update_in_its_group(database_url: str) -> None:
    engine = make_engine(database_url)
    log = UpdateLog(engine)
    failing = True

    def refuse(conn: object, cursor: object, statement: str, *_: object) -> None:
        if failing and statement.lstrip().upper().startswith("INSERT"):
            raise RuntimeError("the disk is full")

    event.listen(engine.sync_engine, "before_cursor_execute", refuse)
    try:
        results = await asyncio.gather(*(log.mark(n) for n in (1, 2, 3)), return_exceptions=True)
        assert all(isinstance(r, Exception) for r in results), results
        failing = False
        await log.mark(4)  # the log goes on once the database does
        assert await log.seen([1, 2, 3, 4]) == {4}
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_cancelled_caller_leaves_its_group_to_finish(database_url: str) -> None:
    engine = make_engine(database_url)
    log = UpdateLog(engine, WriterTurn())
    try:
        first = asyncio.create_task(log.mark(1))
        await asyncio.sleep(0)
        first.cancel()
        await log.mark(2)
        assert await log.seen([1, 2]) == {1, 2}
    finally:
        await engine.dispose()
