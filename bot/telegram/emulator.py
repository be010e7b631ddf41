"""An in-memory emulation of the Telegram Bot API server.

Telegram is never reachable from Ura's tests, CI or the terminal simulator, so this module keeps
the server side of the Bot API (pending updates, chats, the bot's messages) in memory and answers
Bot API calls the way Telegram does, including its status codes and error descriptions. Bot code
therefore runs unchanged on the real PTB classes and meets the same failures it would in
production (message not modified, too long, bad callback data, blocked users, ...).

It plugs into PTB in two ways:

* in-process: ``telegram.Bot(token, request=EmulatorRequest(emulator))``;
* over real HTTP: ``serve_http(emulator)`` and ``base_url=f"http://127.0.0.1:{port}/bot"``, for a
  bot running in another process.

User-side helpers (``user_text``, ``press``, ...) enqueue updates in the exact Bot API JSON shape;
bot-side views (``bot_messages``, ``last``, ``texts``, ...) expose what a user would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import re
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from telegram import Bot
from telegram.request import BaseRequest, RequestData

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH: Final = 4096
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
MAX_DESCRIPTION_LENGTH: Final = 512
MAX_SHORT_DESCRIPTION_LENGTH: Final = 120
MAX_COMMANDS: Final = 100

NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
CHAT_NOT_FOUND: Final = "Bad Request: chat not found"
BLOCKED: Final = "Forbidden: bot was blocked by the user"
CONFLICT_OTHER_POLL: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK: Final = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

# Update types Telegram delivers when allowed_updates was never set (or set to []).
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_KINDS: Final = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")

# Parameter types. Over HTTP every value arrives as a string (PTB JSON-encodes everything that is
# not already a string), so the dispatcher needs to know which names to decode and how.
_STR_PARAMS: Final = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "language_code",
        "description",
        "short_description",
        "name",
        "action",
        "inline_message_id",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "custom_emoji_id",
    }
)
_INT_PARAMS: Final = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "message_thread_id",
        "reply_to_message_id",
        "max_connections",
        "until_date",
        "direct_messages_topic_id",
    }
)
_BOOL_PARAMS: Final = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
        "revoke_messages",
        "for_channels",
    }
)
_JSON_PARAMS: Final = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "media",
        "rights",
        "message_ids",
    }
)


class ApiError(Exception):
    """A Bot API error response; ``unexpected`` marks protocol misuse rather than a normal 4xx."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        unexpected: bool = False,
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.unexpected = unexpected

    def to_json(self) -> JSONDict:
        """Render the error envelope exactly as Telegram does, so PTB maps it to its exceptions."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class UsageError(AssertionError):
    """A test drove the emulator into something Telegram's UI would not allow."""


