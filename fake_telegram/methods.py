"""The bot side: handlers of the emulated Bot API methods (getUpdates lives in ``updates``).

Each ``_method`` handler takes the decoded parameters and returns the Bot API result or raises
``ApiError`` exactly as Telegram answers (message not modified, too long, blocked user...).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .constants import (
    _CHAT_ACTIONS,
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
from .formatting import format_text
from .markup import _parse_markup
from .model import _inline_rows, _Stored
from .params import _required_int
from .state import EmulatorState


def commands_key(scope: Mapping[str, Any] | None = None, language_code: str | None = None) -> str:
    """Key of ``BotApiEmulator.commands``: ``default``, ``chat:42``, ``all_private_chats/ru``..."""
    scope = scope or {"type": "default"}
    key = ":".join(
        [str(scope.get("type", "default"))]
        + [str(scope[name]) for name in ("chat_id", "user_id") if name in scope]
    )
    return f"{key}/{language_code}" if language_code else key


class BotApiMethodsMixin(EmulatorState):
    """Handlers of the Bot API methods the emulator answers, with their validation."""

    def _true(self, params: JSONDict) -> bool:
        return True

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = ""
        self.webhook_params = {}
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        url = params.get("url")
        if not isinstance(url, str):
            raise _bad("url is required")
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook_url = url
        self.webhook_params = dict(params)
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("commands must be an array")
        if len(commands) > MAX_COMMANDS:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
            cleaned.append({"command": name, "description": description})
        key = commands_key(params.get("scope"), params.get("language_code"))
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        key = commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self.commands.get(key, []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(commands_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _store_text_setting(
        self, target: dict[str, str], params: JSONDict, name: str, limit: int
    ) -> bool:
        value = params.get(name) or ""
        if not isinstance(value, str):
            raise _bad(f"{name} must be a string")
        if len(value) > limit:
            raise ApiError(400, f"Bad Request: {name} is too long")
        language = str(params.get("language_code") or "")
        if value:
            target[language] = value
        else:
            target.pop(language, None)
        return True

    def _set_my_description(self, params: JSONDict) -> bool:
        return self._store_text_setting(
            self.descriptions, params, "description", MAX_DESCRIPTION_LENGTH
        )

    def _get_my_description(self, params: JSONDict) -> JSONDict:
        language = str(params.get("language_code") or "")
        return {"description": self.descriptions.get(language, "")}

    def _set_my_short_description(self, params: JSONDict) -> bool:
        return self._store_text_setting(
            self.short_descriptions, params, "short_description", MAX_SHORT_DESCRIPTION_LENGTH
        )

    def _get_my_short_description(self, params: JSONDict) -> JSONDict:
        language = str(params.get("language_code") or "")
        return {"short_description": self.short_descriptions.get(language, "")}

    def _set_my_name(self, params: JSONDict) -> bool:
        return self._store_text_setting(self.names, params, "name", 64)

    def _get_my_name(self, params: JSONDict) -> JSONDict:
        language = str(params.get("language_code") or "")
        return {"name": self.names.get(language, self.first_name)}

    def _set_chat_menu_button(self, params: JSONDict) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._chat_of(params)
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise _bad("can't parse menu button")
        self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        button = self.menu_buttons.get(params.get("chat_id")) or self.menu_buttons.get(None)
        if not button or button.get("type") == "default":
            return {"type": "commands"}
        return copy.deepcopy(button)

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_of(params)
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        if params.get("inline_message_id") or params.get("business_connection_id"):
            raise _bad("business/inline messages are not emulated")
        text, entities = self._formatted(params)
        inline, keyboard = _parse_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat_id, params)
        data: JSONDict = {
            "message_id": self._next_id(chat_id),
            "from": self.bot_user,
            "chat": dict(self.chats[chat_id]),
            "date": int(self.clock()),
            "text": text,
        }
        if entities:
            data["entities"] = entities
        if reply_to is not None:
            data["reply_to_message"] = copy.deepcopy(reply_to.data)
        if inline:
            data["reply_markup"] = {"inline_keyboard": inline}
        if keyboard is not None:
            self.reply_keyboards[chat_id] = keyboard or None
        stored = _Stored(
            data,
            from_bot=True,
            sender_id=self.bot_id,
            reply_keyboard=self.reply_keyboards.get(chat_id),
        )
        self._messages.setdefault(chat_id, {})[data["message_id"]] = stored
        return copy.deepcopy(data)

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        stored = self._editable(params)
        text, entities = self._formatted(params)
        inline, keyboard = _parse_markup(params.get("reply_markup"))
        if keyboard is not None:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        old = stored.data
        if (
            old.get("text") == text
            and old.get("entities", []) == entities
            and _inline_rows(old) == inline
        ):
            raise ApiError(400, NOT_MODIFIED)
        old["text"] = text
        old.pop("entities", None)
        if entities:
            old["entities"] = entities
        return self._after_edit(stored, inline)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        stored = self._editable(params)
        inline, keyboard = _parse_markup(params.get("reply_markup"))
        if keyboard is not None:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        if _inline_rows(stored.data) == inline:
            raise ApiError(400, NOT_MODIFIED)
        return self._after_edit(stored, inline)

    def _after_edit(self, stored: _Stored, inline: list[list[JSONDict]]) -> JSONDict:
        stored.data.pop("reply_markup", None)
        if inline:
            stored.data["reply_markup"] = {"inline_keyboard": inline}
        stored.data["edit_date"] = int(self.clock())
        stored.edits += 1
        return copy.deepcopy(stored.data)

    def _delete_message(self, params: JSONDict) -> bool:
        chat_id = self._chat_of(params)
        stored = self._messages.get(chat_id, {}).get(_required_int(params, "message_id"))
        if stored is None or stored.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        stored.deleted = True
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        self.callback_answers.append(dict(params))
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str) or not query_id:
            raise _bad("callback_query_id is required")
        if query_id not in self._callback_ids:
            raise ApiError(400, QUERY_INVALID)
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        chat_id = self._chat_of(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        self.chat_actions.append((chat_id, str(action)))
        return True

    # ------------------------------------------------------------------ internals

    def _chat_of(self, params: JSONDict) -> int:
        """Resolve chat_id; Telegram only knows chats that contacted the bot first."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise ApiError(400, CHAT_NOT_FOUND)
        if chat_id not in self.chats:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat_id

    def _editable(self, params: JSONDict) -> _Stored:
        if params.get("inline_message_id"):
            raise _bad("inline messages are not emulated")
        chat_id = self._chat_of(params)
        stored = self._messages.get(chat_id, {}).get(_required_int(params, "message_id"))
        if stored is None or stored.deleted or not stored.from_bot:
            raise ApiError(400, "Bad Request: message to edit not found")
        return stored

    def _formatted(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        text = params.get("text")
        if text is None or text == "":
            raise ApiError(400, "Bad Request: message text is empty")
        if not isinstance(text, str):
            raise _bad("text must be a string")
        entities = params.get("entities")
        if entities is not None and not isinstance(entities, list):
            raise _bad("can't parse entities JSON object")
        parse_mode = params.get("parse_mode")
        plain, found = format_text(
            text, parse_mode if isinstance(parse_mode, str) else None, entities
        )
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, found

    def _reply_target(self, chat_id: int, params: JSONDict) -> _Stored | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id, lenient = reply.get("message_id"), reply.get("allow_sending_without_reply")
        else:
            message_id = params.get("reply_to_message_id")
            lenient = params.get("allow_sending_without_reply")
        if message_id is None:
            return None
        stored = self._messages.get(chat_id, {}).get(int(message_id))
        if stored is None or stored.deleted:
            if lenient:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return stored
