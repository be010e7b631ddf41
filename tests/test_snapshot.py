"""The coordinators' report reads on read-only connections: never SQLite's write lock (a
learner's press goes on while it runs), and on Postgres one snapshot shared by its lanes."""

from __future__ import annotations

import time

from sqlalchemy import func, insert, select

from bot.db.models import Event, utcnow
from bot.db.snapshot import snapshot
from tests.harness import Harness


async def test_a_report_never_blocks_a_writer_and_its_lanes_agree(bot: Harness) -> None:
    engine = bot.runtime.deps.engine
    count = select(func.count()).select_from(Event)
    async with snapshot(engine, 2) as (first, second):
        before = await first.scalar(count)  # the report has begun reading
        started = time.perf_counter()
        async with bot.runtime.deps.uow() as uow:  # a learner's press writes meanwhile
            await uow.session.execute(
                insert(Event).values(
                    pseudonym="p" * 64, name="started", ref="once", created_at=utcnow()
                )
            )
        assert time.perf_counter() - started < 1.0  # not the 10 s busy timeout
        if engine.dialect.name == "postgresql":  # every lane sees the report's moment
            assert await second.scalar(count) == before
    async with engine.connect() as conn:
        assert await conn.scalar(count) == before + 1