@dataclass(frozen=True)
class SentMessage:
    """A snapshot of one bot message as the user currently sees it (after edits)."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[tuple[str, str]]]
    edits: int = 0
    entities: list[JSONDict] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    raw: JSONDict = field(default_factory=dict, repr=False, compare=False)

    def labels(self) -> list[str]:
        """Inline button labels flattened row by row, for compact assertions."""
        return [label for row in self.buttons for label, _ in row]

    def find_button(self, label_substring: str) -> int:
        """1-based index of the button with this exact label, else the first containing it."""
        labels = self.labels()
        for index, label in enumerate(labels, start=1):
            if label == label_substring:
                return index
        for index, label in enumerate(labels, start=1):
            if label_substring in label:
                return index
        raise UsageError(
            f"no button containing {label_substring!r} on message {self.message_id}: {labels}"
        )


@dataclass
class _Stored:
    """Server-side state of one message; ``data`` is its current Bot API JSON."""

    data: JSONDict
    from_bot: bool
    sender_id: int
    edits: int = 0
    deleted: bool = False
    reply_keyboard: list[list[str]] | None = None


@dataclass
class _Pending:
    """A queued update; replays survive offset confirmation until delivered once."""

    update: JSONDict
    replay: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((key for key in self.update if key != "update_id"), "")


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports markup errors at UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _entities_error(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {message}")


def _bad(description: str) -> ApiError:
    """A request the bot should never send: also lands in ``BotApiEmulator.errors``."""
    return ApiError(400, f"Bad Request: {description}", unexpected=True)


class _TextBuilder:
    """Accumulates plain text and entities while a formatted text is parsed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += _utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> tuple[str, list[JSONDict]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE: Final = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")
_HTML_ATTR_RE: Final = re.compile(
    r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_HTML_NAMED: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram's HTML subset, rejecting what Telegram rejects (the bot's bugs)."""
    out = _TextBuilder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match:
                name = match.group(1)
                if name.startswith("#"):
                    number = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
                    out.add(chr(number) if 0 < number < 0x110000 else "\ufffd")
                else:
                    out.add(_HTML_NAMED[name])
                i = match.end()
            else:
                out.add("&")
                i += 1
            continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        end = text.find(">", i)
        if end < 0:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
        inner = text[i + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise _entities_error(
                    f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            tag, start, attrs = stack.pop()
            if name and name != tag:
                raise _entities_error(
                    f"Unmatched end tag at byte offset {_byte_offset(text, i)}, expected "
                    f'"</{tag}>", found "</{name}>"'
                )
            _close_html_tag(out, stack, tag, start, attrs)
        else:
            match = re.match(r"([A-Za-z][A-Za-z0-9-]*)(.*)\Z", inner, re.S)
            name = match.group(1).lower() if match else inner.strip()
            if not match or name not in _HTML_TAGS:
                raise _entities_error(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            attrs = {
                attr.group(1).lower(): html.unescape(
                    attr.group(2) or attr.group(3) or attr.group(4) or ""
                )
                for attr in _HTML_ATTR_RE.finditer(match.group(2))
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(text, i)}"
                )
            stack.append((name, out.pos, attrs))
        i = end + 1
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: _TextBuilder,
    stack: list[tuple[str, int, dict[str, str]]],
    tag: str,
    start: int,
    attrs: dict[str, str],
) -> None:
    """Emit the entity for a closed tag; <pre><code class="language-x"> becomes one pre."""
    kind = _HTML_TAGS[tag]
    if kind == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
            return
    if kind == "pre" and attrs.get("language"):
        out.entity("pre", start, language=attrs["language"])
    elif kind == "text_link":
        if attrs.get("href"):
            out.entity("text_link", start, url=attrs["href"])
    elif kind == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.entity(kind, start)


_MDV2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
}


def _scan_code(text: str, i: int, fence: str, out: _TextBuilder) -> int:
    """Copy code content up to the closing fence (only ` and \\ may be escaped); -1 if none."""
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.add(text[i + 1])
            i += 2
        elif text.startswith(fence, i):
            return i
        else:
            out.add(text[i])
            i += 1
    return -1


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    """Parse MarkdownV2, including Telegram's infamous reserved-character rule."""
    out = _TextBuilder()
    opened: dict[str, tuple[int, int]] = {}
    link: tuple[int, int] | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text):
                raise _entities_error(
                    "Character '\\' is reserved and must be escaped with the preceding '\\'"
                )
            out.add(text[i + 1])
            i += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            body = i + len(fence)
            language = ""
            if fence == "```":
                newline = text.find("\n", body)
                first_line = text[body:newline] if newline >= 0 else ""
                if first_line and not re.search(r"[\s`]", first_line):
                    language, body = first_line, newline + 1
            start = out.pos
            close = _scan_code(text, body, fence, out)
            if close < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise _entities_error(
                    f"Can't find end of {kind} entity at byte offset {_byte_offset(text, i)}"
                )
            if fence == "`":
                out.entity("code", start)
            elif language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre", start)
            i = close + len(fence)
            continue
        if char == "[" and link is None:
            link = (out.pos, i)
            i += 1
            continue
        if char == "]" and link is not None:
            if not text.startswith("(", i + 1):
                raise _entities_error(
                    f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, link[1])}"
                )
            j = i + 2
            url: list[str] = []
            while j < len(text) and text[j] != ")":
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                url.append(text[j])
                j += 1
            if j >= len(text):
                raise _entities_error(
                    f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, link[1])}"
                )
            out.entity("text_link", link[0], url="".join(url))
            link = None
            i = j + 1
            continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            opened.setdefault("blockquote", (out.pos, i))
            i += 1
            continue
        if char == "\n" and "blockquote" in opened and not text.startswith(">", i + 1):
            out.entity("blockquote", opened.pop("blockquote")[0])
        kind = ""
        width = 1
        if text.startswith("__", i):
            kind, width = "underline", 2
        elif text.startswith("||", i):
            kind, width = "spoiler", 2
        elif char in "*_~":
            kind = {"*": "bold", "_": "italic", "~": "strikethrough"}[char]
        if kind:
            if kind in opened:
                out.entity(kind, opened.pop(kind)[0])
            else:
                opened[kind] = (out.pos, i)
            i += width
            continue
        if char in _MDV2_RESERVED:
            raise _entities_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(char)
        i += 1
    if "blockquote" in opened:
        out.entity("blockquote", opened.pop("blockquote")[0])
    if link is not None:
        raise _entities_error(
            f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, link[1])}"
        )
    if opened:
        kind, (_, index) = min(opened.items(), key=lambda item: item[1][1])
        raise _entities_error(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset "
            f"{_byte_offset(text, index)}"
        )
    return out.result()


