"""/cohorts (coordinators): list the cohort codes, or make a new one and get its deep link
and a QR code picture to print on a poster."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.handlers.context import UraContext
from bot.handlers.send import send
from bot.handlers.staff.access import requires
from bot.staff import cohorts
from bot.staff.roles import COORDINATOR
from bot.views import cohorts as view


async def _create(update: Update, context: UraContext, words: list[str]) -> None:
    """Make the code, then send the link and its QR code."""
    name = cohorts.clean_name(" ".join(words))
    if name is None:
        await send(update, view.bad_name(context.tr))
        return
    async with context.deps.uow() as uow:
        made = await cohorts.create(uow, name=name, actor=context.user_id)
    link = cohorts.deep_link(context.bot.username, made.code)
    await send(update, view.created(made, link, context.tr))
    chat = update.effective_chat
    if chat is not None:
        caption = view.qr_caption(made, link, context.tr)
        await chat.send_photo(cohorts.qr_png(link), caption=caption)


@requires(COORDINATOR)
async def on_cohorts(update: Update, context: UraContext) -> None:
    """/cohorts lists the codes; /cohorts new <name> makes one."""
    args = list(context.args or [])
    if args and args[0].lower() == "new":
        await _create(update, context, args[1:])
        return
    async with context.deps.uow() as uow:
        found = await cohorts.all_cohorts(uow)
    await send(update, view.listing(found, context.tr))


# access.requires returns an Awaitable-typed handler where PTB's stubs want a coroutine.
COMMANDS: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("cohorts", on_cohorts, filters=filters.ChatType.PRIVATE),
]
