"""Durable long polling: an update is confirmed to Telegram only after it was handled.

PTB's stock Updater confirms a batch as soon as it fetches it, so a crash mid-batch loses
those updates. Here the offset moves past an update only after `DurableHandler.handle`
processed and recorded it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.inbound.durable import DurableHandler

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0

ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
]


class Poller:
    """Fetches updates with `getUpdates`, handles each, then confirms it."""

    def __init__(self, durable: DurableHandler, *, timeout: int = 30) -> None:
        self.durable = durable
        self.app: Application[Any, Any, Any, Any, Any, Any] = durable.app
        self.timeout = timeout
        self.offset: int | None = None

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
        seen = await self.durable.seen([update.update_id for update in updates])
        for update in updates:
            await self.durable.handle(update, seen=update.update_id in seen)
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
                    await self.durable.forget_old()
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
