"""``BotApiEmulator``: the emulated server composed from its mixins, plus the dispatcher.

The constructor sets up all server state; ``handle`` decodes parameters, applies injected
failures (``fail_next``, ``stall_next``; see ``faults``) and routes each Bot API call to its handler; the bot-side views expose
what a user would currently see.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from .constants import CONFLICT_WEBHOOK, JSONDict
from .errors import ApiError, UsageError, _bad
from .faults import GATEWAY_TIMEOUT, _fault, _take_fault
from .limits import FloodControl
from .methods import BotApiMethodsMixin
from .model import SentMessage, _snapshot
from .params import _decode
from .users import UserSideMixin
from .webhook import WebhookMixin


class BotApiEmulator(UserSideMixin, BotApiMethodsMixin, WebhookMixin):
    """In-memory Telegram Bot API server state plus the dispatcher answering Bot API calls.

    ``calls`` lists every call (method, decoded parameters), ``failures`` every error answered,
    and ``errors`` the calls the bot should never have made (unknown methods or parameters,
    parse modes, malformed requests): tests assert it stays empty.
    """

    def __init__(self) -> None:
        self.chats: dict[int, JSONDict] = {}
        self.users: dict[int, JSONDict] = {}
        self.blocked: set[int] = set()
        self.updates_by_id: dict[int, JSONDict] = {}
        self.calls: list[tuple[str, JSONDict]] = []
        self.call_times: list[float] = []  # perf_counter() of each call in `calls`
        self.flood: FloodControl | None = None  # set to enforce Telegram's send limits
        self.errors: list[str] = []
        self.failures: list[tuple[str, int, str]] = []
        self.callback_answers: list[JSONDict] = []

        self._lock = threading.RLock()
        self._pending = []
        self._next_update_id = 1
        self._messages = {}
        self._next_message_id = {}
        self._callback_ids = set()
        self._ids = itertools.count(1)
        self._allowed_updates = None
        self._poll_generation = 0
        self._waiters = set()
        self._faults = []
        self._files = {}
        self._commands = {}
        self._rejected_tokens: set[str] = set()
        self.deliveries = Counter()
        self._targets = []
        self._handlers: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": self._set_my_description,
                "setMyShortDescription": self._set_my_short_description,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "editMessageText": self._edit_message_text,
                "answerCallbackQuery": self._answer_callback_query,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
            }.items()
        }

    def fail_next(
        self,
        method: str,
        code: int,
        description: str | None = None,
        *,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (only those to ``chat_id``, if given) fail
        with ``code``, to test error handling; injections queue up in order.

        The description defaults to Telegram's (``Too Many Requests: retry after N`` for 429,
        which needs ``retry_after`` and carries it in ``parameters`` as Telegram does; the HTTP
        reason otherwise, e.g. ``Bad Gateway`` for 502).
        """
        fault = _fault(
            method, code, description, times=times, chat_id=chat_id, retry_after=retry_after
        )
        with self._lock:
            self._faults.append(fault)

    def stall_next(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) hang for
        ``seconds`` and then fail with 504 without taking effect: a client whose read timeout
        is shorter times out, and nothing was sent or edited."""
        fault = _fault(
            method, 504, GATEWAY_TIMEOUT, times=times, chat_id=chat_id, stall=float(seconds)
        )
        with self._lock:
            self._faults.append(fault)

    def reject_token(self, token: str) -> None:
        """Answer every HTTP call made with ``token`` as Telegram answers a revoked or mistyped
        token (401 Unauthorized), to test how the bot starts with a bad token."""
        with self._lock:
            self._rejected_tokens.add(token)

    def rejects(self, token: str) -> bool:
        """Whether calls made with ``token`` are answered 401 (see ``reject_token``)."""
        with self._lock:
            return token in self._rejected_tokens

    # ------------------------------------------------------------------ bot-side views

    def bot_messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, in their current state."""
        with self._lock:
            return [
                _snapshot(chat_id, message_id, stored)
                for message_id, stored in sorted(self._messages.get(chat_id, {}).items())
                if stored.from_bot
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

    def calls_to(self, method: str) -> list[JSONDict]:
        """Decoded parameters of every call to one method (case-insensitive)."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def commands_for(self, chat_id: int, language_code: str | None) -> list[tuple[str, str]]:
        """The command menu (command, description) Telegram shows in this chat to a user with
        this language: the first set of chat scope with the language, chat scope for all
        languages, default scope with the language, default for all languages."""
        language = language_code or ""
        with self._lock:
            for key in ((chat_id, language), (chat_id, ""), (None, language), (None, "")):
                if key in self._commands:
                    return list(self._commands[key])
        return []

    # ------------------------------------------------------------------ file downloads

    def download(self, file_path: str) -> bytes:
        """The bytes served at ``<base_file_url><token>/<file_path>``, a path getFile handed
        out; anything else is answered 404 and recorded in ``errors``."""
        with self._lock:
            for file in self._files.values():
                if file.path is not None and file.path == file_path:
                    return file.content
        error = ApiError(404, "Not Found", unexpected=True)
        self._record("download", {"file_path": file_path}, error)
        raise error

    # ------------------------------------------------------------------ dispatcher

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSONDict]:
        """Answer one Bot API call as an HTTP status and the JSON envelope Telegram sends."""
        try:
            result = await self._call(method, dict(params))
        except ApiError as exc:
            return exc.code, exc.to_json()
        return 200, {"ok": True, "result": result}

    async def _call(self, method: str, params: JSONDict) -> Any:
        """Return the result of one call or raise (and record) its ApiError."""
        if method.lower() == "getupdates":
            name, handler = "getUpdates", None
        elif method.lower() in self._handlers:
            name, handler = self._handlers[method.lower()]
        else:
            error = ApiError(404, f"Not Found: method {method} is not emulated", unexpected=True)
            self._record(method, params, error)
            raise error
        try:
            decoded = _decode(name, params)
        except ApiError as exc:
            self._record(name, params, exc)
            raise
        with self._lock:
            self.calls.append((name, decoded))
            self.call_times.append(time.perf_counter())
            fault = _take_fault(self._faults, name, decoded)
        try:
            if fault is not None:
                await fault.apply()
            if self.flood is not None and name == "sendMessage":
                with self._lock:
                    self.flood.check(decoded.get("chat_id"))
            if handler is None:
                if self.webhook_url is not None:
                    raise ApiError(409, CONFLICT_WEBHOOK)
                return await self._get_updates(decoded)
            with self._lock:
                return handler(decoded)
        except ApiError as exc:
            self._record(name, decoded, exc)
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            error = _bad(f"malformed {name} call: {exc!r}")
            self._record(name, decoded, error)
            raise error from exc

    def _record(self, name: str, params: JSONDict, exc: ApiError) -> None:
        with self._lock:
            self.failures.append((name, exc.code, exc.description))
            if exc.unexpected:
                self.errors.append(f"{name}({params!r}) -> {exc.code} {exc.description}")
