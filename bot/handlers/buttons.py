"""Inline button presses. Data is decoded strictly; services re-check state on every press."""

from __future__ import annotations

from telegram import Update

from bot.handlers import help, reminders, staff
from bot.handlers.context import UraContext, event_ref
from bot.handlers.send import send, show
from bot.learning.steps import Screen
from bot.views import callbacks as cb
from bot.views import menus
from bot.views.lesson import feedback_thanks, lesson_screen
from bot.views.reply import Reply


async def on_button(update: Update, context: UraContext) -> None:
    """Route a press; always answer the callback query, with a toast when nothing changed."""
    query = update.callback_query
    assert query is not None
    toast: str | None = None
    try:
        action = cb.decode(query.data) if context.account is not None else None
        if isinstance(action, cb.Staff):
            tool = staff.tools().get(action.tool)
            toast = (
                await tool(update, context, action.arg) if tool else menus.dead_button(context.tr)
            )
            return
        result = await _act(action, context, event_ref(update)) if action is not None else None
        if result is None:
            toast = menus.dead_button(context.tr)
        elif isinstance(result, Screen) and not result.changed:
            # An earlier step's button (a double tap, or a press redelivered after a crash
            # whose reply never went out): show where he is now, and say so.
            toast = menus.stale_button(context.tr)
            await show(update, lesson_screen(result, context.tr))
        elif isinstance(result, help.Shown):
            await show(update, result.reply)
            await help.count_shown(update, context, result)
        else:
            reply = lesson_screen(result, context.tr) if isinstance(result, Screen) else result
            await show(update, reply)
            if isinstance(action, cb.SetLocale):
                await send(update, await _menu(context))
    finally:
        await query.answer(toast)


async def _menu(context: UraContext) -> Reply:
    async with context.deps.uow() as uow:
        view = await context.deps.player.overview(
            uow, user_id=context.user_id, locale=context.tr.locale
        )
    return menus.tracks(view, context.tr)


async def _act(
    action: cb.Action, context: UraContext, ref: str | None
) -> Screen | Reply | help.Shown | None:
    """One service call per action; None means the press is not valid for this learner."""
    deps, user_id, locale = context.deps, context.user_id, context.tr.locale
    if isinstance(action, help.HelpAction):
        return await help.act(action, context, ref)
    if isinstance(action, cb.Reminder):
        return await reminders.act(action, context)
    match action:
        case cb.OpenMenu():
            return await _menu(context)
        case cb.PickLocale():
            return menus.language_picker(context.tr)
        case cb.SetLocale(new_locale):
            async with deps.uow() as uow:
                account = await deps.accounts.set_locale(uow, user_id=user_id, locale=new_locale)
            if account is None:
                return None
            context.identify(account, deps.catalogs.get(account.locale))
            return menus.language_set(context.tr)
        case cb.Erase():
            async with deps.uow() as uow:
                await deps.accounts.erase(uow, user_id=user_id)
            return menus.erased(context.tr)
        case cb.OpenTrack(key):
            async with deps.uow() as uow:
                view = await deps.player.overview(uow, user_id=user_id, locale=locale)
            found = next((t for t in view.tracks if t.key == key), None)
            return menus.track(found, context.tr) if found else None
    if isinstance(action, cb.Next):  # most presses: one statement, no unit of work
        moved = await deps.player.step_on(
            deps.steps,
            user_id=user_id,
            lesson_key=action.lesson,
            from_step=action.step,
            locale=locale,
        )
        if moved is not None:
            return moved
    async with deps.uow() as uow:
        match action:
            case cb.OpenLesson(key):
                return await deps.player.open(uow, user_id=user_id, lesson_key=key, locale=locale)
            case cb.Next(key, step):
                return await deps.player.advance(
                    uow, user_id=user_id, lesson_key=key, from_step=step, locale=locale
                )
            case cb.Answer(key, option):
                return await deps.player.answer(
                    uow, user_id=user_id, lesson_key=key, option=option, locale=locale
                )
            case cb.Feedback(key, answer):
                done = await deps.player.feedback(
                    uow, user_id=user_id, lesson_key=key, answer=answer, locale=locale
                )
                return feedback_thanks(done, context.tr) if done else None
    return None
