"""Repositories: queries by concept. They flush but never commit (the unit of work does).

Idempotent inserts are one `INSERT … ON CONFLICT DO NOTHING RETURNING` on the table's
unique key (SQLite and Postgres say it the same way): a savepoint around a plain insert cost
two more statements on every press.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from bot.db.engine import dialect_insert
from bot.db.models import (
    Base,
    Event,
    Lesson,
    Progress,
    Publication,
    QuizAnswer,
    Track,
    User,
)
from bot.db.staff_models import LessonVersion

PUBLISH_LOCK = 0x5552_4101  # a fixed advisory-lock key: "UR" + A + 1
# A press's own reads, built once (a statement and its cache key cost ~0.1 ms to build).
_PROGRESS = (
    select(Progress)
    .where(Progress.user_id == bindparam("user_id"), Progress.lesson_id == bindparam("lesson_id"))
    .execution_options(populate_existing=True)
)
_ANSWER = select(QuizAnswer).where(
    QuizAnswer.user_id == bindparam("user_id"), QuizAnswer.lesson_id == bindparam("lesson_id")
)


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_if_absent(self, row: Base) -> bool:
        """Insert `row` unless its unique key exists; True when this call inserted it, and
        `row` is then in the session with its stored values (defaults, id) like any other."""
        mapper = inspect(type(row))
        given = {
            attr.columns[0].key: row.__dict__[attr.key]
            for attr in mapper.column_attrs
            if attr.key in row.__dict__
        }
        table = cast(Table, type(row).__table__)
        insert = dialect_insert(self.session.get_bind().dialect.name)
        statement = insert(table).values(given).on_conflict_do_nothing().returning(*table.c)
        stored = (await self.session.execute(statement)).first()
        if stored is None:
            return False
        for attr in mapper.column_attrs:
            setattr(row, attr.key, stored._mapping[attr.columns[0]])
        make_transient_to_detached(row)
        self.session.add(row)
        return True


class UserRepository(_Repository):
    """Learners by numeric Telegram id."""

    async def get(self, user_id: int) -> User | None:
        """The user, or None if he never started the bot (or was erased)."""
        return await self.session.get(User, user_id)

    async def get_for_update(self, user_id: int) -> User | None:
        """The user, re-read inside this transaction (fresh even if another process wrote)."""
        return await self.session.get(User, user_id, populate_existing=True)

    async def delete(self, user_id: int) -> None:
        """Erase a user; his progress and answers go with him (ON DELETE CASCADE)."""
        await self.session.execute(delete(User).where(User.id == user_id))


class ContentRepository(_Repository):
    """Tracks and lessons as published into the database."""

    async def tracks(self) -> Sequence[Track]:
        """Every track, in order."""
        return (await self.session.scalars(select(Track).order_by(Track.position))).all()

    async def lessons(self) -> Sequence[Lesson]:
        """Every lesson, in order."""
        rows = await self.session.scalars(select(Lesson).order_by(Lesson.track_id, Lesson.position))
        return rows.all()

    async def lesson_ids(self) -> dict[str, int]:
        """Lesson key → row id, for joining progress to content."""
        rows = await self.session.execute(select(Lesson.key, Lesson.id))
        return {key: id_ for key, id_ in rows.tuples()}

    async def lesson_id(self, key: str) -> int | None:
        """The row id of a published lesson."""
        lesson_id: int | None = await self.session.scalar(
            select(Lesson.id).where(Lesson.key == key)
        )
        return lesson_id

    async def lesson_key(self, lesson_id: int) -> str | None:
        """The key of a published lesson by row id."""
        key: str | None = await self.session.scalar(
            select(Lesson.key).where(Lesson.id == lesson_id)
        )
        return key

    async def add(self, row: Track | Lesson | LessonVersion) -> None:
        """Stage a new track, lesson or lesson version row and give it an id."""
        self.session.add(row)
        await self.session.flush()

    async def last_version_number(self, key: str) -> int:
        """The newest version number of a lesson (0 before its first)."""
        stmt = select(func.max(LessonVersion.version)).where(LessonVersion.lesson_key == key)
        return (await self.session.scalar(stmt)) or 0

    async def version_row(self, version_id: int) -> LessonVersion | None:
        """One lesson version by id."""
        return await self.session.get(LessonVersion, version_id)

    async def version_numbers(self) -> dict[int, int]:
        """Version row id → its number, for the versions lessons point at now."""
        stmt = select(LessonVersion.id, LessonVersion.version).join(
            Lesson, Lesson.version_id == LessonVersion.id
        )
        return {id_: number for id_, number in (await self.session.execute(stmt)).tuples()}

    async def version(self) -> int:
        """The catalog's version: the newest publication (0 before the first)."""
        newest: int | None = await self.session.scalar(select(func.max(Publication.id)))
        return newest or 0

    async def was_published(self, source: str, source_hash: str) -> bool:
        """Has this exact set of files been published before?"""
        stmt = select(Publication.id).where(
            Publication.source == source, Publication.source_hash == source_hash
        )
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def record_publication(self, source: str, source_hash: str) -> int:
        """A new catalog version; returns it."""
        row = Publication(source=source, source_hash=source_hash)
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def lock_publishing(self) -> None:
        """Serialize publishers until this transaction ends, so two processes starting
        together publish once. SQLite's twin: every writing transaction is BEGIN IMMEDIATE."""
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(select(func.pg_advisory_xact_lock(PUBLISH_LOCK)))


class ProgressRepository(_Repository):
    """Per-user lesson progress and quiz answers."""

    async def get(self, user_id: int, lesson_id: int) -> Progress | None:
        """This user's progress in this lesson, if he opened it."""
        mine = {"user_id": user_id, "lesson_id": lesson_id}
        return (await self.session.scalars(_PROGRESS, mine)).first()

    async def for_user(self, user_id: int) -> Sequence[Progress]:
        """Every lesson this user opened."""
        return (
            await self.session.scalars(select(Progress).where(Progress.user_id == user_id))
        ).all()

    async def answer(self, user_id: int, lesson_id: int) -> QuizAnswer | None:
        """The recorded (first) quiz answer, if any."""
        mine = {"user_id": user_id, "lesson_id": lesson_id}
        return (await self.session.scalars(_ANSWER, mine)).first()

    async def answers_for_user(self, user_id: int) -> Sequence[QuizAnswer]:
        """Every quiz this user answered."""
        return (
            await self.session.scalars(select(QuizAnswer).where(QuizAnswer.user_id == user_id))
        ).all()


class EventRepository(_Repository):
    """Pseudonymous analytics events."""

    async def add(self, event: Event) -> None:
        """Stage one event (`insert_if_absent` stores one with a ref at most once)."""
        self.session.add(event)

    async def delete_for(self, pseudonyms: Sequence[str]) -> None:
        """Erase one person's events (pseudonymous, but still his) under any of his
        pseudonyms: one per key in the ring."""
        await self.session.execute(delete(Event).where(Event.pseudonym.in_(pseudonyms)))
