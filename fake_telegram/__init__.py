"""An in-memory emulation of the Telegram Bot API server.

Telegram is never reachable from Ura's tests, CI or the terminal simulator, so this package keeps
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

Layout: ``constants`` (limits, error descriptions), ``errors`` (ApiError, UsageError), ``model``
(SentMessage and the server's records), ``formatting`` (HTML/Markdown parsing, ``format_text``),
``text``, ``html`` and ``markdown`` (parse modes), ``params`` (parameter decoding), ``markup`` (reply_markup validation), ``state`` (the attributes
the mixins share), ``updates`` (update queue, getUpdates), ``users`` (user-side helpers),
``methods`` (Bot API method handlers), ``core`` (``BotApiEmulator`` and its dispatcher),
``request`` (in-process PTB transport) and ``http`` (HTTP front end). Import from this package.
"""

from __future__ import annotations

from .constants import (
    BLOCKED,
    CHAT_NOT_FOUND,
    CONFLICT_OTHER_POLL,
    CONFLICT_WEBHOOK,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CALLBACK_DATA_BYTES,
    MAX_COMMANDS,
    MAX_DESCRIPTION_LENGTH,
    MAX_SHORT_DESCRIPTION_LENGTH,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    QUERY_INVALID,
    JSONDict,
)
from .core import BotApiEmulator
from .errors import ApiError, UsageError
from .formatting import format_text
from .http import close_http, serve_http
from .methods import commands_key
from .model import SentMessage
from .request import EmulatorRequest, emulated_bot

__all__ = [
    "BLOCKED",
    "CHAT_NOT_FOUND",
    "CONFLICT_OTHER_POLL",
    "CONFLICT_WEBHOOK",
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_COMMANDS",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_SHORT_DESCRIPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "NOT_MODIFIED",
    "QUERY_INVALID",
    "ApiError",
    "BotApiEmulator",
    "EmulatorRequest",
    "JSONDict",
    "SentMessage",
    "UsageError",
    "close_http",
    "commands_key",
    "emulated_bot",
    "format_text",
    "serve_http",
]
