"""Telegram's pace for messages Ura starts: a steady gap between sends, and a hold on 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pace:
    """No more than `rate` sends a second: each waits for its slot, 1/rate apart."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._gap, self._clock, self._sleep = 1.0 / rate, clock, sleep
        self._next = clock()

    async def wait(self) -> None:
        """Wait for the next slot."""
        now = self._clock()
        if self._next > now:
            await self._sleep(self._next - now)
        self._next = max(now, self._next) + self._gap

    async def hold(self, seconds: float) -> None:
        """Telegram asked us to wait: nothing leaves before then."""
        await self._sleep(seconds)
        self._next = max(self._next, self._clock())
