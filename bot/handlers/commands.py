"""Slash commands that need the database: /start, /lessons, /progress."""

from __future__ import annotations

from telegram import Update

from bot.handlers import help
from bot.handlers.context import UraContext, event_ref
from bot.handlers.send import send
from bot.views import menus
from bot.views.help import HELP_PAYLOAD


async def on_start(update: Update, context: UraContext) -> None:
    """Greet; a new learner picks a language, a returning one can continue."""
    assert context.account is not None
    payload = context.args[0] if context.args else None
    if payload == HELP_PAYLOAD:  # the private-chat button offered in a group
        reply = await help.open_menu(context, lesson=None, source="link", ref=event_ref(update))
        await send(update, reply)
        return
    async with context.deps.uow() as uow:
        await context.deps.accounts.join_cohort(uow, user_id=context.user_id, payload=payload)
        await context.deps.reminders.resume(uow, context.user_id)
        screen = await context.deps.player.current(
            uow, user_id=context.user_id, locale=context.tr.locale
        )
    returning = context.account.chose_locale
    await send(
        update,
        menus.welcome(context.tr, returning=returning, resume=menus.resume_for(screen, context.tr)),
    )


async def on_lessons(update: Update, context: UraContext) -> None:
    """The tracks, each with this learner's progress."""
    async with context.deps.uow() as uow:
        view = await context.deps.player.overview(
            uow, user_id=context.user_id, locale=context.tr.locale
        )
    await send(update, menus.tracks(view, context.tr))


async def on_progress(update: Update, context: UraContext) -> None:
    """Lessons done, quiz results, and a button to continue."""
    player = context.deps.player
    async with context.deps.uow() as uow:
        view = await player.overview(uow, user_id=context.user_id, locale=context.tr.locale)
        screen = await player.current(uow, user_id=context.user_id, locale=context.tr.locale)
    await send(update, menus.progress(view, context.tr, menus.resume_for(screen, context.tr)))
