"""Typed SQLAlchemy models.

What is *not* here matters as much as what is: no names, no usernames, no typed text.
Enums are plain strings with CHECK constraints (no native enums: they make migrations painful).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import literal_column

from bot.db.weeks import week_of

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

USER_STATUSES = ("active", "blocked")
# The longest value an event holds is a cohort code (64); a ref fits a press's message id
# and its callback data (at most 64 bytes).
EVENT_VALUE_LENGTH = 64
EVENT_REF_LENGTH = 80
PUBLICATION_SOURCES = ("files", "upload")
LESSON_STATUSES = ("published", "unpublished")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK clause that keeps a string column within its allowed values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    """Aware UTC now; every timestamp we store is UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations stay stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


Timestamp = DateTime(timezone=True)


class User(Base):
    """A learner, keyed by his numeric Telegram id; nothing that names him."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(one_of("status", USER_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    locale: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="active")
    cohort: Mapped[str | None] = mapped_column(String(64))
    # Asked once, the first time help is shown ("zz": not one of ours, or rather not say);
    # never guessed from anything else about him.
    country: Mapped[str | None] = mapped_column(String(2))
    current_lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Publication(Base):
    """One publish of the lesson catalog; the newest id is the catalog's version.

    Every process compares its loaded version with the newest id and reloads when it is
    behind, so a publish reaches all of them without a restart. `source_hash` identifies the
    published set of files, so start-up publishes a deployment's files once.
    """

    __tablename__ = "publications"
    __table_args__ = (CheckConstraint(one_of("source", PUBLICATION_SOURCES), name="source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_hash: Mapped[str] = mapped_column(String(64), index=True)
    published_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Track(Base):
    """A sequence of lessons on one theme; texts live in the lesson files."""

    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Lesson(Base):
    """A published lesson: where it sits, and which version new starts get."""

    __tablename__ = "lessons"
    __table_args__ = (CheckConstraint(one_of("status", LESSON_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson_versions.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default="published")


class _PerUserLesson:
    """Columns of a row that exists at most once per user and lesson.

    That natural key is what makes a replayed update or a double tap change nothing;
    deleting the user deletes these rows with him.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))


class Progress(_PerUserLesson, Base):
    """Where one user is in one lesson; one row per user and lesson, never two."""

    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    step: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The version he started: he finishes it undisturbed by a newer publish.
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson_versions.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    act_at: Mapped[datetime | None] = mapped_column(Timestamp)  # for the next day's check-in
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class QuizAnswer(_PerUserLesson, Base):
    """The first answer a user gave to a lesson's quiz; a second tap changes nothing."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    option: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class ProcessedUpdate(Base):
    """Telegram update ids already handled, so a redelivered update is skipped."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)


class Event(Base):
    """A pseudonymous analytics event: HMAC of the user id, never the id itself.

    `ref` names the event's cause (a message, a press, "once"); with the pseudonym and the
    name it is the natural key, so a replayed update counts nothing twice. Events without a
    ref are never deduplicated (NULLs are distinct on both databases).
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("pseudonym", "name", "ref"),
        # The staff statistics (bot/staff/stats.py) read these indexes alone, never the
        # table: the first two hold each event's week (computed once, at insert), so the
        # active learners of every week, and a week's `started` events, come out already
        # grouped by week and person; per-lesson, per-answer and per-name counts come from
        # the third, each lesson's learners in pseudonym order (so counted without a sort
        # or a hash), per-language (and per-country) ones from the fourth, per-track ones (and
        # each learner's completed lessons in a track) from the fifth.
        Index(
            "ix_events_week",
            week_of(literal_column("created_at")),
            "pseudonym",
            "created_at",
            "locale",
        ),
        Index(
            "ix_events_name_week",
            "name",
            week_of(literal_column("created_at")),
            "pseudonym",
            "created_at",
            "locale",
        ),
        Index(
            "ix_events_name_lesson_key",
            "name",
            "lesson_key",
            "pseudonym",
            "value",
            "version",
            "track_key",
            "locale",
            "created_at",
        ),
        Index("ix_events_name_locale", "name", "locale", "pseudonym", "created_at", "country"),
        Index(
            "ix_events_name_track_key",
            "name",
            "track_key",
            "pseudonym",
            "lesson_key",
            "locale",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str | None] = mapped_column(String(EVENT_REF_LENGTH))
    locale: Mapped[str | None] = mapped_column(String(8))
    track_key: Mapped[str | None] = mapped_column(String(32))
    lesson_key: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[str | None] = mapped_column(String(EVENT_VALUE_LENGTH))
    version: Mapped[int | None] = mapped_column(Integer)  # the lesson version it is about
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


# The staff tools' tables share this metadata (and lessons and progress point at their
# lesson versions), so they are defined whenever these models are.
from bot.db import rhythm_models as _rhythm_models  # noqa: E402, F401
from bot.db import staff_models as _staff_models  # noqa: E402, F401
