"""The durable handling of one update: skip if seen → process → record.

Long polling uses it today and a webhook will use it the same way. An update is recorded
only after `process_update` finished, and confirmed to Telegram only after that (the next
`getUpdates` offset, or a webhook's 200). A crash in between means Telegram delivers it
again; domain writes have natural unique keys, so the replay changes nothing twice.

While the database is down, updates are still processed (a crisis message is answered
from memory), but one that needs the database is left unconfirmed and tried again; the
`Outage` notes keep a retry from repeating an answer or an apology.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.db.models import utcnow
from bot.db.update_log import UpdateLog
from bot.inbound.outage import Outage

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours at most; keep ids a while longer.
REMEMBER_UPDATES = timedelta(days=2)


class NotDone(Exception):
    """The update could not be handled or recorded now; leave it unconfirmed, try again."""


class DurableHandler:
    """Handles each update at most once in effect, whatever the transport."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        log: UpdateLog,
        outage: Outage,
    ) -> None:
        self.app = app
        self._log = log
        self.outage = outage

    async def seen(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these ids were handled before (one query for a whole batch); raises
        `NotDone` when the database cannot say."""
        try:
            return await self._log.seen(update_ids)
        except Exception as exc:
            raise NotDone(type(exc).__name__) from exc

    async def handle(self, update: Update, *, seen: bool | None = None) -> bool:
        """Process `update` unless it was handled before, then record it; False if skipped.

        `seen` may be passed when the caller already asked for a whole batch. Raises
        `NotDone` when the update must be tried again later.
        """
        update_id, outage = update.update_id, self.outage
        if update_id in outage.unrecorded or (
            update_id in outage.answered and update_id not in outage.undelivered
        ):
            await self.record(update_id)  # answered during an outage: only record it
            return True
        if seen is None:
            seen = bool(await self.seen([update_id]))
        if seen:
            log.info("skipping redelivered update %s", update_id)
            return False
        outage.reset_attempt(update_id)
        await self.app.process_update(update)
        if outage.incomplete(update_id):
            raise NotDone("the update needs the database or Telegram to be answered")
        await self.record(update_id)
        return True

    async def record(self, update_id: int) -> None:
        """Record the update as handled (also for an update skipped as unreadable)."""
        try:
            await self._log.mark(update_id)
        except Exception as exc:
            self.outage.unrecorded.add(update_id)
            raise NotDone(type(exc).__name__) from exc
        self.outage.done(update_id)

    async def forget_old(self) -> None:
        """Drop update ids too old to ever be redelivered."""
        await self._log.prune(utcnow() - REMEMBER_UPDATES)
