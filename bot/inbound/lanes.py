"""Who goes when, for polling and webhook alike: each chat's updates in order, different
chats at once, and a press never queued behind a stranger's typed message.

A press costs a few milliseconds; a typed message is screened (phrase lists, then the
meaning model in its thread) and may be long. Everything handled beside a press adds its
share of the event loop to each step of the press, so at most `AT_ONCE` updates run at once
and at most `TYPED_AT_ONCE` of them are typed messages: a press always finds a slot, and
shares the loop with two typed messages at most. A crash repeats at most the replies of the
updates that were running (tests/faults/test_kill.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

AT_ONCE = 4
TYPED_AT_ONCE = 2

ChatKey = tuple[str, int]


def chat_key(update: Update | None, update_id: int) -> ChatKey:
    """Whose updates must keep their order: his chat's, else his own; else only itself."""
    chat = update.effective_chat if update is not None else None
    user = update.effective_user if update is not None else None
    return ("chat", chat.id) if chat else ("user", user.id) if user else ("update", update_id)


def is_typed(update: Update | None) -> bool:
    """A message he sent (screened before anything else), rather than a press or the like."""
    return update is not None and update.message is not None


class ChatLocks:
    """One lock per chat while it has updates in hand, forgotten when it has none. Waiters
    are served in the order they came (asyncio's locks are fair): his order is kept."""

    def __init__(self) -> None:
        self._locks: dict[ChatKey, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, chat: ChatKey) -> AsyncIterator[None]:
        """Wait for this chat's earlier updates (`chat_key`), then hold it."""
        lock, users = self._locks.get(chat, (asyncio.Lock(), 0))
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat]
            if users == 1:
                del self._locks[chat]
            else:
                self._locks[chat] = (lock, users - 1)


class Slots:
    """`AT_ONCE` updates running at once, at most `TYPED_AT_ONCE` of them typed messages."""

    def __init__(self) -> None:
        self._running = asyncio.Semaphore(AT_ONCE)
        self._typing = asyncio.Semaphore(TYPED_AT_ONCE)

    @asynccontextmanager
    async def take(self, update: Update | None) -> AsyncIterator[None]:
        """Wait for a slot this update may run in, and hold it."""
        typed = self._typing if is_typed(update) else contextlib.nullcontext()
        async with typed, self._running:
            yield


class Countdown:
    """`finished` is set once `down` was called `count` times (at once for zero)."""

    def __init__(self, count: int) -> None:
        self.left, self.finished = count, asyncio.Event()
        if count <= 0:
            self.finished.set()

    def down(self) -> None:
        """One fewer to wait for."""
        self.left -= 1
        if self.left <= 0:
            self.finished.set()
