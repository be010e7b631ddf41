"""The update queue: numbering, pending updates, getUpdates long polling and offsets.

Behaves like Telegram: confirming an offset drops older updates, a newer getUpdates ends an older
long poll with 409 Conflict, and ``allowed_updates`` filters what is handed out. ``raw_update``
enqueues any body as is, for updates a client cannot parse.
"""

from __future__ import annotations

import asyncio
import copy

from .constants import _DEFAULT_EXCLUDED_UPDATES, CONFLICT_OTHER_POLL, JSONDict
from .errors import ApiError, UsageError
from .model import _Pending
from .state import EmulatorState


class UpdateQueueMixin(EmulatorState):
    """Pending updates and the getUpdates method that hands them out."""

    @property
    def pending(self) -> list[JSONDict]:
        """Copies of the updates Telegram still holds for the bot, in delivery order."""
        with self._lock:
            return [copy.deepcopy(p.update) for p in sorted(self._pending, key=_update_id)]

    def continue_after(self, update_id: int) -> None:
        """Number new updates after `update_id`: Telegram's ids only grow, across sessions too."""
        with self._lock:
            self._next_update_id = max(self._next_update_id, update_id + 1)

    def raw_update(self, body: JSONDict) -> int:
        """Enqueue an update body exactly as given, numbered like any other: also one that no
        client can parse (a "poison" update, e.g. a ``message`` whose ``chat`` has no ``type``),
        to test that the bot skips it and goes on. Returns its update_id."""
        if not isinstance(body, dict) or "update_id" in body or len(body) != 1:
            raise UsageError("pass one update field (e.g. {'message': {...}}), without update_id")
        return self._enqueue(copy.deepcopy(body))

    def _enqueue(self, body: JSONDict) -> int:
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            update = {"update_id": update_id, **body}
            self.updates_by_id[update_id] = copy.deepcopy(update)
            self._pending.append(_Pending(update))
        self._wake_pollers()
        return update_id

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        with self._lock:
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(map(str, allowed)) or None
            self._poll_generation += 1
            generation = self._poll_generation
        self._wake_pollers()  # an older long poll now ends with 409 Conflict
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise ApiError(409, CONFLICT_OTHER_POLL)
                batch = self._take(offset, limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            waiter: asyncio.Future[None] = loop.create_future()
            with self._lock:
                self._waiters.add(waiter)
            try:
                await asyncio.wait({waiter}, timeout=remaining)
            finally:
                with self._lock:
                    self._waiters.discard(waiter)
                waiter.cancel()

    def _take(self, offset: int, limit: int) -> list[JSONDict]:
        """Confirm ``offset`` like Telegram, then hand out the next batch."""
        if offset > 0:
            self._pending = [
                p for p in self._pending if p.update_id >= offset or (p.replay and not p.delivered)
            ]
        elif offset < 0:
            self._pending = sorted(self._pending, key=_update_id)[offset:]
        allowed = self._allowed_updates
        self._pending = [
            p
            for p in self._pending
            if (p.kind in allowed if allowed else p.kind not in _DEFAULT_EXCLUDED_UPDATES)
        ]
        batch = sorted(self._pending, key=_update_id)[:limit]
        for pending in batch:
            pending.delivered = True
        return [copy.deepcopy(p.update) for p in batch]

    def _wake_pollers(self) -> None:
        """Wake long polls; safe from any thread since the simulator may drive users from one."""
        with self._lock:
            waiters = list(self._waiters)
        for waiter in waiters:
            loop = waiter.get_loop()
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                _resolve(waiter)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, waiter)


def _update_id(pending: _Pending) -> int:
    return pending.update_id


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
