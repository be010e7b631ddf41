"""Turning a view's `Reply` into Bot API calls: send, or edit a message in place."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.handlers.context import UraContext
from bot.i18n.catalogs import Translator
from bot.views.reply import Reply

log = logging.getLogger(__name__)


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
        log.info("could not edit message %s (%s); sending anew", message.message_id, exc)
        await send(update, reply)


def replying(
    view: Callable[[Translator], Reply],
) -> Callable[[Update, UraContext], Coroutine[Any, Any, None]]:
    """A handler that answers with one fixed view, in the learner's language."""

    async def handler(update: Update, context: UraContext) -> None:
        await send(update, view(context.tr))

    handler.__doc__ = view.__doc__
    return handler
