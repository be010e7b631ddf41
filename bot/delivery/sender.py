"""The dispatcher: drains the outbox (lesson offers, check-ins, nudges, announcements) at
Telegram's pace, and plans the next rows on a tick (`bot.delivery.planner`).

It runs as one small task per process; on Postgres one process at a time holds the role
(`bot.delivery.role`), the others take over within seconds when it dies. Rows are claimed
before they are sent: on Postgres with `FOR UPDATE SKIP LOCKED`, so even two dispatchers
would never take the same row; on SQLite every
transaction already holds the write lock (`BEGIN IMMEDIATE`). A claimed row is `sending`
for a lease; a process that dies mid-send leaves it to be claimed again when the lease ends,
so a crash repeats at most the sends that were in flight.

Checked again at send time, on his clock: a learner who stopped messages (or, for planned
kinds, paused them or chose "only when I ask") gets nothing and the row is cancelled; in his
quiet hours the row waits for their end. At most `rate` messages a second leave this process
and at most one per chat in a batch. Telegram's 403 (he blocked the bot) marks him blocked
and cancels his queued rows, with no retry; 429 waits `retry_after`; a timeout or a server
error is tried again later, backing off, up to `MAX_ATTEMPTS`; any other error fails the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError

from bot.db.models import User, utcnow
from bot.db.rhythm_models import Rhythm
from bot.db.staff_models import Announcement, OutboxMessage
from bot.db.uow import UnitOfWork
from bot.delivery.pace import Pace
from bot.delivery.planner import plan
from bot.delivery.reminders import cancel_queued
from bot.delivery.rhythm import local, quiet
from bot.delivery.role import Role
from bot.staff.announcements import KIND, text_for
from bot.views.reply import Reply

__all__ = ["Due", "Pace", "Sender"]
log = logging.getLogger(__name__)

BATCH = 50
RETRIES_429 = 5
LONGEST_WAIT = 60.0
MAX_ATTEMPTS = 5
CHAT_GAP = 1.0  # seconds between two messages to one chat, as Telegram asks
LEASE = timedelta(minutes=2)  # a `sending` row older than this was left by a dead process
PLANNED = ("lesson", "checkin", "nudge")  # kinds the planner adds; announcements come from staff


@dataclass(frozen=True)
class Due:
    """A claimed row with what composing it and the send-time checks need."""

    id: int
    user_id: int
    chat_id: int
    kind: str
    item_id: int
    attempts: int
    locale: str | None
    text: str | None  # an announcement in his language, if one was written
    rhythm: Rhythm | None


@dataclass(frozen=True)
class Again:
    """Queue the row again at `at`; `counts` when it was a failed try (towards MAX_ATTEMPTS),
    not when it only waited for his quiet hours or the gap between two messages to him."""

    at: datetime
    counts: bool


Compose = Callable[[Due], Reply | None]
Send = Callable[[int, Reply, bool], Awaitable[object]]  # chat, message, silent


class Sender:
    """Claims due rows, sends each at the pace, records what became of it; plans on a tick."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        send: Send,
        compose: Compose,
        *,
        rate: float,
        idle_seconds: float,
        tick_seconds: float = 60.0,
        pace: Pace | None = None,
        clock: Callable[[], datetime] = utcnow,
        role: Role | None = None,
    ) -> None:
        self._uow, self._send, self._compose = uow, send, compose
        self._idle, self._tick, self._clock = idle_seconds, tick_seconds, clock
        self._pace = pace or Pace(rate)
        self._planned_at: datetime | None = None
        self.role = role  # None: this process dispatches (tests, one-process setups)
        self._last_sent: dict[int, float] = {}  # chat → monotonic time of our last send

    async def run(self, stop: asyncio.Event) -> None:
        """Plan and drain until `stop` is set; rest `idle_seconds` whenever nothing is due."""
        while not stop.is_set():
            try:
                if self.role is not None and not await self.role.claim():
                    sent = 0  # another process dispatches; look again after a rest
                else:
                    await self.plan_if_due()
                    sent = await self.drain_once()
            except Exception as exc:  # the database may be down: try again later
                log.warning("the dispatcher could not drain the outbox (%s)", type(exc).__name__)
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._idle)

    async def plan_if_due(self) -> None:
        """One planning tick when the last is `tick_seconds` old (rows are unique per local
        day, so several processes planning at once add nothing twice)."""
        now = self._clock()
        if self._planned_at and now - self._planned_at < timedelta(seconds=self._tick):
            return
        async with self._uow() as uow:
            planned = await plan(uow.session, now)
        self._planned_at = now
        if planned.lessons or planned.checkins or planned.nudges:
            log.info("planned %s", planned)

    async def drain_once(self) -> int:
        """Claim one batch, send it, record the outcomes; returns how many rows it took."""
        claimed = await self._claim()
        outcomes = [(row, await self._deliver(row)) for row in claimed]
        if claimed:
            await self._record(outcomes)
        recent = time.monotonic() - CHAT_GAP
        self._last_sent = {c: t for c, t in self._last_sent.items() if t > recent}
        return len(claimed)

    async def _claim(self) -> list[Due]:
        now = self._clock()
        async with self._uow() as uow:
            session = uow.session
            free = (OutboxMessage.status == "queued") | (OutboxMessage.status == "sending")
            stmt = (
                select(OutboxMessage.id, OutboxMessage.user_id)
                .where(free, OutboxMessage.available_at <= now)
                .order_by(OutboxMessage.available_at, OutboxMessage.id)
                .limit(BATCH)
            )
            if session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            first: dict[int, int] = {}  # one row per chat in a batch: a second waits
            for oid, uid in (await session.execute(stmt)).tuples():
                first.setdefault(uid, oid)
            ids = list(first.values())
            if not ids:
                return []
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(
                    status="sending", attempts=OutboxMessage.attempts + 1, available_at=now + LEASE
                )
            )
            rows = await session.execute(
                select(OutboxMessage, User.chat_id, User.locale, Rhythm, Announcement.texts)
                .join(User, User.id == OutboxMessage.user_id)
                .outerjoin(Rhythm, Rhythm.user_id == OutboxMessage.user_id)
                .outerjoin(
                    Announcement,
                    (OutboxMessage.kind == KIND) & (Announcement.id == OutboxMessage.item_id),
                )
                .where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.id)
            )
            return [
                Due(
                    row.id, row.user_id, chat, row.kind, row.item_id, row.attempts, locale,
                    text_for(dict(texts), locale) if texts else None, rhythm,
                )
                for row, chat, locale, rhythm, texts in rows.tuples()
            ]  # fmt: skip

    def _hold(self, row: Due) -> str | datetime | None:
        """'cancelled', or when to try again (quiet hours), or None to send now."""
        rhythm, now = row.rhythm, self._clock()
        if rhythm is None:
            return None
        if rhythm.stopped_at is not None:
            return "cancelled"
        paused = rhythm.paused_until is not None and rhythm.paused_until > now
        if row.kind in PLANNED and (rhythm.rhythm == "ask" or paused):
            return "cancelled"
        here = local(rhythm.timezone, now)
        if quiet(here.hour, rhythm.quiet_start, rhythm.quiet_end):
            later = here.replace(minute=0, second=0, microsecond=0)
            while quiet(later.hour, rhythm.quiet_start, rhythm.quiet_end):
                later += timedelta(hours=1)
            return later
        return None

    async def _deliver(self, row: Due) -> str | Again:
        """Send one message: the row's new status, or when to try it again."""
        held, now = self._hold(row), self._clock()
        if isinstance(held, datetime):  # his quiet hours: not a try
            return Again(held, counts=False)
        if time.monotonic() - self._last_sent.get(row.chat_id, float("-inf")) < CHAT_GAP:
            return Again(now + timedelta(seconds=CHAT_GAP), counts=False)  # a second per chat
        reply = None if held else self._compose(row)
        if reply is None:
            return "cancelled"
        silent = bool(row.rhythm and row.rhythm.silent)
        for _ in range(RETRIES_429):
            await self._pace.wait()
            try:
                await self._send(row.chat_id, reply, silent)
                self._last_sent[row.chat_id] = time.monotonic()
                return "sent"
            except Forbidden:
                return "blocked"
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                await self._pace.hold(min(float(seconds), LONGEST_WAIT))
            except NetworkError as exc:  # timeouts and server errors: later, backing off
                log.warning("a message will be tried again (%s)", type(exc).__name__)
                break
            except TelegramError as exc:
                log.warning("a message could not be sent (%s)", type(exc).__name__)
                return "failed"
        if row.attempts >= MAX_ATTEMPTS:
            return "failed"
        return Again(now + timedelta(seconds=min(5 * 2**row.attempts, 900)), counts=True)

    async def _record(self, outcomes: list[tuple[Due, str | Again]]) -> None:
        now = self._clock()
        async with self._uow() as uow:
            session = uow.session
            settled: dict[str, list[int]] = {}
            for row, outcome in outcomes:
                if isinstance(outcome, str):
                    settled.setdefault(outcome, []).append(row.id)
                    continue
                tries = OutboxMessage.attempts - (0 if outcome.counts else 1)
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id)
                    .values(status="queued", attempts=tries, available_at=outcome.at)
                )
            for status, ids in settled.items():  # one statement per outcome, not per row
                sent = {"sent_at": now} if status == "sent" else {}
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(status=status, **sent)
                )
            blocked = [row.user_id for row, outcome in outcomes if outcome == "blocked"]
            if blocked:
                await session.execute(
                    update(User).where(User.id.in_(blocked)).values(status="blocked")
                )
                await cancel_queued(uow, blocked)
            await self._finish(uow, {row.item_id for row, _ in outcomes if row.kind == KIND})

    async def _finish(self, uow: UnitOfWork, items: set[int]) -> None:
        """An announcement with nothing left to send is done."""
        if not items:
            return
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
