"""An in-memory emulation of the Telegram Bot API server, as much of it as Ura uses.

Telegram is never reachable from Ura's tests, CI or ``ura chat``, so this package keeps the server
side of the Bot API (pending updates, chats, the bot's messages) in memory and answers Bot API
calls the way Telegram does, including its status codes and error descriptions. Bot code therefore
runs unchanged on the real PTB classes and meets the same failures it would in production (message
not modified, too long, bad callback data, blocked users, ...).

Only what Ura calls is emulated: getUpdates, getMe, setMyCommands and deleteMyCommands (default
and chat scopes; ``commands_for`` resolves a chat's menu), setMyDescription, setMyShortDescription,
sendMessage, sendPhoto and sendDocument (uploaded files, captions), editMessageText,
answerCallbackQuery, getFile and file downloads, with plain text and inline keyboards, and the
webhook (setWebhook, deleteWebhook, getWebhookInfo: see ``webhook``). Anything
else (another method or parameter, any ``parse_mode``, a reply keyboard, another
command scope) fails loudly and is recorded in ``BotApiEmulator.errors``, which tests assert is
empty.

It plugs into PTB in two ways:

* in-process: ``request = EmulatorRequest(emulator)``, passed as both ``request`` and
  ``get_updates_request``;
* over real HTTP: ``serve_http(emulator)`` and ``base_url=f"http://127.0.0.1:{port}/bot"``, for a
  bot running in another process.

User-side helpers (``user_text``, ``user_document``, ``press``, ...) enqueue updates in the exact Bot API JSON shape;
bot-side views (``bot_messages``, ``last``, ``texts``, ...) expose what a user would see.

Faults, for tests of how the bot copes: ``fail_next`` makes the next N calls of a method (to one
chat, if asked) fail as Telegram fails (429 with ``retry_after``, 500, 502, 409...),
``stall_next`` makes them hang past the client's read timeout, and ``raw_update`` enqueues any
update body as is, also one no client can parse.

Layout: ``constants`` (limits, error descriptions), ``errors`` (ApiError, UsageError), ``model``
(SentMessage and the server's records), ``params`` (the parameters of each method and their
decoding), ``markup`` (inline keyboard validation), ``faults`` (injected failures), ``state``
(the attributes the mixins share), ``updates`` (update queue, getUpdates, raw updates), ``users``
(user-side helpers), ``methods`` (Bot API method handlers), ``webhook`` (pushing updates), ``core`` (``BotApiEmulator`` and its
dispatcher), ``request`` (in-process PTB transport) and ``http`` (HTTP front end). Import from
this package. It imports nothing from ``bot``.
"""

from __future__ import annotations

from .core import BotApiEmulator
from .errors import ApiError, UsageError
from .http import close_http, serve_http
from .model import SentMessage, Upload
from .request import EmulatorRequest

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "EmulatorRequest",
    "SentMessage",
    "Upload",
    "UsageError",
    "close_http",
    "serve_http",
]
