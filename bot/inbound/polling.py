"""Durable long polling: an update is confirmed to Telegram only after it was handled.

PTB's stock Updater confirms a batch as soon as it fetches it, so a crash mid-batch loses
those updates. Here the offset moves past an update only after `process_update` finished
and its id was recorded; a redelivered id is skipped. Domain writes are idempotent too, so
an update replayed after a crash between handling and recording changes nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.db.models import utcnow
from bot.db.uow import UnitOfWork

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours at most; keep ids a while longer.
REMEMBER_UPDATES = timedelta(days=2)
PRUNE_EVERY_SECONDS = 3600.0

ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
]


class Poller:
    """Fetches updates with `getUpdates`, handles each, then confirms it."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        uow: Callable[[], UnitOfWork],
        *,
        timeout: int = 30,
    ) -> None:
        self.app = app
        self._uow = uow
        self.timeout = timeout
        self.offset: int | None = None

    async def _handle(self, update: Update) -> None:
        """Handle one update, then record its id (in its own short transaction)."""
        await self.app.process_update(update)
        async with self._uow() as uow:
            await uow.updates.mark(update.update_id)

    async def prune(self) -> None:
        """Drop update ids too old to ever be redelivered."""
        async with self._uow() as uow:
            await uow.updates.prune(utcnow() - REMEMBER_UPDATES)

    async def fetch(self, timeout: int | None = None) -> tuple[Update, ...]:
        """One getUpdates call; it confirms (to Telegram) only updates already handled."""
        updates: tuple[Update, ...] = await self.app.bot.get_updates(
            offset=self.offset,
            timeout=self.timeout if timeout is None else timeout,
            allowed_updates=ALLOWED_UPDATES,
        )
        return updates

    async def handle_all(self, updates: tuple[Update, ...]) -> None:
        """Handle a batch in order, skipping ids handled before; the offset follows along."""
        async with self._uow() as uow:
            seen = await uow.updates.seen([update.update_id for update in updates])
        for update in updates:
            if update.update_id in seen:
                log.info("skipping redelivered update %s", update.update_id)
            else:
                await self._handle(update)
            self.offset = update.update_id + 1

    async def poll_once(self, timeout: int | None = None) -> int:
        """One round: fetch, then handle; returns how many updates came."""
        updates = await self.fetch(timeout)
        await self.handle_all(updates)
        return len(updates)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, backing off on network errors and flood control.

        Only the fetch is cancelled on stop (nothing is confirmed by it); a batch being
        handled always finishes.
        """
        delay = 1.0
        waiter = asyncio.ensure_future(stop.wait())
        loop = asyncio.get_running_loop()
        pruned_at = -PRUNE_EVERY_SECONDS
        try:
            while not stop.is_set():
                if loop.time() - pruned_at >= PRUNE_EVERY_SECONDS:
                    await self.prune()
                    pruned_at = loop.time()
                fetch = asyncio.ensure_future(self.fetch())
                await asyncio.wait({fetch, waiter}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await fetch
                    break
                try:
                    await self.handle_all(fetch.result())
                    delay = 1.0
                except RetryAfter as exc:
                    wait = exc.retry_after
                    seconds = wait if isinstance(wait, int) else wait.total_seconds()
                    await _sleep_or_stop(stop, float(seconds))
                except (TimedOut, NetworkError) as exc:
                    log.warning("getUpdates failed (%s); retrying in %.0fs", exc, delay)
                    await _sleep_or_stop(stop, delay)
                    delay = min(delay * 2, 60.0)
        finally:
            waiter.cancel()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
