"""The bot side: handlers of the emulated Bot API methods (getUpdates lives in ``updates``).

Each ``_method`` handler takes the decoded parameters and returns the Bot API result or raises
``ApiError`` exactly as Telegram answers (message not modified, too long, blocked user...).
Command menus are stored per scope (default or one chat) and language (see
``BotApiEmulator.commands_for``); descriptions are validated but not stored: tests read them back
with ``calls_to``. Photos and documents are uploaded files (or file_ids the server holds); their
bytes are kept for getFile and downloads.
"""

from __future__ import annotations

import copy
import re
import struct
from pathlib import PurePosixPath

from .constants import (
    _COMMAND_RE,
    BLOCKED,
    CAPTION_TOO_LONG,
    CHAT_NOT_FOUND,
    EMPTY_FILE,
    FILE_TOO_BIG,
    INVALID_FILE_ID,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CAPTION_LENGTH,
    MAX_COMMANDS,
    MAX_DESCRIPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_SHORT_DESCRIPTION_LENGTH,
    MAX_TEXT_LENGTH,
    NO_TEXT_TO_EDIT,
    NOT_MODIFIED,
    QUERY_INVALID,
    WRONG_FILE,
    JSONDict,
)
from .errors import ApiError, _bad
from .markup import _parse_markup
from .model import Upload, _File, _inline_rows, _Stored
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
        key = (self._command_scope(params), _language(params))
        if commands:
            self._commands[key] = [(c["command"], c["description"].strip()) for c in commands]
        else:  # an empty menu is no menu: the next scope down shows, as after deleteMyCommands
            self._commands.pop(key, None)
        return True

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop((self._command_scope(params), _language(params)), None)
        return True

    def _command_scope(self, params: JSONDict) -> int | None:
        """The chat of a ``chat`` scope, None for the default one; other scopes fail loudly."""
        scope = params.get("scope")
        if scope is None:
            return None
        if not isinstance(scope, dict):
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind == "default" and set(scope) == {"type"}:
            return None
        if kind == "chat" and set(scope) == {"type", "chat_id"}:
            chat_id = scope["chat_id"]
            if isinstance(chat_id, bool) or not isinstance(chat_id, int):
                raise _bad("only integer chat_id command scopes are emulated")
            if chat_id not in self.chats:
                raise ApiError(400, CHAT_NOT_FOUND)
            return chat_id
        raise _bad(f"command scope {scope!r} is not emulated (only default and chat)")

    def _set_my_description(self, params: JSONDict) -> bool:
        return _check_length(params, "description", MAX_DESCRIPTION_LENGTH)

    def _set_my_short_description(self, params: JSONDict) -> bool:
        return _check_length(params, "short_description", MAX_SHORT_DESCRIPTION_LENGTH)

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_of(params)
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        text = _text(params)
        return self._store_sent(chat_id, params, {"text": text})

    def _send_photo(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_of(params)
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        caption = _caption(params)
        file = self._file_to_send(params, "photo")
        width, height = _image_size(file.content)
        size = {
            "file_id": file.file_id,
            "file_unique_id": file.unique_id,
            "width": width,
            "height": height,
            "file_size": len(file.content),
        }
        content: JSONDict = {"photo": [size], **caption}
        return self._store_sent(chat_id, params, content, photo=file.content)

    def _send_document(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_of(params)
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        caption = _caption(params)
        file = self._file_to_send(params, "document")
        name = file.name or "document"
        document = {
            "file_id": file.file_id,
            "file_unique_id": file.unique_id,
            "file_name": name,
            "mime_type": file.mime_type or "application/octet-stream",
            "file_size": len(file.content),
        }
        content: JSONDict = {"document": document, **caption}
        return self._store_sent(chat_id, params, content, document=(name, file.content))

    def _store_sent(
        self,
        chat_id: int,
        params: JSONDict,
        content: JSONDict,
        *,
        photo: bytes | None = None,
        document: tuple[str, bytes] | None = None,
    ) -> JSONDict:
        """Store a new bot message (``content`` is its text or media part) and return its JSON."""
        inline = _parse_markup(params.get("reply_markup"))
        data: JSONDict = {
            "message_id": self._next_id(chat_id),
            "from": self.bot_user,
            "chat": dict(self.chats[chat_id]),
            "date": self._now(),
            **content,
        }
        if inline:
            data["reply_markup"] = {"inline_keyboard": inline}
        stored = _Stored(data, from_bot=True, photo=photo, document=document)
        self._messages.setdefault(chat_id, {})[data["message_id"]] = stored
        return copy.deepcopy(data)

    def _file_to_send(self, params: JSONDict, kind: str) -> _File:
        """The uploaded file (kept from now on), or a file_id of the same kind the server holds."""
        value = params.get(kind)
        if isinstance(value, Upload):
            if not value.content:
                raise ApiError(400, EMPTY_FILE)
            if kind == "photo" and _image_size(value.content) == (0, 0):
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            return self._keep_file(kind, value.content, value.filename, value.mime_type)
        if not isinstance(value, str) or not value:
            raise _bad(f"there is no {kind} in the request")
        if re.match(r"(?i)https?://", value):
            raise _bad(f"sending a {kind} by URL is not emulated")
        file = self._files.get(value)
        if file is None:
            raise ApiError(400, WRONG_FILE)
        if file.kind != kind:
            raise _bad(f"sending a {file.kind} file_id as a {kind} is not emulated")
        return file

    def _get_file(self, params: JSONDict) -> JSONDict:
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise _bad("file_id is required")
        file = self._files.get(file_id)
        if file is None:
            if file_id.startswith("AgAC"):  # minted here, e.g. by user_photo: no bytes behind it
                raise _bad(f"getFile({file_id}): only user_document and uploads have content")
            raise ApiError(400, INVALID_FILE_ID)
        if len(file.content) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, FILE_TOO_BIG)
        if file.path is None:
            default = ".jpg" if file.kind == "photo" else ""
            suffix = PurePosixPath(file.name or "").suffix or default
            file.path = f"{file.kind}s/file_{next(self._ids)}{suffix}"
        return {
            "file_id": file.file_id,
            "file_unique_id": file.unique_id,
            "file_size": len(file.content),
            "file_path": file.path,
        }

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_of(params)
        stored = self._messages.get(chat_id, {}).get(_required_int(params, "message_id"))
        if stored is None or not stored.from_bot:
            raise ApiError(400, "Bad Request: message to edit not found")
        if "text" not in stored.data:
            raise ApiError(400, NO_TEXT_TO_EDIT)
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


def _caption(params: JSONDict) -> JSONDict:
    """The caption part of a media message: none, or the caption with outer whitespace cut."""
    caption = params.get("caption")
    if caption is None:
        return {}
    caption = str(caption).strip()
    if len(caption) > MAX_CAPTION_LENGTH:
        raise ApiError(400, CAPTION_TOO_LONG)
    return {"caption": caption} if caption else {}


def _image_size(content: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, a plausible size for another image format Telegram takes, and
    (0, 0) for anything that is no image."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    is_webp = content.startswith(b"RIFF") and content[8:12] == b"WEBP"
    if content.startswith((b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")) or is_webp:
        return 800, 600
    return 0, 0


def _language(params: JSONDict) -> str:
    """A command menu's language: "" for all users, else a two-letter ISO 639-1 code."""
    language = str(params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise _bad(f"language_code must be a two-letter ISO 639-1 code, not {language!r}")
    return language


def _check_length(params: JSONDict, name: str, limit: int) -> bool:
    if len(params.get(name) or "") > limit:
        raise ApiError(400, f"Bad Request: {name} is too long")
    return True
