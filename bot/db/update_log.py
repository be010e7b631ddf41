"""Which Telegram updates were handled: the durable inbound path's own small table.

Every update reads it ("seen before?") and every handled one writes it, so it talks Core on
a bare connection: a unit of work's ORM session cost about half a millisecond more per
transaction (bench/presses.py). Reads use `Deps.reads` (no write lock on SQLite); writes
take SQLite's turn like any other (`WriterTurn`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import dialect_insert
from bot.db.models import ProcessedUpdate, utcnow
from bot.db.uow import WriterTurn

ID = ProcessedUpdate.update_id


class UpdateLog:
    """Seen / mark / forget update ids, one short transaction each."""

    def __init__(
        self, engine: AsyncEngine, turn: WriterTurn | None = None, reads: AsyncEngine | None = None
    ) -> None:
        self._engine = engine
        self._reads = reads or engine  # `Deps.reads`: no write lock on SQLite
        self._turn = turn
        self._insert = dialect_insert(engine.dialect.name)

    async def seen(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these updates were handled before (Telegram redelivered them)."""
        if not update_ids:
            return set()
        async with self._reads.connect() as conn:
            rows = await conn.execute(select(ID).where(ID.in_(update_ids)))
            return set(rows.scalars())

    async def last_id(self) -> int:
        """The highest update id handled so far (0 if none)."""
        async with self._reads.connect() as conn:
            last: int | None = await conn.scalar(select(func.max(ID)))
        return last or 0

    async def mark(self, update_id: int) -> None:
        """Record the update as handled (again is fine)."""
        statement = self._insert(ProcessedUpdate).values(update_id=update_id, processed_at=utcnow())
        async with self._turn or contextlib.nullcontext(), self._engine.begin() as conn:
            await conn.execute(statement.on_conflict_do_nothing())

    async def prune(self, before: datetime) -> None:
        """Forget ids handled before `before`: Telegram never redelivers those."""
        async with self._turn or contextlib.nullcontext(), self._engine.begin() as conn:
            await conn.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
