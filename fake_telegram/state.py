"""The server-side state shared by the mixins that make up ``BotApiEmulator``.

``EmulatorState`` only declares the attributes (``BotApiEmulator.__init__`` sets them) and holds
the few helpers every side needs, so each mixin type-checks on its own.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

from .constants import JSONDict
from .faults import _Fault
from .model import _File, _Pending, _Stored


class EmulatorState:
    """Attributes of the emulated server; see ``BotApiEmulator`` for their meaning."""

    bot_id = 7000001
    bot_username = "ura_test_bot"
    first_name = "Ura"

    chats: dict[int, JSONDict]
    users: dict[int, JSONDict]
    blocked: set[int]
    updates_by_id: dict[int, JSONDict]
    calls: list[tuple[str, JSONDict]]
    errors: list[str]
    failures: list[tuple[str, int, str]]
    callback_answers: list[JSONDict]

    _lock: threading.RLock
    _pending: list[_Pending]
    _next_update_id: int
    _messages: dict[int, dict[int, _Stored]]
    _next_message_id: dict[int, int]
    _callback_ids: set[str]
    _ids: itertools.count[int]
    _allowed_updates: frozenset[str] | None
    _poll_generation: int
    _waiters: set[asyncio.Future[None]]
    _faults: list[_Fault]
    _files: dict[str, _File]
    _commands: dict[tuple[int | None, str], list[tuple[str, str]]]  # (chat or None, language)

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a Bot API User object (``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.bot_username,
        }

    def _now(self) -> int:
        return int(time.time())

    def _file_id(self, kind: str) -> str:
        return f"AgAC{kind.upper()}{next(self._ids):06d}"

    def _keep_file(
        self, kind: str, content: bytes, name: str | None = None, mime_type: str | None = None
    ) -> _File:
        """Hold a file's bytes under a new file_id, for getFile and downloads."""
        file = _File(self._file_id(kind), kind, content, name, mime_type)
        self._files[file.file_id] = file
        return file

    def _next_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id
