"""Everything that is not a command or a button: typed text, stickers, edits, groups.

Typed text is never stored or logged; it only moves a THINK! step on.
"""

from __future__ import annotations

from telegram import Update

from bot.handlers.context import UraContext
from bot.handlers.send import send
from bot.learning.steps import Stage
from bot.views import menus
from bot.views.lesson import lesson_screen, think_acknowledged

MAX_TEXT = 1000


async def on_text(update: Update, context: UraContext) -> None:
    """A THINK! reply moves the lesson on; anything else gets a gentle pointer."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if len(message.text) > MAX_TEXT:
        await send(update, menus.too_long(context.tr))
        return
    async with context.deps.uow() as uow:
        screen, moved_on = await context.deps.player.reflect(
            uow, user_id=context.user_id, locale=context.tr.locale
        )
    if screen is None or screen.stage is Stage.DONE:
        await send(update, menus.not_understood(context.tr))
    elif not moved_on:
        await send(update, menus.in_a_lesson(screen.text.title, screen.lesson_key, context.tr))
    else:
        await send(update, think_acknowledged(context.tr))
        await send(update, lesson_screen(screen, context.tr))


async def on_group(update: Update, context: UraContext) -> None:
    """A command in a group: nothing personal here, only a link to a private chat."""
    await send(update, menus.private_only(context.tr, context.bot.username))
