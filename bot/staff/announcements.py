"""Announcements: a moderator's message to a segment of learners, in each language.

One open draft per moderator (the `announcements` row in status `draft`) collects a text
per language and a segment; the preview counts who it reaches; Confirm queues one `outbox`
row per learner in the database (INSERT … SELECT; the unique key and the status make a
second Confirm queue nothing). Nothing is sent from here: `bot.delivery.sender` drains it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, exists, func, insert, literal, select

from bot.db.models import Lesson, Progress, Timestamp, Track, User, utcnow
from bot.db.staff_models import Announcement, OutboxMessage
from bot.db.uow import UnitOfWork
from bot.help.directory import COUNTRIES
from bot.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, fallback_chain
from bot.staff import roles

KIND = "announcement"
MAX_DAYS = 3650
TEXT_LIMIT = 4000  # within one Telegram message, whatever the language
# A track key and a cohort code as written (the track must exist; see set_segment).
_PATTERNS = {"track": re.compile(r"[a-z0-9-]{1,32}"), "cohort": re.compile(r"[A-Za-z0-9_-]{1,64}")}


@dataclass(frozen=True)
class Segment:
    """Who an announcement is for; None means anyone."""

    lang: str | None = None
    country: str | None = None
    track: str | None = None
    cohort: str | None = None
    days: int | None = None  # seen in the last N days

    def as_json(self) -> dict[str, Any]:
        """The segment as stored in the row."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        """The segment as stored (unknown keys ignored)."""
        return cls(
            **{k: data[k] for k in ("lang", "country", "track", "cohort", "days") if k in data}
        )


class SegmentError(ValueError):
    """A `key=value` the segment does not accept (the word is shown back)."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@dataclass(frozen=True)
class Draft:
    """A draft as the moderator sees it: texts, segment, and how many it would reach."""

    id: int
    texts: dict[str, str]
    segment: Segment
    audience: int


@dataclass(frozen=True)
class Queued:
    """After Confirm: how many messages wait in the outbox."""

    id: int
    count: int


def parse_segment(words: list[str]) -> Segment:
    """`lang=sq country=xk track=… cohort=… days=30` → a Segment; raise on any bad word."""
    values: dict[str, Any] = {}
    for word in words:
        key, _, value = word.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key == "lang" and value in SUPPORTED_LOCALES:
            values[key] = value
        elif key == "country" and value.lower() in COUNTRIES:
            values[key] = value.lower()
        elif key in _PATTERNS and _PATTERNS[key].fullmatch(value):
            values[key] = value
        elif key == "days" and value.isdigit() and 0 < int(value) <= MAX_DAYS:
            values[key] = int(value)
        else:
            raise SegmentError(word[:40])
    return Segment(**values)


def text_for(texts: dict[str, str], locale: str | None) -> str | None:
    """His text: his language, else along his fallback chain; None if none was written."""
    wanted = locale or DEFAULT_LOCALE
    return next((texts[c] for c in (wanted, *fallback_chain(wanted)) if c in texts), None)


def _who(segment: Segment, texts: dict[str, str], now: datetime) -> list[ColumnElement[bool]]:
    """The learners a segment reaches: active, a text he can read, and the segment's terms."""
    reachable = [loc for loc in SUPPORTED_LOCALES if text_for(texts, loc) is not None]
    locale = func.coalesce(User.locale, DEFAULT_LOCALE)
    where = [User.status == "active", locale.in_(reachable)]
    if segment.lang:
        where.append(locale == segment.lang)
    if segment.country:
        where.append(User.country == segment.country)
    if segment.cohort:
        where.append(User.cohort == segment.cohort)
    if segment.days:
        where.append(User.last_seen_at >= now - timedelta(days=segment.days))
    if segment.track:
        started = (
            exists()
            .where(Progress.user_id == User.id, Progress.lesson_id == Lesson.id)
            .where(Lesson.track_id == Track.id, Track.key == segment.track)
        )
        where.append(started)
    return where


async def _count(uow: UnitOfWork, row: Announcement) -> int:
    where = _who(Segment.from_json(row.segment), dict(row.texts), utcnow())
    return int(await uow.session.scalar(select(func.count()).select_from(User).where(*where)) or 0)


async def _open(uow: UnitOfWork, user_id: int, *, create: bool) -> Announcement | None:
    """His one open draft (locked), made on first use when `create`."""
    stmt = select(Announcement).where(
        Announcement.created_by == user_id, Announcement.status == "draft"
    )
    row = (await uow.session.scalars(stmt.order_by(Announcement.id).with_for_update())).first()
    if row is None and create:
        row = Announcement(created_by=user_id, texts={}, segment={}, status="draft")
        uow.session.add(row)
        await uow.session.flush()
    return row


async def _draft(uow: UnitOfWork, row: Announcement) -> Draft:
    return Draft(row.id, dict(row.texts), Segment.from_json(row.segment), await _count(uow, row))


async def current(uow: UnitOfWork, *, user_id: int) -> Draft | None:
    """His open draft with its audience now, or None."""
    row = await _open(uow, user_id, create=False)
    return await _draft(uow, row) if row else None


async def set_text(uow: UnitOfWork, *, user_id: int, locale: str, text: str) -> Draft:
    """Write (or replace) the text in one language."""
    row = await _open(uow, user_id, create=True)
    assert row is not None
    row.texts = {**row.texts, locale: text[:TEXT_LIMIT]}
    return await _draft(uow, row)


async def set_segment(uow: UnitOfWork, *, user_id: int, segment: Segment) -> Draft | None:
    """Choose who it is for; None when the track named is not one of ours."""
    if (
        segment.track
        and await uow.session.scalar(select(Track.id).where(Track.key == segment.track)) is None
    ):
        return None
    row = await _open(uow, user_id, create=True)
    assert row is not None
    row.segment = segment.as_json()
    return await _draft(uow, row)


async def confirm(
    uow: UnitOfWork, *, announcement_id: int, user_id: int, today: date
) -> Queued | None:
    """Queue his draft for its segment, once; None when it is not his open draft with text."""
    row = await _open(uow, user_id, create=False)
    if row is None or row.id != announcement_id or not row.texts:
        return None
    now = utcnow()
    who = select(
        User.id,
        literal(KIND, String),
        literal(row.id, Integer),
        literal(today, Date),
        literal("queued", String),
        literal(0, Integer),
        literal(now, Timestamp),
    ).where(*_who(Segment.from_json(row.segment), dict(row.texts), now))
    columns = ["user_id", "kind", "item_id", "day", "status", "attempts", "available_at"]
    await uow.session.execute(insert(OutboxMessage).from_select(columns, who))
    queued = select(func.count()).where(OutboxMessage.kind == KIND, OutboxMessage.item_id == row.id)
    count = int(await uow.session.scalar(queued) or 0)
    row.status, row.audience = "queued", count
    subject = f"announcement {row.id} to {count} learners ({row.segment})"
    await roles.audit(uow, actor=user_id, action="announce", subject=subject)
    return Queued(row.id, count)


async def cancel(uow: UnitOfWork, *, announcement_id: int, user_id: int) -> bool:
    """Drop his open draft; False when there was none."""
    row = await _open(uow, user_id, create=False)
    if row is None or row.id != announcement_id:
        return False
    row.status = "cancelled"
    return True
