"""Messages Ura starts: /pause, /stop, the reminders settings, "Stop these messages" and the
check-in answers. Every button's argument is checked against what is offered."""

from __future__ import annotations

from telegram import Update

from bot.delivery.reminders import CHECKIN_ANSWERS
from bot.handlers.context import UraContext
from bot.handlers.send import send
from bot.views import reminders as views
from bot.views.callbacks import Reminder
from bot.views.reply import Reply

PICKERS = {"hours": views.hours, "zones": views.zones, "quiets": views.quiets}


async def on_pause(update: Update, context: UraContext) -> None:
    """/pause: for 1, 7 or 30 days."""
    await send(update, views.pause_question(context.tr))


async def on_stop(update: Update, context: UraContext) -> None:
    """/stop: every message Ura would start, stopped at once."""
    async with context.deps.uow() as uow:
        await context.deps.reminders.stop(uow, context.user_id)
    await send(update, views.stopped(context.tr))


async def act(action: Reminder, context: UraContext) -> Reply | None:
    """One press; None when it is not one we offer (a forged press changes nothing)."""
    deps, tr = context.deps, context.tr
    if action.action == "stop" and not action.arg:
        async with deps.uow() as uow:
            done = await deps.reminders.stop(uow, context.user_id)
        return views.stopped(tr) if done else None
    if action.action == "ci":
        return views.checkin_reply(action.arg, tr) if action.arg in CHECKIN_ANSWERS else None
    if action.action in PICKERS and not action.arg:
        return PICKERS[action.action](tr)
    async with deps.uow() as uow:
        rhythm = await deps.reminders.choose(uow, context.user_id, action.action, action.arg)
    if rhythm is None:
        return None
    return views.paused(tr) if action.action == "pause" else views.menu(rhythm, tr)
