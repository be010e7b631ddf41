"""The commonest write, alone: "Next" on a card moves a learner's step, and nothing else.

One conditional UPDATE checks and moves at once (his step is the one the button was shown
at, in the lesson's current version), so it needs no transaction around it, no ORM session
and no read first: on SQLite it commits itself, on Postgres it runs in AUTOCOMMIT. That
spares a press a session, a BEGIN and a COMMIT (`bench/presses.py`). Every case it does not
cover changes no row and goes the full way, through a unit of work.
"""

from __future__ import annotations

import contextlib
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import statement_alone
from bot.db.models import Progress, utcnow
from bot.db.uow import WriterTurn

_FROM_STEP = bindparam("from_step", type_=Integer)
_STEP_ON = (
    update(cast(Table, Progress.__table__))
    .where(
        Progress.user_id == bindparam("mine"),
        Progress.lesson_id == bindparam("lesson"),
        Progress.step == _FROM_STEP,
        Progress.version_id.is_not_distinct_from(bindparam("version")),
    )
    .values(step=_FROM_STEP + 1, updated_at=bindparam("now"))
)


class Steps:
    """Moves a learner one step on, in one statement that is its own transaction."""

    def __init__(self, engine: AsyncEngine, turn: WriterTurn | None = None) -> None:
        self._alone = statement_alone(engine)
        self._turn = turn  # SQLite's writers still take turns in the process

    async def step_on(
        self, user_id: int, lesson_id: int, *, from_step: int, version_id: int | None
    ) -> bool:
        """Move him from `from_step` to the next step if he is there, in this version. Two
        presses at once: one moves him, the other finds him moved. True when it moved."""
        values: dict[str, Any] = {"mine": user_id, "lesson": lesson_id, "from_step": from_step}
        values |= {"version": version_id, "now": utcnow()}
        async with self._turn or contextlib.nullcontext(), self._alone.connect() as conn:
            result = await conn.execute(_STEP_ON, values)
        return bool(result.rowcount)
