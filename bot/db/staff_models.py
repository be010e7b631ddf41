"""Tables of the staff tools: roles, the audit trail, cohorts, lesson versions and reviews,
uploads awaiting a decision, directory publications, announcements and the outbox.

Staff are keyed by numeric Telegram id (never a username). Learners appear here only as
outbox rows, which go with him when he is erased.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, Timestamp, one_of, utcnow

ROLES = ("admin", "moderator", "coordinator")
UPLOAD_KINDS = ("lessons", "directory")
UPLOAD_STATUSES = ("pending", "published", "discarded")
ANNOUNCEMENT_STATUSES = ("draft", "queued", "done", "cancelled")
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "blocked", "cancelled")


class StaffRole(Base):
    """One role held by one staff member; a row per role, re-checked at every action."""

    __tablename__ = "staff_roles"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)  # None: configuration or CLI
    granted_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class AuditEvent(Base):
    """Who did what, when, among staff: grants, publishes, reviews, announcements."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[int | None] = mapped_column(BigInteger)  # None: the command line
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)


class Cohort(Base):
    """A deep-link code a coordinator made for a club, a school or a campaign."""

    __tablename__ = "cohorts"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class LessonVersion(Base):
    """Every published version of a lesson; a learner part-way through one keeps it."""

    __tablename__ = "lesson_versions"
    __table_args__ = (UniqueConstraint("lesson_key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_key: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    track_key: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class LessonReview(Base):
    """A native speaker's review of one language of one lesson version."""

    __tablename__ = "lesson_reviews"
    __table_args__ = (UniqueConstraint("version_id", "locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lesson_versions.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    reviewed_by: Mapped[int] = mapped_column(BigInteger)
    reviewed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Upload(Base):
    """Files a moderator sent, validated and waiting for Publish or Discard."""

    __tablename__ = "uploads"
    __table_args__ = (
        CheckConstraint(one_of("kind", UPLOAD_KINDS), name="kind"),
        CheckConstraint(one_of("status", UPLOAD_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    uploaded_by: Mapped[int] = mapped_column(BigInteger)
    files: Mapped[dict[str, Any]] = mapped_column(JSON)  # relative path → text
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class DirectoryPublication(Base):
    """A published referral directory (its files); the newest one is served."""

    __tablename__ = "directory_publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[int | None] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Announcement(Base):
    """A message to a segment of learners, in each language; queued, never sent inline."""

    __tablename__ = "announcements"
    __table_args__ = (CheckConstraint(one_of("status", ANNOUNCEMENT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)  # locale → text
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    audience: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class OutboxMessage(Base):
    """One message Ura starts; the unique key means planning twice never sends twice."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "item_id", "day"),
        CheckConstraint(one_of("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_status_available_at", "status", "available_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
