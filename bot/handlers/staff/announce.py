"""Announcements (moderators): /announce <lang> <text>, /announce_to <segment>,
/announce_preview, then Confirm (queued in the outbox, never sent from here) or Cancel."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.handlers.context import UraContext
from bot.handlers.send import send, show
from bot.handlers.staff.access import allowed, requires
from bot.i18n.locales import SUPPORTED_LOCALES
from bot.staff import announcements as use
from bot.staff.roles import MODERATOR
from bot.views import menus
from bot.views import staff_announce as view


@requires(MODERATOR)
async def on_announce(update: Update, context: UraContext) -> None:
    """/announce alone explains; /announce <lang> <text> writes one language's text."""
    message = update.effective_message
    words = (message.text or "").split(maxsplit=2) if message else []
    if len(words) < 3:
        await send(update, view.usage(context.tr))
        return
    locale = words[1].lower()
    if locale not in SUPPORTED_LOCALES:
        await send(update, view.bad_language(context.tr))
        return
    async with context.deps.uow() as uow:
        found = await use.set_text(uow, user_id=context.user_id, locale=locale, text=words[2])
    await send(update, view.draft(found, context.tr))


@requires(MODERATOR)
async def on_segment(update: Update, context: UraContext) -> None:
    """/announce_to lang=… country=… track=… cohort=… days=…: who it is for."""
    try:
        segment = use.parse_segment(list(context.args or []))
    except use.SegmentError as exc:
        await send(update, view.bad_segment(exc.word, context.tr))
        return
    async with context.deps.uow() as uow:
        found = await use.set_segment(uow, user_id=context.user_id, segment=segment)
    await send(update, view.draft(found, context.tr) if found else view.unknown_track(context.tr))


@requires(MODERATOR)
async def on_preview(update: Update, context: UraContext) -> None:
    """/announce_preview: each text as learners see it, the reach, Confirm / Cancel."""
    async with context.deps.uow() as uow:
        found = await use.current(uow, user_id=context.user_id)
    if found is None or not found.texts:
        await send(update, view.no_draft(context.tr))
        return
    for reply in view.texts(found):
        await send(update, reply)
    await send(update, view.confirm(found, context.tr))


async def on_button(update: Update, context: UraContext, arg: str) -> str | None:
    """Confirm (queue once) or Cancel his open draft."""
    if not await allowed(update, context, (MODERATOR,)):
        return menus.dead_button(context.tr)
    action, _, number = arg.partition(":")
    if action not in ("ok", "no") or not number.isdigit():
        return menus.dead_button(context.tr)
    user_id, item = context.user_id, int(number)
    async with context.deps.uow() as uow:
        if action == "ok":
            done = await use.confirm(uow, announcement_id=item, user_id=user_id, today=date.today())
            reply = view.queued(done, context.tr) if done else None
        else:
            dropped = await use.cancel(uow, announcement_id=item, user_id=user_id)
            reply = view.cancelled(context.tr) if dropped else None
    if reply is None:
        return view.gone(context.tr)
    await show(update, reply)
    return None


PRIVATE = filters.ChatType.PRIVATE
# access.requires returns an Awaitable-typed handler where PTB's stubs want a coroutine.
COMMANDS: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("announce", on_announce, filters=PRIVATE),
    CommandHandler("announce_to", on_segment, filters=PRIVATE),
    CommandHandler("announce_preview", on_preview, filters=PRIVATE),
]
TOOLS = {view.TOOL: on_button}
