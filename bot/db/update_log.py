"""Which Telegram updates were handled: the durable inbound path's own small table.

Every update reads it ("seen before?") and every handled one writes it, so it talks Core on
a bare connection: a unit of work's ORM session cost about half a millisecond more per
transaction (bench/presses.py). Reads use `Deps.reads` (no write lock on SQLite); writes
take SQLite's turn like any other (`WriterTurn`).

Marks are committed as a group: the updates that finish while one mark is being written
are all written by the next, in one statement. Each `mark` still returns only once its own
id is committed, so "confirmed only after recorded" holds for polling and webhook alike, and
a crash repeats no more than the updates in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import dialect_insert, statement_alone
from bot.db.models import ProcessedUpdate, utcnow
from bot.db.uow import WriterTurn

ID = ProcessedUpdate.update_id
_SEEN = select(ID).where(ID.in_(bindparam("ids", expanding=True)))  # built once: every update


class UpdateLog:
    """Seen / mark / forget update ids, one statement each (forgetting: one transaction)."""

    def __init__(
        self, engine: AsyncEngine, turn: WriterTurn | None = None, reads: AsyncEngine | None = None
    ) -> None:
        self._engine = engine
        self._alone = statement_alone(engine)  # a record is one INSERT: no BEGIN, no COMMIT
        self._reads = reads or engine  # `Deps.reads`: no write lock on SQLite
        self._turn = turn
        self._record = dialect_insert(engine.dialect.name)(ProcessedUpdate).on_conflict_do_nothing()
        self._waiting: dict[int, None] = {}  # ids for the next group, in order, once each
        self._next: asyncio.Future[None] | None = None  # done when the next group is written
        self._writer: asyncio.Task[None] | None = None

    async def seen(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these updates were handled before (Telegram redelivered them)."""
        if not update_ids:
            return set()
        async with self._reads.connect() as conn:
            rows = await conn.execute(_SEEN, {"ids": list(update_ids)})
            return set(rows.scalars())

    async def last_id(self) -> int:
        """The highest update id handled so far (0 if none)."""
        async with self._reads.connect() as conn:
            last: int | None = await conn.scalar(select(func.max(ID)))
        return last or 0

    async def mark(self, update_id: int) -> None:
        """Record the update as handled (again is fine); returns once it is committed."""
        self._waiting[update_id] = None
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        written = self._next
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_groups())
        await asyncio.shield(written)  # a cancelled caller leaves the group to finish

    async def _write_groups(self) -> None:
        """Write the waiting ids, one group per transaction, until none wait."""
        while self._next is not None:
            ids, written = list(self._waiting), self._next
            self._waiting, self._next = {}, None
            now = utcnow()
            rows = [{"update_id": i, "processed_at": now} for i in ids]
            try:
                async with self._turn or contextlib.nullcontext(), self._alone.connect() as conn:
                    await conn.execute(self._record, rows)
            except Exception as exc:
                written.set_exception(exc)
                written.exception()  # every waiter is told; none left unretrieved
            else:
                written.set_result(None)

    async def prune(self, before: datetime) -> None:
        """Forget ids handled before `before`: Telegram never redelivers those."""
        async with self._turn or contextlib.nullcontext(), self._engine.begin() as conn:
            await conn.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
