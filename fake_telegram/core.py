"""``BotApiEmulator``: the emulated server composed from its mixins, plus the dispatcher.

The constructor sets up all server state; ``call``/``handle`` decode parameters, apply injected
failures (``fail_next``) and route each Bot API call to its handler; the bot-side views expose
what a user would currently see.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from .constants import JSONDict
from .errors import ApiError, UsageError, _bad
from .methods import BotApiMethodsMixin
from .model import SentMessage, _Pending, _snapshot, _Stored
from .params import _normalize
from .updates import UpdateQueueMixin
from .users import UserSideMixin


class BotApiEmulator(UserSideMixin, UpdateQueueMixin, BotApiMethodsMixin):
    """In-memory Telegram Bot API server state plus the dispatcher answering Bot API calls."""

    def __init__(
        self,
        *,
        bot_id: int = 7000001,
        bot_username: str = "ura_test_bot",
        first_name: str = "Ura",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.first_name = first_name
        self.clock = clock

        self.chats: dict[int, JSONDict] = {}
        self.users: dict[int, JSONDict] = {}
        self.blocked: set[int] = set()
        self.updates_by_id: dict[int, JSONDict] = {}
        self.calls: list[tuple[str, JSONDict]] = []
        self.errors: list[str] = []
        self.failures: list[tuple[str, int, str]] = []
        self.callback_answers: list[JSONDict] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[str, list[JSONDict]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.reply_keyboards: dict[int, list[list[str]] | None] = {}
        self.webhook_url = ""
        self.webhook_params: JSONDict = {}

        self._lock = threading.RLock()
        self._pending: list[_Pending] = []
        self._next_update_id = 1
        self._messages: dict[int, dict[int, _Stored]] = {}
        self._next_message_id: dict[int, int] = {}
        self._callback_ids: set[str] = set()
        self._ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._waiters: set[asyncio.Future[None]] = set()
        self._fail_next: dict[str, list[ApiError]] = {}
        self._handlers: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": self._set_my_description,
                "getMyDescription": self._get_my_description,
                "setMyShortDescription": self._set_my_short_description,
                "getMyShortDescription": self._get_my_short_description,
                "setMyName": self._set_my_name,
                "getMyName": self._get_my_name,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
            }.items()
        }

    # ------------------------------------------------------------------ test controls

    def fail_next(
        self,
        method: str,
        code: int,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next call of ``method`` fail once (calls stack), to test error handling."""
        if description is None:
            if code == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            else:
                try:
                    description = HTTPStatus(code).phrase
                except ValueError:
                    description = "Error"
        if code == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._fail_next.setdefault(method.lower(), []).append(
                ApiError(code, description, retry_after=retry_after)
            )

    # ------------------------------------------------------------------ bot-side views

    def bot_messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's (undeleted) messages in a chat, oldest first, in their current state."""
        with self._lock:
            return [
                _snapshot(chat_id, message_id, stored)
                for message_id, stored in sorted(self._messages.get(chat_id, {}).items())
                if stored.from_bot and not stored.deleted
            ]

    def last(self, chat_id: int) -> SentMessage:
        """The bot's most recent message in a chat."""
        messages = self.bot_messages(chat_id)
        if not messages:
            raise UsageError(f"the bot has no messages in chat {chat_id}")
        return messages[-1]

    def texts(self, chat_id: int) -> list[str]:
        """Texts of the bot's messages in a chat, oldest first."""
        return [message.text for message in self.bot_messages(chat_id)]

    def deleted_message_ids(self, chat_id: int) -> list[int]:
        """Ids of messages (anyone's) deleted in a chat."""
        with self._lock:
            return sorted(i for i, s in self._messages.get(chat_id, {}).items() if s.deleted)

    def calls_to(self, method: str) -> list[JSONDict]:
        """Decoded parameters of every call to one method (case-insensitive)."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    # ------------------------------------------------------------------ dispatcher

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Answer one Bot API call: return its result or raise ApiError."""
        entry = self._handlers.get(method.lower())
        name = entry[0] if entry else method
        try:
            decoded = {key: _normalize(key, value) for key, value in params.items()}
        except ApiError as exc:
            decoded = dict(params)
            self._record_failure(name, decoded, exc)
            raise
        with self._lock:
            self.calls.append((name, decoded))
            queued = self._fail_next.get(method.lower())
            injected = queued.pop(0) if queued else None
        try:
            if injected is not None:
                raise injected
            if method.lower() == "getupdates":
                return await self._get_updates(decoded)
            if entry is None:
                raise ApiError(404, f"Not Found: method {method} is not emulated", unexpected=True)
            with self._lock:
                return entry[1](decoded)
        except ApiError as exc:
            self._record_failure(name, decoded, exc)
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            error = _bad(f"malformed {name} call: {exc!r}")
            self._record_failure(name, decoded, error)
            raise error from exc

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSONDict]:
        """Answer a call as an HTTP status and the JSON envelope Telegram would send."""
        try:
            result = await self.call(method, params)
        except ApiError as exc:
            return exc.code, exc.to_json()
        return 200, {"ok": True, "result": result}

    def _record_failure(self, name: str, params: JSONDict, exc: ApiError) -> None:
        with self._lock:
            self.failures.append((name, exc.code, exc.description))
            if exc.unexpected:
                self.errors.append(f"{name}({params!r}) -> {exc.code} {exc.description}")
