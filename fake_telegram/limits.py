"""Telegram's flood control for sendMessage, as its FAQ describes it: about 30 messages a
second overall and one a second to one chat; beyond that, 429 with `retry_after`."""

from __future__ import annotations

import time
from collections import deque

from .errors import ApiError


class FloodControl:
    """Sliding one-second windows: one over every chat, one per chat."""

    def __init__(self, overall: int = 30, per_chat: int = 1) -> None:
        self.overall, self.per_chat = overall, per_chat
        self._all: deque[float] = deque()
        self._chats: dict[object, deque[float]] = {}
        self.refused = 0

    def check(self, chat_id: object) -> None:
        """Count one message to `chat_id`, or raise the 429 Telegram would answer."""
        now = time.monotonic()
        chat = self._chats.setdefault(chat_id, deque())
        for window in (self._all, chat):
            while window and now - window[0] >= 1.0:
                window.popleft()
        if len(self._all) >= self.overall or len(chat) >= self.per_chat:
            self.refused += 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._all.append(now)
        chat.append(now)
