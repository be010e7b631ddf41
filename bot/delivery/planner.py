"""Planning the messages Ura starts: set-based inserts into the outbox, one zone at a time.

Each tick asks, for every time zone in use (a handful), which learners are due now on their
own clock, and inserts their rows in one INSERT … SELECT per kind, never looping over
learners in Python. Every row's key is (learner, kind, item, his local date), and inserts
skip existing keys: planning twice, or after a daylight-saving change, adds nothing.

Each learner is looked at in the hour he chose (his clock), so one tick reads only the
learners whose hour it is; a dispatcher that was down for that whole hour misses that day.

- `lesson`: his rhythm offers a lesson today, it is his hour, he has not been active
  today but has been lately (`GAP`), and the lesson is chosen when he opens it (item 0).
- `checkin`: he reached a lesson's ACT! step yesterday (item: that lesson).
- `nudge`: he started a lesson and has been away 3, 7, then 14 days beyond his rhythm's
  gap; each counts only if he stayed away after the one before (item: 1, 2, 3), and after
  the third ("I'll stop writing") there are no more.

Nobody is planned whose rhythm is "only when I ask", who stopped or paused messages, who
blocked the bot, or whose quiet hours cover this hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from bot.db.engine import dialect_insert
from bot.db.models import Progress, Timestamp, User
from bot.db.rhythm_models import Rhythm
from bot.db.staff_models import OutboxMessage
from bot.delivery.rhythm import due_on, local, start_of_day

NUDGE_DAYS = (3, 7, 14)  # away this long (beyond his rhythm's gap) before nudge 1, 2, 3
# Days between lessons a rhythm expects: lesson offers go while he is away less than this
# plus NUDGE_DAYS[0]; beyond it the offers stop and the nudges take over.
GAP = {"daily": 0, "3week": 2, "weekly": 7}
COLUMNS = ("user_id", "kind", "item_id", "day", "status", "attempts", "available_at")


@dataclass(frozen=True)
class Planned:
    """Rows added by one tick, by kind."""

    lessons: int = 0
    checkins: int = 0
    nudges: int = 0

    def __add__(self, other: Planned) -> Planned:
        return Planned(
            self.lessons + other.lessons,
            self.checkins + other.checkins,
            self.nudges + other.nudges,
        )


def _awake(hour: int) -> ColumnElement[bool]:
    """His quiet hours [start, end) do not cover this local hour (they may wrap midnight)."""
    start, end = Rhythm.quiet_start, Rhythm.quiet_end
    inside = or_(
        and_(start < end, start <= hour, end > hour),
        and_(start > end, or_(start <= hour, end > hour)),
    )
    return ~inside


def _reachable(zone: str, now: datetime, hour: int) -> list[ColumnElement[bool]]:
    return [
        Rhythm.timezone == zone,
        Rhythm.rhythm != "ask",
        Rhythm.stopped_at.is_(None),
        or_(Rhythm.paused_until.is_(None), Rhythm.paused_until <= now),
        User.status == "active",
        _awake(hour),
    ]


async def _insert(session: AsyncSession, rows: Select[Any]) -> int:
    """INSERT … SELECT, skipping keys already planned; how many rows were added."""
    make = dialect_insert(session.get_bind().dialect.name)
    stmt = make(OutboxMessage).from_select(list(COLUMNS), rows).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def _row(kind: str, item: Any, day: date, now: datetime) -> tuple[Any, ...]:
    return (
        Rhythm.user_id,
        literal(kind),
        item,
        literal(day, Date),
        literal("queued"),
        literal(0),
        literal(now, Timestamp),
    )


def _away(at_least: bool, days: int, now: datetime) -> ColumnElement[bool]:
    """Away at least (or less than) his rhythm's gap plus `days`."""
    return or_(
        *(
            (Rhythm.rhythm == rhythm)
            & (
                User.last_seen_at <= now - timedelta(days=gap + days)
                if at_least
                else User.last_seen_at > now - timedelta(days=gap + days)
            )
            for rhythm, gap in GAP.items()
        )
    )


def _nudge(
    joined: Select[Any], where: list[ColumnElement[bool]], number: int, today: date, now: datetime
) -> Select[Any]:
    """Nudge `number` for those away long enough who stayed away after the one before it,
    and got nothing else today."""
    ours = (OutboxMessage.user_id == Rhythm.user_id) & (OutboxMessage.kind == "nudge")
    sent = (
        select(func.count())
        .where(ours, OutboxMessage.available_at > User.last_seen_at)
        .where(OutboxMessage.available_at < now)  # not one planned in this tick
        .scalar_subquery()
    )
    today_already = (
        select(OutboxMessage.id)
        .where(OutboxMessage.user_id == Rhythm.user_id, OutboxMessage.day == literal(today, Date))
        .exists()
    )
    return joined.add_columns(*_row("nudge", literal(number), today, now)).where(
        *where,
        User.current_lesson_id.is_not(None),
        _away(True, NUDGE_DAYS[number - 1], now),
        sent == number - 1,
        ~today_already,
    )


async def plan_zone(session: AsyncSession, zone: str, now: datetime) -> Planned:
    """The rows due now for learners on this zone's clock whose hour it is: each learner is
    looked at in one hour of his day (`ix_rhythms_zone_hour`), so a tick reads a few."""
    here = local(zone, now)
    today, hour = here.date(), here.hour
    begins = start_of_day(zone, today)
    joined = select().select_from(Rhythm).join(User, User.id == Rhythm.user_id)
    base = [*_reachable(zone, now, hour), Rhythm.hour == hour]
    lessons = nudges = 0
    due = [rhythm for rhythm in GAP if due_on(rhythm, today)]
    if due:  # while he keeps coming back, on his rhythm
        offers = joined.add_columns(*_row("lesson", literal(0), today, now)).where(
            *base,
            Rhythm.rhythm.in_(due),
            User.last_seen_at < begins,
            _away(False, NUDGE_DAYS[0], now),
        )
        lessons = await _insert(session, offers)
    for number in range(1, len(NUDGE_DAYS) + 1):  # once he drifts away
        nudges += await _insert(session, _nudge(joined, base, number, today, now))
    yesterday = start_of_day(zone, today - timedelta(days=1))
    acted = (
        joined.join(Progress, Progress.user_id == Rhythm.user_id)
        .add_columns(*_row("checkin", Progress.lesson_id, today, now))
        .where(*base, Progress.act_at >= yesterday, Progress.act_at < begins)
    )
    checkins = await _insert(session, acted)
    return Planned(lessons, checkins, nudges)


async def plan(session: AsyncSession, now: datetime) -> Planned:
    """One tick: every zone in use, each by its own clock."""
    zones = await session.scalars(select(Rhythm.timezone).where(Rhythm.rhythm != "ask").distinct())
    total = Planned()
    for zone in list(zones):
        total += await plan_zone(session, zone, now)
    return total