def _parse_markdown_legacy(text: str) -> tuple[str, list[JSONDict]]:
    """Parse legacy Markdown: flat *bold*, _italic_, `code`, ```pre``` and [text](url)."""
    out = _TextBuilder()
    pairs = {"*": "bold", "_": "italic", "`": "code"}
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        fence = "```" if text.startswith("```", i) else char
        if fence == "```" or char in pairs:
            close = text.find(fence, i + len(fence))
            if close < 0:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + len(fence) : close])
            out.entity("pre" if fence == "```" else pairs[char], start)
            i = close + len(fence)
            continue
        if char == "[":
            close = text.find("]", i + 1)
            url_end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or not text.startswith("(", close + 1) or url_end < 0:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : url_end])
            i = url_end + 1
            continue
        out.add(char)
        i += 1
    return out.result()


def format_text(
    text: str, parse_mode: str | None = None, entities: list[JSONDict] | None = None
) -> tuple[str, list[JSONDict]]:
    """Turn a sent text into what Telegram stores: plain text, entities, outer whitespace cut."""
    if entities is not None:
        plain, found = text, [dict(e) for e in entities]
    elif not parse_mode:
        plain, found = text, []
    elif parse_mode.lower() == "html":
        plain, found = _parse_html(text)
    elif parse_mode.lower() == "markdownv2":
        plain, found = _parse_markdown_v2(text)
    elif parse_mode.lower() == "markdown":
        plain, found = _parse_markdown_legacy(text)
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    stripped = plain.strip()
    if stripped == plain:
        return plain, found
    lead = _utf16_len(plain) - _utf16_len(plain.lstrip())
    total = _utf16_len(stripped)
    kept: list[JSONDict] = []
    for entity in found:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def commands_key(scope: Mapping[str, Any] | None = None, language_code: str | None = None) -> str:
    """Key of ``BotApiEmulator.commands``: ``default``, ``chat:42``, ``all_private_chats/ru``..."""
    scope = scope or {"type": "default"}
    key = ":".join(
        [str(scope.get("type", "default"))]
        + [str(scope[name]) for name in ("chat_id", "user_id") if name in scope]
    )
    return f"{key}/{language_code}" if language_code else key


