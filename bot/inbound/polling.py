"""Durable long polling: an update is confirmed to Telegram only after it was handled.

PTB's stock Updater confirms a batch as soon as it fetches it, so a crash mid-batch loses
those updates. Here the offset moves past an update only after `DurableHandler.handle`
processed and recorded it. The loop rides out what it can: network errors, flood control,
a database outage (updates stay unconfirmed and are tried again within seconds of the
database returning), an update the Telegram library cannot read (skipped and reported).
A 409 Conflict means another instance polls with the same token: that is said, and it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.inbound.durable import DurableHandler, NotDone

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0
STALLED_WAIT = (0.25, 5.0)  # first and longest wait before trying an unfinished batch again
FAILED_WAIT = (1.0, 60.0)  # the same after a network error
MAX_TRIES = 3
# Updates of different chats handled at once, and how many of them may be typed messages
# (each is screened, and may be long). Every update handled beside a press adds its share of
# the loop to each step of the press, so this bounds what a burst of long messages can add
# to it; and a crash can repeat at most the replies in flight (tests/faults/test_kill.py).
AT_ONCE = 4
TYPED_AT_ONCE = 2  # an update that fails this often in other ways is skipped and reported

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
        self._tries: dict[int, int] = {}

    async def fetch(self, timeout: int | None = None) -> list[tuple[int, Update | None]]:
        """One getUpdates call (confirming only updates already handled), each update read
        on its own: one the library cannot read comes back as None, not as a failed batch."""
        wait = self.timeout if timeout is None else timeout
        with warnings.catch_warnings():  # PTB suggests get_updates, which parses all or none
            warnings.filterwarnings("ignore", message=".*getUpdates", category=PTBUserWarning)
            raw: list[dict[str, Any]] = await self.app.bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": self.offset,
                    "timeout": wait,
                    "allowed_updates": ALLOWED_UPDATES,
                },
                read_timeout=wait + 10,
            )
        return [(int(data.get("update_id", -1)), read_update(data, self.app.bot)) for data in raw]

    async def handle_all(self, batch: list[tuple[int, Update | None]]) -> bool:
        """Handle a batch: each chat's updates in order, different chats at once (one
        learner's long message never holds up another's button press). The offset then
        follows along up to the first update that must be tried again. Later updates are
        still handled, so one learner's stalled update never holds back another's crisis
        answer. True when all were done."""
        try:
            seen = await self.durable.seen([update_id for update_id, _ in batch])
        except NotDone:
            seen = set()  # the database cannot say: handle, the outage notes prevent repeats
        done: dict[int, bool] = {}
        running, typing = asyncio.Semaphore(AT_ONCE), asyncio.Semaphore(TYPED_AT_ONCE)

        async def in_order(updates: list[tuple[int, Update | None]]) -> None:
            for update_id, update in updates:
                typed = update is not None and update.message is not None
                async with typing if typed else contextlib.nullcontext(), running:
                    done[update_id] = await self._one(update_id, update, update_id in seen)

        await asyncio.gather(*(in_order(updates) for updates in by_chat(batch)))
        stalled = False
        for update_id, _ in batch:
            stalled = stalled or not done[update_id]
            if not stalled:
                self.offset = update_id + 1
        return not stalled

    async def _one(self, update_id: int, update: Update | None, seen: bool) -> bool:
        try:
            if update is None:  # unreadable: nothing can handle it; record it and move on
                await self.durable.record(update_id)
            else:
                await self.durable.handle(update, seen=seen)
            self._tries.pop(update_id, None)
            return True
        except NotDone as exc:
            log.warning(
                "update %s will be tried again (%s)", update_id, exc.args[0] if exc.args else ""
            )
            return False
        except Exception as exc:
            tries = self._tries[update_id] = self._tries.get(update_id, 0) + 1
            if tries < MAX_TRIES:
                log.error("update %s failed (%s), try %d", update_id, type(exc).__name__, tries)
                return False
            log.error("update %s skipped after %d tries (%s)", update_id, tries, type(exc).__name__)
            self._tries.pop(update_id, None)
            with contextlib.suppress(NotDone):
                await self.durable.record(update_id)
            return True

    async def poll_once(self, timeout: int | None = None) -> int:
        """One round: fetch, then handle; how many updates were finished (0 when stalled)."""
        batch = await self.fetch(timeout)
        return len(batch) if await self.handle_all(batch) else 0

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, riding out network errors, flood control and outages.

        Only the fetch is cancelled on stop (nothing is confirmed by it); a batch being
        handled always finishes.
        """
        stalled, failed = STALLED_WAIT[0], FAILED_WAIT[0]
        waiter = asyncio.ensure_future(stop.wait())
        loop = asyncio.get_running_loop()
        pruned_at = -PRUNE_EVERY_SECONDS
        try:
            while not stop.is_set():
                if loop.time() - pruned_at >= PRUNE_EVERY_SECONDS:
                    with contextlib.suppress(Exception):  # pruning waits for a healthy database
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
                    finished = await self.handle_all(fetch.result())
                except (Conflict, InvalidToken):
                    raise  # another process polls with this token, or the token is wrong: stop
                except RetryAfter as exc:
                    wait = exc.retry_after
                    seconds = wait if isinstance(wait, int) else wait.total_seconds()
                    await _sleep_or_stop(stop, float(seconds))
                    continue
                except Exception as exc:  # network errors, and anything else: back off, go on
                    kind = (
                        "getUpdates failed" if isinstance(exc, NetworkError) else "polling failed"
                    )
                    log.warning("%s (%s); retrying in %.1fs", kind, type(exc).__name__, failed)
                    await _sleep_or_stop(stop, failed)
                    failed = min(failed * 2, FAILED_WAIT[1])
                    continue
                failed = FAILED_WAIT[0]
                if finished:
                    stalled = STALLED_WAIT[0]
                else:
                    await _sleep_or_stop(stop, stalled)
                    stalled = min(stalled * 2, STALLED_WAIT[1])
        finally:
            waiter.cancel()


def by_chat(batch: list[tuple[int, Update | None]]) -> list[list[tuple[int, Update | None]]]:
    """The batch split by chat (by user where an update has no chat), each in arrival order;
    an update nobody can be named for (or could not be read) goes alone."""
    lanes: dict[object, list[tuple[int, Update | None]]] = {}
    for update_id, update in batch:
        lanes.setdefault(chat_key(update, update_id), []).append((update_id, update))
    return list(lanes.values())


def read_update(data: dict[str, Any], bot: Any) -> Update | None:
    """The update, or None when the library cannot read it (it is recorded and skipped)."""
    try:
        return Update.de_json(data, bot)
    except Exception as exc:
        log.error("update %s could not be read (%s)", data.get("update_id"), type(exc).__name__)
        return None


def chat_key(update: Update | None, update_id: int) -> tuple[str, int]:
    """Whose updates must keep their order: his chat's, else his own; else only itself."""
    chat = update.effective_chat if update is not None else None
    user = update.effective_user if update is not None else None
    return ("chat", chat.id) if chat else ("user", user.id) if user else ("update", update_id)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
