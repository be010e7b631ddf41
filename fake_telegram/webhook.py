"""Webhook delivery: after ``setWebhook`` the emulator POSTs pending updates to the bot.

Like Telegram it sends the ``X-Telegram-Bot-Api-Secret-Token`` header, keeps at most
``max_connections`` deliveries open, drops an update only on a 2xx answer and delivers it
again otherwise (after a short wait), and refuses ``getUpdates`` while a webhook is set.
One chat's updates go one at a time, in order, which is what Telegram is seen to do.
``balance`` spreads deliveries over several URLs, as a load balancer in front of several
bot processes would; ``deliveries`` counts every attempt by its HTTP status.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from collections.abc import Callable

import httpx

from .constants import JSONDict
from .model import _Pending
from .updates import UpdateQueueMixin

RETRY_SECONDS = 0.2  # before delivering a refused update again


class WebhookMixin(UpdateQueueMixin):
    """setWebhook, deleteWebhook, getWebhookInfo and the task that pushes updates."""

    webhook_url: str | None = None
    webhook_secret: str | None = None
    deliveries: Counter[int]
    _targets: list[str]
    _pusher: asyncio.Task[None] | None = None
    _max_connections = 40
    _balanced = False

    def balance(self, urls: list[str]) -> None:
        """Deliver to these URLs in turn instead of the registered one (a load balancer in
        front of the processes: a later setWebhook from one of them does not undo it)."""
        self._targets, self._balanced = list(urls), True

    def _set_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = str(params["url"])
        self.webhook_secret = params.get("secret_token") or None
        self._max_connections = int(params.get("max_connections") or 40)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) or None
        if not self._balanced:
            self._targets = [self.webhook_url]
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.get_running_loop().create_task(self._push())
        self._wake_pollers()
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = None
        if str(params.get("drop_pending_updates", "")).lower() in ("true", "1"):
            self._pending = []
        self._wake_pollers()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
            "max_connections": self._max_connections,
        }

    async def stop_webhook(self) -> None:
        """Stop delivering (the end of a test); pending updates stay pending."""
        self.webhook_url = None
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher

    async def _push(self) -> None:
        busy: set[int] = set()  # chats with a delivery open
        open_: set[asyncio.Task[None]] = set()
        turn = itertools.count()
        async with httpx.AsyncClient(timeout=60) as client:
            try:
                while self.webhook_url is not None:
                    for pending in self._deliverable(busy, self._max_connections - len(open_)):
                        chat = _chat_of(pending.update)
                        busy.add(chat)
                        url = self._targets[next(turn) % len(self._targets)]
                        task = asyncio.create_task(self._deliver(client, url, pending))
                        open_.add(task)
                        task.add_done_callback(self._closed(busy, open_, chat))
                    await self._wait()
            finally:
                for task in open_:
                    task.cancel()

    def _closed(
        self, busy: set[int], open_: set[asyncio.Task[None]], chat: int
    ) -> Callable[[asyncio.Task[None]], None]:
        """When a delivery ends, its chat may take the next update."""

        def closed(task: asyncio.Task[None]) -> None:
            busy.discard(chat)
            open_.discard(task)
            self._wake_pollers()

        return closed

    def _deliverable(self, busy: set[int], room: int) -> list[_Pending]:
        with self._lock:
            allowed = self._allowed_updates
            if allowed:  # what the bot did not ask for is dropped, as Telegram does
                self._pending = [p for p in self._pending if p.kind in allowed]
            chosen: list[_Pending] = []
            seen_chats: set[int] = set()
            for pending in sorted(self._pending, key=lambda p: p.update_id):
                chat = _chat_of(pending.update)
                if chat in seen_chats or chat in busy:
                    seen_chats.add(chat)
                    continue
                seen_chats.add(chat)
                if pending.delivered:
                    continue
                if len(chosen) < room:
                    pending.delivered = True  # in flight
                    chosen.append(pending)
            return chosen

    async def _deliver(self, client: httpx.AsyncClient, url: str, pending: _Pending) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret or ""}
        try:
            answer = await client.post(url, json=pending.update, headers=headers)
            status = answer.status_code
        except httpx.HTTPError:
            status = 0
        self.deliveries[status] += 1
        if 200 <= status < 300:
            with self._lock:
                self._pending = [p for p in self._pending if p is not pending]
            return
        await asyncio.sleep(RETRY_SECONDS)
        pending.delivered = False  # Telegram tries again

    async def _wait(self) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._waiters.add(waiter)
        try:
            await asyncio.wait({waiter}, timeout=0.5)
        finally:
            with self._lock:
                self._waiters.discard(waiter)
            waiter.cancel()


def _chat_of(update: JSONDict) -> int:
    """The chat an update belongs to (0 when it names none), to keep one chat in order."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat") or {}
            if "id" in chat:
                return int(chat["id"])
            sender = value.get("from") or {}
            return int(sender.get("id", 0))
    return 0