def _normalize(name: str, value: Any) -> Any:
    """Decode one parameter whatever way it arrived (typed in-process, string over HTTP)."""
    if name in _STR_PARAMS:
        if isinstance(value, str | dict | list):
            return value
        return str(value).lower() if isinstance(value, bool) else str(value)
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {name} JSON object") from None
    if name in _INT_PARAMS:
        with contextlib.suppress(ValueError):
            return int(value)
        with contextlib.suppress(ValueError):
            number = float(value)
            return int(number) if number.is_integer() else number
        return value
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


def _decode_form_value(name: str, value: str) -> Any:
    """Form values of parameters the emulator does not know: decode obvious JSON only."""
    if name in _STR_PARAMS | _INT_PARAMS | _BOOL_PARAMS | _JSON_PARAMS:
        return value
    if value in ("true", "false"):
        return value == "true"
    if value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


class BotApiEmulator:
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

    # ------------------------------------------------------------------ user side

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a Bot API User object (``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.bot_username,
        }

    @property
    def pending(self) -> list[JSONDict]:
        """Copies of the updates Telegram still holds for the bot, in delivery order."""
        with self._lock:
            return [copy.deepcopy(p.update) for p in sorted(self._pending, key=_update_id)]

    def user_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
    ) -> int:
        """Enqueue a text message from a user; a leading /command gets its bot_command entity."""
        content: JSONDict = {"text": text, **self._command_entities(text)}
        if reply_to_message_id is not None:
            content["reply_to_message"] = self._existing(
                chat_id if chat_id is not None else user_id, reply_to_message_id
            ).data
        return self._user_message(user_id, chat_id, chat_type, language_code, content)

    def user_sticker(
        self,
        user_id: int,
        *,
        emoji: str = "👍",
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Enqueue a regular static sticker message."""
        file_id = self._file_id("sticker")
        sticker = {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "UraTestStickers",
            "file_size": 24_000,
        }
        return self._user_message(user_id, chat_id, chat_type, language_code, {"sticker": sticker})

    def user_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Enqueue a photo message (two sizes, as Telegram sends them)."""
        file_id = self._file_id("photo")
        sizes = [
            {
                "file_id": f"{file_id}-{side}",
                "file_unique_id": f"U{file_id}-{side}",
                "width": side,
                "height": side,
                "file_size": side * 40,
            }
            for side in (90, 800)
        ]
        content: JSONDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user_id, chat_id, chat_type, language_code, content)

    def user_voice(
        self,
        user_id: int,
        *,
        duration: int = 3,
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Enqueue a voice message."""
        file_id = self._file_id("voice")
        voice = {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": duration * 4_000,
        }
        return self._user_message(user_id, chat_id, chat_type, language_code, {"voice": voice})

    def user_edit(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> int:
        """Enqueue an edited_message for a text message this user sent earlier."""
        with self._lock:
            chat = user_id if chat_id is None else chat_id
            stored = self._existing(chat, message_id)
            if stored.from_bot or stored.sender_id != user_id or "text" not in stored.data:
                raise UsageError(f"message {message_id} in chat {chat} is not a text by {user_id}")
            stored.data.pop("entities", None)
            stored.data.update(text=text, edit_date=int(self.clock()))
            stored.data.update(self._command_entities(text))
            stored.edits += 1
            return self._enqueue({"edited_message": copy.deepcopy(stored.data)})

    def press(
        self, user_id: int, message_id: int, button: int | str, *, chat_id: int | None = None
    ) -> int:
        """Press an inline button on a bot message: 1-based index or exact callback_data."""
        with self._lock:
            chat = user_id if chat_id is None else chat_id
            stored = self._existing(chat, message_id)
            if not stored.from_bot:
                raise UsageError(f"message {message_id} in chat {chat} is not the bot's")
            flat = [b for row in _inline_rows(stored.data) for b in row]
            if isinstance(button, int):
                if not 1 <= button <= len(flat):
                    raise UsageError(
                        f"message {message_id} has {len(flat)} buttons, no button #{button}: "
                        f"{[b.get('text') for b in flat]}"
                    )
                chosen = flat[button - 1]
                if "callback_data" not in chosen:
                    raise UsageError(f"button #{button} ({chosen.get('text')!r}) has no callback")
                data = str(chosen["callback_data"])
            else:
                known = [b["callback_data"] for b in flat if "callback_data" in b]
                if button not in known:
                    raise UsageError(
                        f"message {message_id} has no button with data {button!r}: {known}"
                    )
                data = button
            return self._callback(user_id, chat, copy.deepcopy(stored.data), data)

    def forge_press(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> int:
        """A callback_query with arbitrary data, as a hostile or stale client could produce."""
        with self._lock:
            chat = user_id if chat_id is None else chat_id
            self._ensure_chat(chat, "private" if chat == user_id else "group")
            stored = self._messages.get(chat, {}).get(message_id)
            if stored is not None and not stored.deleted:
                message = copy.deepcopy(stored.data)
            else:
                message = {"chat": dict(self.chats[chat]), "message_id": message_id, "date": 0}
            return self._callback(user_id, chat, message, data)

    def replay(self, update_id: int) -> int:
        """Redeliver an update as if its offset had never been confirmed."""
        with self._lock:
            if update_id not in self.updates_by_id:
                raise UsageError(f"no update {update_id} was ever created")
            update = copy.deepcopy(self.updates_by_id[update_id])
            self._pending.append(_Pending(update, replay=True))
        self._wake_pollers()
        return update_id

    def block(self, user_id: int, *, notify: bool = True) -> int | None:
        """The user blocks the bot; Telegram then reports a my_chat_member 'kicked' update."""
        with self._lock:
            self._ensure_chat(user_id, "private")
            already = user_id in self.blocked
            self.blocked.add(user_id)
            if not notify or already:
                return None
            return self._chat_member_update(user_id, "member", "kicked")

    def unblock(self, user_id: int, *, notify: bool = True) -> int | None:
        """The user restarts the bot after blocking it."""
        with self._lock:
            if user_id not in self.blocked:
                return None
            self.blocked.discard(user_id)
            return self._chat_member_update(user_id, "kicked", "member") if notify else None

    def my_chat_member_kicked(self, user_id: int) -> int:
        """Enqueue the my_chat_member update Telegram sends when a user blocks the bot."""
        with self._lock:
            self._ensure_chat(user_id, "private")
            self.blocked.add(user_id)
            return self._chat_member_update(user_id, "member", "kicked")

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

    def continue_after(self, update_id: int) -> None:
        """Number new updates after `update_id`: Telegram's ids only grow, across sessions too."""
        with self._lock:
            self._next_update_id = max(self._next_update_id, update_id + 1)

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

    # ------------------------------------------------------------------ getUpdates

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
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

    # ------------------------------------------------------------------ method handlers

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

    def _existing(self, chat_id: int, message_id: int) -> _Stored:
        stored = self._messages.get(chat_id, {}).get(message_id)
        if stored is None or stored.deleted:
            raise UsageError(f"no message {message_id} in chat {chat_id}")
        return stored

    def _next_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _file_id(self, kind: str) -> str:
        return f"AgAC{kind.upper()}{next(self._ids):06d}"

    def _user(self, user_id: int, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if language_code is not None:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def _ensure_chat(self, chat_id: int, chat_type: str) -> JSONDict:
        if chat_id not in self.chats:
            if chat_type == "private":
                self.chats[chat_id] = {"id": chat_id, "first_name": "Test", "type": "private"}
            else:
                self.chats[chat_id] = {"id": chat_id, "title": "Test group", "type": chat_type}
        return self.chats[chat_id]

    def _command_entities(self, text: str) -> JSONDict:
        if not text.startswith("/") or len(text) < 2 or text[1].isspace():
            return {}
        word = text.split(maxsplit=1)[0]
        return {"entities": [{"type": "bot_command", "offset": 0, "length": _utf16_len(word)}]}

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        language_code: str | None,
        content: JSONDict,
    ) -> int:
        chat = user_id if chat_id is None else chat_id
        if chat_type == "private" and chat != user_id:
            raise UsageError("a private chat's id is the user's id")
        if chat_type != "private" and chat_id is None:
            raise UsageError(f"a {chat_type} message needs an explicit chat_id")
        with self._lock:
            if chat_type == "private" and user_id in self.blocked:
                self.unblock(user_id)  # writing to a blocked bot restarts it, as in Telegram
            message: JSONDict = {
                "message_id": self._next_id(chat),
                "from": self._user(user_id, language_code),
                "chat": dict(self._ensure_chat(chat, chat_type)),
                "date": int(self.clock()),
                **copy.deepcopy(content),
            }
            self._messages.setdefault(chat, {})[message["message_id"]] = _Stored(
                message, from_bot=False, sender_id=user_id
            )
            return self._enqueue({"message": copy.deepcopy(message)})

    def _callback(self, user_id: int, chat_id: int, message: JSONDict, data: str) -> int:
        query_id = str(4_000_000_000_000_000_000 + next(self._ids))
        self._callback_ids.add(query_id)
        user = self.users.get(user_id) or self._user(user_id, "en")
        query = {
            "id": query_id,
            "from": dict(user),
            "message": message,
            "chat_instance": str(-(8_000_000_000_000_000_000 + chat_id)),
            "data": data,
        }
        return self._enqueue({"callback_query": query})

    def _chat_member_update(self, user_id: int, old: str, new: str) -> int:
        user = self.users.get(user_id) or self._user(user_id, "en")
        new_member: JSONDict = {"user": self.bot_user, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"user": self.bot_user, "status": old}
        if old == "kicked":
            old_member["until_date"] = 0
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": dict(self.chats[user_id]),
                    "from": dict(user),
                    "date": int(self.clock()),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    def _enqueue(self, body: JSONDict) -> int:
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            update = {"update_id": update_id, **body}
            self.updates_by_id[update_id] = copy.deepcopy(update)
            self._pending.append(_Pending(update))
        self._wake_pollers()
        return update_id


def _update_id(pending: _Pending) -> int:
    return pending.update_id


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _required_int(params: JSONDict, name: str) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{name} must be an integer")
    return value


def _inline_rows(message: JSONDict) -> list[list[JSONDict]]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or []
    return [list(row) for row in rows]


def _parse_markup(raw: Any) -> tuple[list[list[JSONDict]], list[list[str]] | None]:
    """Validate reply_markup: (inline rows, reply keyboard labels; [] removes, None untouched)."""
    if raw is None or raw == "":
        return [], None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise _bad("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return _parse_inline_keyboard(raw["inline_keyboard"]), None
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        labels = [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in rows
            if row
        ]
        return [], labels
    if raw.get("remove_keyboard"):
        return [], []
    if raw.get("force_reply"):
        return [], None
    raise _bad('can\'t find field "inline_keyboard"')


def _parse_inline_keyboard(rows: Any) -> list[list[JSONDict]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    parsed: list[list[JSONDict]] = []
    for row in rows:
        buttons: list[JSONDict] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
            if not kinds:
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed "
                    "in the inline keyboard",
                )
            if not button["text"].strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url or any(c.isspace() for c in url):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            buttons.append(dict(button))
        if buttons:
            parsed.append(buttons)
    return parsed


def _snapshot(chat_id: int, message_id: int, stored: _Stored) -> SentMessage:
    buttons = [
        [
            (
                str(b.get("text", "")),
                str(b.get("callback_data", b.get("url", ""))),
            )
            for b in row
        ]
        for row in _inline_rows(stored.data)
    ]
    return SentMessage(
        chat_id=chat_id,
        message_id=message_id,
        text=str(stored.data.get("text", "")),
        buttons=buttons,
        edits=stored.edits,
        entities=copy.deepcopy(stored.data.get("entities", [])),
        reply_keyboard=copy.deepcopy(stored.reply_keyboard),
        raw=copy.deepcopy(stored.data),
    )


class EmulatorRequest(BaseRequest):
    """PTB request backend answering from a BotApiEmulator instead of the network.

    One instance may serve as both ``request`` and ``get_updates_request``: it holds no
    connection state, so initialize/shutdown are idempotent.
    """

    __slots__ = ("_emulator", "_read_timeout")

    def __init__(self, emulator: BotApiEmulator, *, read_timeout: float | None = 5.0) -> None:
        self._emulator = emulator
        self._read_timeout = read_timeout

    @property
    def emulator(self) -> BotApiEmulator:
        """The emulated server this request talks to."""
        return self._emulator

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout PTB adds to long-poll timeouts."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: there is no network."""

    async def shutdown(self) -> None:
        """Nothing to close: there is no network."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Dispatch to the emulator; the JSON round trip catches what would not survive the wire."""
        api_method = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        if request_data is None and method == "GET":
            status, body = 404, ApiError(404, "Not Found").to_json()
        else:
            params = json.loads(json.dumps(request_data.parameters)) if request_data else {}
            status, body = await self._emulator.handle(api_method, params)
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------- HTTP front end

_MAX_BODY: Final = 64 * 1024 * 1024
_PATH_RE: Final = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_CONNECTIONS: weakref.WeakKeyDictionary[asyncio.Server, set[asyncio.Task[Any]]] = (
    weakref.WeakKeyDictionary()
)


class _HttpProtocolError(Exception):
    """The peer did not speak HTTP/1.1 well enough to answer it."""


@dataclass
class _HttpRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


async def serve_http(
    emulator: BotApiEmulator, *, host: str = "127.0.0.1", port: int = 0
) -> tuple[asyncio.Server, int]:
    """Serve the emulator over real HTTP/1.1 for a bot running in another process.

    Answers ``POST``/``GET /bot<token>/<method>`` with JSON, form or multipart bodies. Each
    connection runs in its own task, so a long-polling getUpdates never blocks other calls.
    Returns the server and its bound port; stop it with ``close_http(server)``.
    """
    box: list[asyncio.Server] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        tasks = _CONNECTIONS.setdefault(box[0], set()) if box else set()
        if task is not None:
            tasks.add(task)
        try:
            await _serve_connection(emulator, box[0] if box else None, reader, writer)
        except asyncio.CancelledError:
            pass  # close_http or loop teardown; asyncio would log a cancelled callback task
        finally:
            if task is not None:
                tasks.discard(task)

    server = await asyncio.start_server(on_connect, host, port)
    box.append(server)
    _CONNECTIONS[server] = set()
    bound = int(server.sockets[0].getsockname()[1])
    return server, bound


async def close_http(server: asyncio.Server) -> None:
    """Stop listening and end open connections (Python 3.11's wait_closed does not wait)."""
    server.close()
    tasks = list(_CONNECTIONS.pop(server, set()))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await server.wait_closed()


async def _serve_connection(
    emulator: BotApiEmulator,
    server: asyncio.Server | None,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    try:
        while True:
            try:
                request = await _read_request(reader, writer)
            except _HttpProtocolError as exc:
                await _write_response(
                    writer,
                    400,
                    {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"},
                    False,
                )
                return
            if request is None:
                return
            status, body = await _dispatch_http(emulator, request)
            keep_alive = request.keep_alive and (server is None or server.is_serving())
            await _write_response(writer, status, body, keep_alive)
            if not keep_alive:
                return
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        return  # the peer went away or sent garbage: just drop the connection
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await writer.wait_closed()


async def _read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> _HttpRequest | None:
    """Read one request; None on a clean end of the connection."""
    line = await reader.readline()
    while line in (b"\r\n", b"\n"):  # tolerate stray CRLF between requests (RFC 9112 2.2)
        line = await reader.readline()
    if not line:
        return None
    try:
        method, target, version = line.decode("latin-1").split()
    except ValueError:
        raise _HttpProtocolError("malformed request line") from None
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            raise asyncio.IncompleteReadError(raw, None)
        if raw in (b"\r\n", b"\n"):
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise _HttpProtocolError("malformed header")
        headers[name.strip().lower()] = value.strip()
        if len(headers) > 100:
            raise _HttpProtocolError("too many headers")
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise _HttpProtocolError("bad Content-Length") from None
        if not 0 <= length <= _MAX_BODY:
            raise _HttpProtocolError("body too large")
        body = await reader.readexactly(length)
    connection = headers.get("connection", "").lower()
    if version.upper() == "HTTP/1.0":
        keep_alive = "keep-alive" in connection
    else:
        keep_alive = "close" not in connection
    return _HttpRequest(method.upper(), target, headers, body, keep_alive)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readline()
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
        except ValueError:
            raise _HttpProtocolError("bad chunk size") from None
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers are ignored
            return b"".join(chunks)
        total += size
        if total > _MAX_BODY:
            raise _HttpProtocolError("body too large")
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _dispatch_http(emulator: BotApiEmulator, request: _HttpRequest) -> tuple[int, JSONDict]:
    parts = urlsplit(request.target)
    match = _PATH_RE.match(parts.path)
    if request.method not in ("GET", "POST") or match is None:
        return 404, ApiError(404, "Not Found").to_json()
    params: JSONDict = {
        name: _decode_form_value(name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    }
    try:
        params.update(_decode_body(request))
    except _HttpProtocolError as exc:
        return 400, ApiError(400, f"Bad Request: {exc}").to_json()
    return await emulator.handle(match.group(2), params)


def _decode_body(request: _HttpRequest) -> JSONDict:
    """Decode the parameters of a JSON, urlencoded or multipart body."""
    if not request.body:
        return {}
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        try:
            decoded = json.loads(request.body)
        except ValueError:
            raise _HttpProtocolError("can't parse JSON body") from None
        if not isinstance(decoded, dict):
            raise _HttpProtocolError("JSON body must be an object")
        return decoded
    if mime == "multipart/form-data":
        return _parse_multipart(request.body, content_type)
    text = request.body.decode("utf-8", "replace")
    return {
        name: _decode_form_value(name, value)
        for name, value in parse_qsl(text, keep_blank_values=True)
    }


def _parse_multipart(body: bytes, content_type: str) -> JSONDict:
    """Minimal multipart/form-data reader: text fields decoded, files reduced to name and size."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise _HttpProtocolError("multipart body without boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: JSONDict = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        disposition = ""
        for header in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = header.partition(":")
            if key.strip().lower() == "content-disposition":
                disposition = value
        name = re.search(r'\bname="([^"]*)"', disposition)
        if name is None:
            continue
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if filename is not None:
            fields[name.group(1)] = {"filename": filename.group(1), "size": len(content)}
        else:
            fields[name.group(1)] = _decode_form_value(
                name.group(1), content.decode("utf-8", "replace")
            )
    return fields


async def _write_response(
    writer: asyncio.StreamWriter, status: int, body: JSONDict, keep_alive: bool
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Server: ura-bot-api-emulator\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "\r\n"
    )
    writer.write(head.encode("latin-1") + payload)
    await writer.drain()


def emulated_bot(emulator: BotApiEmulator, token: str = "123:ABC") -> Bot:
    """A real PTB Bot wired to the emulator for every call, getUpdates included.

    ``Bot(token, request=...)`` alone would still long-poll api.telegram.org through a default
    HTTPXRequest, because PTB keeps a separate request object for getUpdates.
    """
    request = EmulatorRequest(emulator)
    return Bot(token=token, request=request, get_updates_request=request)
