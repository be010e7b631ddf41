"""The rhythm a learner chose for messages Ura starts: one row per learner, erased with him."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, Timestamp, one_of

RHYTHMS = ("ask", "daily", "3week", "weekly")  # "ask": only when he asks (the default)


class Rhythm(Base):
    """When Ura may write first: his rhythm, hour and quiet hours in his time zone; paused
    until a time, or stopped (by /stop or "Stop these messages") until he writes /start."""

    __tablename__ = "rhythms"
    __table_args__ = (
        CheckConstraint(one_of("rhythm", RHYTHMS), name="rhythm"),
        Index(
            "ix_rhythms_zone_hour", "timezone", "hour"
        ),  # the planner: zone by zone, hour by hour
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    rhythm: Mapped[str] = mapped_column(String(8), default="ask")
    hour: Mapped[int] = mapped_column(Integer, default=18)  # local hour for the next lesson
    timezone: Mapped[str] = mapped_column(String(40))
    chose_timezone: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_start: Mapped[int] = mapped_column(Integer, default=22)
    quiet_end: Mapped[int] = mapped_column(Integer, default=8)
    silent: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[datetime | None] = mapped_column(Timestamp)
    stopped_at: Mapped[datetime | None] = mapped_column(Timestamp)
