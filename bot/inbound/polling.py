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
import bisect
import contextlib
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.inbound.durable import DurableHandler, NotDone
from bot.inbound.lanes import (
    AT_ONCE,
    TYPED_AT_ONCE,
    ChatKey,
    ChatLocks,
    Countdown,
    Slots,
    chat_key,
    is_typed,
)

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0
STALLED_WAIT = (0.25, 5.0)  # first and longest wait before an unfinished update is tried again
FAILED_WAIT = (1.0, 60.0)  # the same after a network error
# While updates are in hand, Telegram answers getUpdates at once (it hands them out again
# until they are confirmed), so the poller looks for new ones this often instead of long
# polling: a press sent in the middle of a burst is taken up within this, not after it.
LOOK_AGAIN = 0.01
MAX_TRIES = 3  # an update that fails this often in other ways is skipped and reported

ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
]

Raw = list[tuple[int, dict[str, Any]]]
Item = tuple[int, Update | None]


class Poller:
    """Fetches updates with `getUpdates`, takes up the new ones, confirms each handled one.

    Fetching goes on while updates are handled (a long message never holds up the next
    fetch); the offset moves past an update only when it and every update before it were
    handled. Each chat's updates run in order (`ChatLocks`), different chats at once
    (`Slots`), and a batch's presses before its typed messages (`Countdown`).
    """

    def __init__(self, durable: DurableHandler, *, timeout: int = 30) -> None:
        self.durable = durable
        self.app: Application[Any, Any, Any, Any, Any, Any] = durable.app
        self.timeout = timeout
        self.offset: int | None = None
        self._tries: dict[int, int] = {}
        self._chats, self._slots = ChatLocks(), Slots()
        self._flight: dict[int, asyncio.Task[bool]] = {}
        self._typed: set[int] = set()  # of those in hand, the typed messages
        self._unconfirmed: list[int] = []  # fetched and not confirmed yet, ascending
        self._done: set[int] = set()  # of those, the ones handled
        self._retry_at: dict[int, float] = {}  # of those, stalled: tried again from then on
        self._stalls: dict[int, int] = {}
        self._asked: int | None = None  # the offset the last fetch was sent with

    @property
    def busy(self) -> bool:
        """Updates are in hand, or waiting to be tried again."""
        return bool(self._flight or self._retry_at)

    def _room(self) -> bool:
        """Whether a press taken up now would start at once: fewer presses in hand than the
        slots the typed messages in hand leave free. Otherwise looking again would only
        bring back what is in hand (Telegram repeats every unconfirmed update)."""
        typed = len(self._typed)
        return len(self._flight) - typed < AT_ONCE - min(typed, TYPED_AT_ONCE)

    async def fetch(self, timeout: int | None = None) -> Raw:
        """One getUpdates call (confirming only updates already handled), each update as
        Telegram sent it (read on its own when taken up: one the library cannot read then
        comes back as None, not as a failed batch)."""
        wait = self.timeout if timeout is None else timeout
        self._asked = self.offset
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
        return [(int(data.get("update_id", -1)), data) for data in raw]

    def fresh(self, raw: Raw, now: float | None = None) -> list[Item]:
        """The fetched updates to take up now, read: not in hand, not handled and (at `now`)
        not waiting to be tried again. Every fetched one is kept until it is confirmed."""
        self._remember([update_id for update_id, _ in raw])
        return [
            (update_id, read_update(data, self.app.bot))
            for update_id, data in raw
            if self._free(update_id, now)
        ]

    def _confirmed(self, update_id: int) -> bool:
        """Confirmed while the fetch that brought it was under way (a fetch sent before an
        update was confirmed brings it again). One Telegram redelivers that was confirmed
        before is taken up again: the durable path skips it if it was recorded."""
        asked = self._asked if self._asked is not None else update_id
        return self.offset is not None and asked <= update_id < self.offset

    def _remember(self, update_ids: list[int]) -> None:
        for update_id in update_ids:
            if self._confirmed(update_id):
                continue
            if update_id not in self._done and update_id not in self._unconfirmed:
                bisect.insort(self._unconfirmed, update_id)

    def _free(self, update_id: int, now: float | None) -> bool:
        return (
            not self._confirmed(update_id)
            and update_id not in self._flight
            and update_id not in self._done
            and (now is None or self._retry_at.get(update_id, now) <= now)
        )

    async def start(self, items: list[Item]) -> list[asyncio.Task[bool]]:
        """Start handling `items`: each chat in order, different chats at once, the presses
        first (a press costs milliseconds; a typed message is screened and may be long).
        Presses behind a typed message of the same chat keep their place after it."""
        try:
            seen = await self.durable.seen([update_id for update_id, _ in items])
        except NotDone:
            seen = set()  # the database cannot say: handle, the outage notes prevent repeats
        typed_in: set[ChatKey] = set()
        leading = []
        for update_id, update in items:
            key = chat_key(update, update_id)
            if is_typed(update):
                typed_in.add(key)
            leading.append(key not in typed_in)
        quick = Countdown(sum(leading))
        tasks = []
        for (update_id, update), first in zip(items, leading, strict=True):
            run = self._run(update_id, update, update_id in seen, quick, first)
            tasks.append(task := asyncio.create_task(run))
            self._flight[update_id] = task
            if is_typed(update):
                self._typed.add(update_id)
        return tasks

    async def _run(
        self, update_id: int, update: Update | None, seen: bool, quick: Countdown, first: bool
    ) -> bool:
        try:
            async with self._chats.hold(chat_key(update, update_id)):
                if not first:
                    await quick.finished.wait()
                async with self._slots.take(update):
                    done = await self._one(update_id, update, seen)
        finally:
            if first:
                quick.down()
            self._flight.pop(update_id, None)
            self._typed.discard(update_id)
        if done:
            self._done.add(update_id)
            self._retry_at.pop(update_id, None)
            self._stalls.pop(update_id, None)
        else:
            stalls = self._stalls[update_id] = self._stalls.get(update_id, 0) + 1
            wait = min(STALLED_WAIT[0] * 2 ** (stalls - 1), STALLED_WAIT[1])
            self._retry_at[update_id] = asyncio.get_running_loop().time() + wait
        while self._unconfirmed and self._unconfirmed[0] in self._done:
            confirmed = self._unconfirmed.pop(0)
            self._done.discard(confirmed)
            self.offset = max(self.offset or 0, confirmed + 1)
        return done

    async def handle_all(self, batch: list[Item]) -> bool:
        """Handle a batch to its end (benchmarks); True when all of it was handled."""
        self._remember([update_id for update_id, _ in batch])
        return await self._to_end([item for item in batch if self._free(item[0], None)])

    async def _to_end(self, items: list[Item]) -> bool:
        """Start `items` and wait for all of them; True when every one was handled."""
        return all(await asyncio.gather(*await self.start(items)))

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
        """One round, handled to its end (tests, `ura chat`): how many updates were fetched,
        or 0 when one stalled. A stalled update is tried again in the next round; later
        ones are still handled, so one learner's stalled update never holds back another's
        crisis answer."""
        raw = await self.fetch(timeout)
        return len(raw) if await self._to_end(self.fresh(raw)) else 0

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, riding out network errors, flood control and outages.

        Only a fetch is cancelled on stop (nothing is confirmed by it); what was taken up
        always finishes.
        """
        failed = FAILED_WAIT[0]
        waiter = asyncio.ensure_future(stop.wait())
        loop = asyncio.get_running_loop()
        pruned_at = -PRUNE_EVERY_SECONDS
        try:
            while not stop.is_set():
                if loop.time() - pruned_at >= PRUNE_EVERY_SECONDS:
                    with contextlib.suppress(Exception):  # pruning waits for a healthy database
                        await self.durable.forget_old()
                        pruned_at = loop.time()
                if not self._room():  # wait until one in hand is done
                    ending = {*self._flight.values(), waiter}
                    await asyncio.wait(ending, return_when=asyncio.FIRST_COMPLETED)
                    continue
                busy = self.busy
                fetch = asyncio.ensure_future(self.fetch(0 if busy else None))
                await asyncio.wait({fetch, waiter}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await fetch
                    break
                try:
                    started = await self.start(self.fresh(fetch.result(), loop.time()))
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
                if busy and not started:  # nothing new: look again soon, or when one is due
                    due = min(self._retry_at.values(), default=loop.time()) - loop.time()
                    await _sleep_or_stop(stop, LOOK_AGAIN if self._flight else max(due, 0.0))
        finally:
            waiter.cancel()
            if self._flight:
                await asyncio.gather(*self._flight.values(), return_exceptions=True)


def read_update(data: dict[str, Any], bot: Any) -> Update | None:
    """The update, or None when the library cannot read it (it is recorded and skipped)."""
    try:
        return Update.de_json(data, bot)
    except Exception as exc:
        log.error("update %s could not be read (%s)", data.get("update_id"), type(exc).__name__)
        return None


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
