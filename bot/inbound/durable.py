"""The durable handling of one update: skip if seen → process → record.

Long polling uses it today and a webhook will use it the same way. An update is recorded
only after `process_update` finished, and confirmed to Telegram only after that (the next
`getUpdates` offset, or a webhook's 200). A crash in between means Telegram delivers it
again; domain writes have natural unique keys, so the replay changes nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.db.models import utcnow
from bot.db.uow import UnitOfWork

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours at most; keep ids a while longer.
REMEMBER_UPDATES = timedelta(days=2)


class DurableHandler:
    """Handles each update at most once in effect, whatever the transport."""

    def __init__(
        self, app: Application[Any, Any, Any, Any, Any, Any], uow: Callable[[], UnitOfWork]
    ) -> None:
        self.app = app
        self._uow = uow

    async def seen(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these ids were handled before (one query for a whole batch)."""
        async with self._uow() as uow:
            return await uow.updates.seen(update_ids)

    async def handle(self, update: Update, *, seen: bool | None = None) -> bool:
        """Process `update` unless it was handled before, then record it; False if skipped.

        `seen` may be passed when the caller already asked for a whole batch.
        """
        if seen is None:
            seen = bool(await self.seen([update.update_id]))
        if seen:
            log.info("skipping redelivered update %s", update.update_id)
            return False
        await self.app.process_update(update)
        async with self._uow() as uow:
            await uow.updates.mark(update.update_id)
        return True

    async def forget_old(self) -> None:
        """Drop update ids too old to ever be redelivered."""
        async with self._uow() as uow:
            await uow.updates.prune(utcnow() - REMEMBER_UPDATES)
