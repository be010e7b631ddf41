"""The bot side: handlers of the emulated Bot API methods (getUpdates lives in ``updates``).

Each ``_method`` handler takes the decoded parameters and returns the Bot API result or raises
``ApiError`` exactly as Telegram answers (message not modified, too long, blocked user...). The
bot's profile settings (commands, descriptions) are validated but not stored: tests read them
back with ``calls_to``.
"""

from __future__ import annotations

import copy

from .constants import (
    _COMMAND_RE,
    BLOCKED,
    CHAT_NOT_FOUND,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_COMMANDS,
    MAX_DESCRIPTION_LENGTH,
    MAX_SHORT_DESCRIPTION_LENGTH,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    QUERY_INVALID,
    JSONDict,
)
from .errors import ApiError, _bad
from .markup import _parse_markup
from .model import _inline_rows, _Stored
from .params import _required_int
from .state import EmulatorState


class BotApiMethodsMixin(EmulatorState):
    """Handlers of the Bot API methods the emulator answers, with their validation."""

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("commands must be an array")
        if len(commands) > MAX_COMMANDS:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        return True

    def _set_my_description(self, params: JSONDict) -> bool:
        return _check_length(params, "description", MAX_DESCRIPTION_LENGTH)

    def _set_my_short_description(self, params: JSONDict) -> bool:
        return _check_length(params, "short_description", MAX_SHORT_DESCRIPTION_LENGTH)

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_of(params)
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        text = _text(params)
        inline = _parse_markup(params.get("reply_markup"))
        data: JSONDict = {
            "message_id": self._next_id(chat_id),
            "from": self.bot_user,
            "chat": dict(self.chats[chat_id]),
            "date": self._now(),
            "text": text,
        }
        if inline:
            data["reply_markup"] = {"inline_keyboard": inline}
        self._messages.setdefault(chat_id, {})[data["message_id"]] = _Stored(data, from_bot=True)
        return copy.deepcopy(data)

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_of(params)
        stored = self._messages.get(chat_id, {}).get(_required_int(params, "message_id"))
        if stored is None or not stored.from_bot:
            raise ApiError(400, "Bad Request: message to edit not found")
        text = _text(params)
        inline = _parse_markup(params.get("reply_markup"))
        if stored.data.get("text") == text and _inline_rows(stored.data) == inline:
            raise ApiError(400, NOT_MODIFIED)
        stored.data["text"] = text
        stored.data.pop("reply_markup", None)
        if inline:
            stored.data["reply_markup"] = {"inline_keyboard": inline}
        stored.data["edit_date"] = self._now()
        stored.edits += 1
        return copy.deepcopy(stored.data)

    def _answer_callback_query(self, params: JSONDict) -> bool:
        self.callback_answers.append(dict(params))
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str) or not query_id:
            raise _bad("callback_query_id is required")
        if query_id not in self._callback_ids:
            raise ApiError(400, QUERY_INVALID)
        if len(params.get("text") or "") > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _chat_of(self, params: JSONDict) -> int:
        """Resolve chat_id; Telegram only knows chats that contacted the bot first."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id not in self.chats:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat_id


def _text(params: JSONDict) -> str:
    """A message text as Telegram stores it: outer whitespace cut, then checked."""
    text = params.get("text")
    if not isinstance(text, str):
        raise ApiError(400, "Bad Request: message text is empty")
    text = text.strip()
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _check_length(params: JSONDict, name: str, limit: int) -> bool:
    if len(params.get(name) or "") > limit:
        raise ApiError(400, f"Bad Request: {name} is too long")
    return True
