"""Turning a view's `Reply` into Bot API calls: send, or edit a message in place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from enum import Enum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.handlers.context import UraContext
from bot.i18n.catalogs import Translator
from bot.views.reply import Reply

log = logging.getLogger(__name__)

# A reply that must arrive (the help answer): tries with its buttons, then as plain text.
MUST_ARRIVE_TRIES = 3
PLAIN_TRIES = 2
LONGEST_WAIT = 30.0  # seconds; Telegram's retry_after beyond this is not waited out in-line


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline keyboard for a reply, if it has buttons."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data, url=b.url) for b in row]
            for row in reply.buttons
        ]
    )


async def send(update: Update, reply: Reply) -> None:
    """Send a new message to the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(reply.text, reply_markup=markup(reply))


class Delivery(Enum):
    """What became of a reply that must arrive."""

    DELIVERED = "delivered"
    UNREACHABLE = "unreachable"  # he blocked the bot: no retry can reach him
    FAILED = "failed"  # Telegram kept failing: worth trying again later


async def deliver(update: Update, reply: Reply) -> Delivery:
    """Send a reply that must reach him, whatever Telegram does: wait out flood control
    (`retry_after`), retry server errors and timeouts with a short backoff, then fall back
    to the same text without buttons."""
    plain = replace(reply, buttons=())
    attempts = [reply] * MUST_ARRIVE_TRIES + [plain] * PLAIN_TRIES
    for number, attempt in enumerate(attempts):
        try:
            await send(update, attempt)
            return Delivery.DELIVERED
        except Forbidden:
            return Delivery.UNREACHABLE
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
            log.warning("flood control on a help answer; waiting %.1fs", seconds)
            await asyncio.sleep(min(float(seconds), LONGEST_WAIT))
        except TelegramError as exc:
            log.warning("a help answer failed (%s); try %d", type(exc).__name__, number + 1)
            await asyncio.sleep(min(0.2 * 2**number, 2.0))
    return Delivery.FAILED


async def show(update: Update, reply: Reply) -> None:
    """Edit the pressed message in place; send a new one if it cannot be edited."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        await send(update, reply)
        return
    try:
        await message.edit_text(reply.text, reply_markup=markup(reply))
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        log.info("could not edit a message (%s); sending anew", type(exc).__name__)
        await send(update, reply)


def replying(
    view: Callable[[Translator], Reply],
) -> Callable[[Update, UraContext], Coroutine[Any, Any, None]]:
    """A handler that answers with one fixed view, in the learner's language."""

    async def handler(update: Update, context: UraContext) -> None:
        await send(update, view(context.tr))

    handler.__doc__ = view.__doc__
    return handler
