"""The simple sender: drains queued `outbox` rows (announcements) at Telegram's pace.

It runs as one small task per process. Rows are claimed before they are sent: on Postgres
with `FOR UPDATE SKIP LOCKED`, so two processes never take the same row; on SQLite every
transaction already holds the write lock (`BEGIN IMMEDIATE`). A claimed row is sent at most
once: a crash between claiming and marking leaves it `sending`, never sent twice.

At most `rate` messages a second leave this process. Telegram's 403 (he blocked the bot)
marks the row `blocked` and the learner blocked, with no retry; 429 waits `retry_after` and
tries again; any other error marks the row `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import exists, select, update
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.db.models import User, utcnow
from bot.db.staff_models import Announcement, OutboxMessage
from bot.db.uow import UnitOfWork
from bot.staff.announcements import KIND, text_for

log = logging.getLogger(__name__)

SendText = Callable[[int, str], Awaitable[object]]
BATCH = 50
RETRIES_429 = 5
LONGEST_WAIT = 60.0


@dataclass(frozen=True)
class _Claimed:
    id: int
    user_id: int
    chat_id: int
    text: str | None
    item_id: int


class Pace:
    """No more than `rate` sends a second: each waits for its slot, 1/rate apart."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._gap, self._clock, self._sleep = 1.0 / rate, clock, sleep
        self._next = clock()

    async def wait(self) -> None:
        """Wait for the next slot."""
        now = self._clock()
        if self._next > now:
            await self._sleep(self._next - now)
        self._next = max(now, self._next) + self._gap

    async def hold(self, seconds: float) -> None:
        """Telegram asked us to wait: nothing leaves before then."""
        await self._sleep(seconds)
        self._next = max(self._next, self._clock())


class Sender:
    """Claims queued rows, sends each at the pace, and records what became of it."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        send: SendText,
        *,
        rate: float,
        idle_seconds: float,
        pace: Pace | None = None,
    ) -> None:
        self._uow, self._send, self._idle = uow, send, idle_seconds
        self._pace = pace or Pace(rate)

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until `stop` is set; rest `idle_seconds` whenever nothing is queued."""
        while not stop.is_set():
            try:
                sent = await self.drain_once()
            except Exception as exc:  # the database may be down: try again later
                log.warning("the sender could not drain the outbox (%s)", type(exc).__name__)
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._idle)

    async def drain_once(self) -> int:
        """Claim one batch, send it, record the outcomes; returns how many rows it took."""
        claimed = await self._claim()
        outcomes: dict[str, list[int]] = {"sent": [], "blocked": [], "failed": [], "cancelled": []}
        for row in claimed:
            outcomes[await self._deliver(row)].append(row.id)
        if claimed:
            await self._record(claimed, outcomes)
        return len(claimed)

    async def _claim(self) -> list[_Claimed]:
        async with self._uow() as uow:
            session = uow.session
            stmt = (
                select(OutboxMessage.id)
                .where(OutboxMessage.kind == KIND, OutboxMessage.status == "queued")
                .where(OutboxMessage.available_at <= utcnow())
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            )
            if session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            ids = list(await session.scalars(stmt))
            if not ids:
                return []
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(status="sending", attempts=OutboxMessage.attempts + 1)
            )
            rows = await session.execute(
                select(OutboxMessage.id, User.id, User.chat_id, User.locale, Announcement)
                .join(User, User.id == OutboxMessage.user_id)
                .join(Announcement, Announcement.id == OutboxMessage.item_id)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.kind == KIND)
                .order_by(OutboxMessage.id)
            )
            return [
                _Claimed(oid, uid, chat, text_for(dict(ann.texts), locale), ann.id)
                for oid, uid, chat, locale, ann in rows.tuples()
            ]

    async def _deliver(self, row: _Claimed) -> str:
        """Send one message; the outcome names the row's new status."""
        if row.text is None:
            return "cancelled"
        for _ in range(RETRIES_429):
            await self._pace.wait()
            try:
                await self._send(row.chat_id, row.text)
                return "sent"
            except Forbidden:
                return "blocked"
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                await self._pace.hold(min(float(seconds), LONGEST_WAIT))
            except TelegramError as exc:
                log.warning("an announcement could not be sent (%s)", type(exc).__name__)
                return "failed"
        return "failed"

    async def _record(self, claimed: list[_Claimed], outcomes: dict[str, list[int]]) -> None:
        async with self._uow() as uow:
            session, now = uow.session, utcnow()
            for status, ids in outcomes.items():
                if ids:
                    stmt = update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                    stmt = stmt.values(status=status)
                    await session.execute(stmt.values(sent_at=now) if status == "sent" else stmt)
            blocked = [row.user_id for row in claimed if row.id in set(outcomes["blocked"])]
            if blocked:
                await session.execute(
                    update(User).where(User.id.in_(blocked)).values(status="blocked")
                )
            await self._finish(uow, {row.item_id for row in claimed})

    async def _finish(self, uow: UnitOfWork, items: set[int]) -> None:
        """An announcement with nothing left to send is done."""
        waiting = exists().where(
            OutboxMessage.kind == KIND,
            OutboxMessage.item_id == Announcement.id,
            OutboxMessage.status.in_(("queued", "sending")),
        )
        await uow.session.execute(
            update(Announcement)
            .where(Announcement.id.in_(items), Announcement.status == "queued", ~waiting)
            .values(status="done")
        )
