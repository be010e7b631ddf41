"""Pseudonymous analytics: events carry HMAC(key, telegram id), never the id."""

from __future__ import annotations

import hashlib
import hmac

from bot.db.models import Event
from bot.db.uow import UnitOfWork


class Analytics:
    """Records events under a keyed pseudonym; the key lives in configuration only."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def pseudonym(self, user_id: int) -> str:
        """A stable id for counting people that cannot be turned back into a Telegram id."""
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()

    async def record(
        self,
        uow: UnitOfWork,
        user_id: int,
        name: str,
        *,
        locale: str | None = None,
        track_key: str | None = None,
        lesson_key: str | None = None,
        value: str | None = None,
        country: str | None = None,
    ) -> None:
        """Stage one event in the caller's transaction, so it commits with the change it counts."""
        await uow.events.add(
            Event(
                pseudonym=self.pseudonym(user_id),
                name=name,
                locale=locale,
                track_key=track_key,
                lesson_key=lesson_key,
                value=value,
                country=country,
            )
        )
