"""Pseudonymous analytics: events carry HMAC(key, telegram id), never the id."""

from __future__ import annotations

import hashlib
import hmac

from bot.db.models import EVENT_REF_LENGTH, EVENT_VALUE_LENGTH, Event
from bot.db.uow import UnitOfWork
from bot.pseudonyms import KeyRing


def _hmac(key: bytes, user_id: int) -> str:
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


class Analytics:
    """Records events under a keyed pseudonym; the keys live in configuration (or the data
    directory), never in the database."""

    def __init__(self, keys: KeyRing) -> None:
        self._keys = keys

    def pseudonym(self, user_id: int) -> str:
        """A stable id for counting people that cannot be turned back into a Telegram id."""
        return _hmac(self._keys.current, user_id)

    def pseudonyms(self, user_id: int) -> list[str]:
        """His pseudonym under every key in the ring: /delete must find events older than
        the current key."""
        return [_hmac(key, user_id) for key in self._keys.keys]

    async def record(
        self,
        uow: UnitOfWork,
        user_id: int,
        name: str,
        *,
        ref: str | None = None,
        locale: str | None = None,
        track_key: str | None = None,
        lesson_key: str | None = None,
        value: str | None = None,
        country: str | None = None,
    ) -> bool:
        """Stage one event in the caller's transaction, so it commits with the change it counts.

        `ref` names its cause (a message, a press, "once"): with it, the same event for the
        same person and cause is stored once, so a replay or a double tap counts nothing
        twice. Returns whether the event was stored now.
        """
        if value is not None and len(value) > EVENT_VALUE_LENGTH:
            # A programming error: values are codes and categories, never free text.
            raise ValueError(f"event {name!r}: value longer than {EVENT_VALUE_LENGTH}")
        if ref is not None and len(ref) > EVENT_REF_LENGTH:
            raise ValueError(f"event {name!r}: ref longer than {EVENT_REF_LENGTH}")
        event = Event(
            pseudonym=self.pseudonym(user_id),
            name=name,
            ref=ref,
            locale=locale,
            track_key=track_key,
            lesson_key=lesson_key,
            value=value,
            country=country,
        )
        if ref is None:
            await uow.events.add(event)
            return True
        return await uow.events.insert_if_absent(event)
