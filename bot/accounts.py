"""Learners' accounts: first contact, language, cohort; nothing that identifies a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.analytics import Analytics
from bot.db.models import User, utcnow
from bot.db.rhythm_models import Rhythm
from bot.db.uow import UnitOfWork
from bot.delivery.reminders import cancel_queued
from bot.delivery.rhythm import default_zone
from bot.i18n.locales import SUPPORTED_LOCALES, negotiate
from bot.staff import cohorts

SEEN_EVERY = timedelta(minutes=5)
# Built once: every update runs it, and building a statement and its cache key each time
# cost about a tenth of a millisecond (the same holds for the other per-press statements).
_KNOWN = select(
    User.id, User.chat_id, User.locale, User.status, User.cohort, User.last_seen_at
).where(User.id == bindparam("user_id"))


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every one we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Account:
    """What the rest of the bot needs to know about a user."""

    user_id: int
    locale: str
    chose_locale: bool
    cohort: str | None
    is_new: bool = False


class _Stored(Protocol):
    """What an account is made of: a `User`, or a row of its columns."""

    id: int
    locale: str | None
    cohort: str | None


def _account(user: _Stored, *, is_new: bool = False, fallback_locale: str = "en") -> Account:
    return Account(
        user_id=user.id,
        locale=user.locale or fallback_locale,
        chose_locale=user.locale is not None,
        cohort=user.cohort,
        is_new=is_new,
    )


async def suggest_zone(uow: UnitOfWork, user: User) -> None:
    """His zone follows his country, else his language, until he picks one himself."""
    rhythm = await uow.session.get(Rhythm, user.id)
    if rhythm is not None and not rhythm.chose_timezone:
        rhythm.timezone = default_zone(user.country, user.locale)


class Accounts:
    """Creates and updates learners."""

    def __init__(self, analytics: Analytics) -> None:
        self._analytics = analytics

    async def known(
        self, reads: AsyncEngine, *, user_id: int, chat_id: int, language_code: str | None
    ) -> Account | None:
        """His account when nothing about him needs writing (most updates: one read on a
        bare connection, no write lock); None when `ensure` must run: new, blocked, moved
        chat, seen long ago."""
        async with reads.connect() as conn:
            row = (await conn.execute(_KNOWN, {"user_id": user_id})).first()
        if (
            row is None
            or row.status == "blocked"
            or row.chat_id != chat_id
            or row.last_seen_at is None
            or utcnow() - _aware(row.last_seen_at) >= SEEN_EVERY
        ):
            return None
        return _account(row, fallback_locale=negotiate(language_code))

    async def ensure(
        self, uow: UnitOfWork, *, user_id: int, chat_id: int, language_code: str | None
    ) -> Account:
        """The user's account, created on first contact; also marks him as seen now."""
        fallback = negotiate(language_code)
        user = await uow.users.get_for_update(user_id)
        is_new = user is None
        if user is None:
            user = User(id=user_id, chat_id=chat_id)
            if not await uow.users.insert_if_absent(user):
                user = await uow.users.get_for_update(user_id)
                assert user is not None
                is_new = False
        if is_new:
            await self._analytics.record(uow, user_id, "started", ref="once", locale=fallback)
            zone = default_zone(None, fallback)
            await uow.users.insert_if_absent(Rhythm(user_id=user_id, timezone=zone))
        now = utcnow()
        # Only the day he was last seen matters (nudges, segments): writing it at most every
        # few minutes spares most presses an UPDATE.
        if user.last_seen_at is None or now - _aware(user.last_seen_at) >= SEEN_EVERY:
            user.last_seen_at = now
        if user.chat_id != chat_id:
            user.chat_id = chat_id
        if user.status == "blocked":
            user.status = "active"
        return _account(user, is_new=is_new, fallback_locale=fallback)

    async def join_cohort(self, uow: UnitOfWork, *, user_id: int, payload: str | None) -> None:
        """Remember the deep-link cohort code, once, if staff created it (`/cohorts`); any
        other payload (a phone number, a name, any text he typed after /start) is dropped
        unseen: not stored, counted or logged."""
        if payload is None or not await cohorts.exists(uow, payload):
            return
        user = await uow.users.get_for_update(user_id)
        if user is not None and user.cohort is None:
            user.cohort = payload
            await self._analytics.record(uow, user_id, "cohort_joined", ref="once", value=payload)

    async def set_status(self, uow: UnitOfWork, *, user_id: int, blocked: bool) -> None:
        """He blocked the bot (or unblocked it): stop or resume sending to him."""
        user = await uow.users.get_for_update(user_id)
        if user is not None:
            user.status = "blocked" if blocked else "active"
            if blocked:
                await cancel_queued(uow, [user_id])

    async def erase(self, uow: UnitOfWork, *, user_id: int) -> None:
        """/delete: remove the user, his progress and answers (cascade) and his events under
        every key in the ring, so a key change never keeps any of them."""
        await uow.users.delete(user_id)
        await uow.events.delete_for(self._analytics.pseudonyms(user_id))

    async def set_locale(self, uow: UnitOfWork, *, user_id: int, locale: str) -> Account | None:
        """Save the chosen language; None if the locale is not one we speak."""
        user = await uow.users.get_for_update(user_id)
        if user is None or locale not in SUPPORTED_LOCALES:
            return None
        if user.locale != locale:
            user.locale = locale
            await suggest_zone(uow, user)
            await self._analytics.record(uow, user_id, "locale_set", ref=locale, locale=locale)
        return _account(user)
