"""The help path: screening of every message (before any other handler), /help, /sos,
/settings and the help buttons. Typed text goes to the screener and nowhere else."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.db.uow import UnitOfWork
from bot.handlers.context import UraContext
from bot.handlers.send import send
from bot.help.categories import CRISIS, NONE
from bot.views import callbacks as cb
from bot.views import help as views
from bot.views import menus
from bot.views.reply import Button, Reply

HelpAction = (
    cb.OpenHelp | cb.ShowHelp | cb.PickCountry | cb.SetCountry | cb.OpenSettings | cb.Dismiss
)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def _resume(uow: UnitOfWork, context: UraContext) -> Button | None:
    screen = await context.deps.player.current(
        uow, user_id=context.user_id, locale=context.tr.locale
    )
    return menus.resume_for(screen, context.tr)


async def on_screen(update: Update, context: UraContext) -> None:
    """Screen every typed message first, in every state; a need for help stops all else."""
    message = update.effective_message
    text = (message.text or message.caption) if message else None
    if not text or (_private(update) and context.account is None):
        return
    desk, tr = context.deps.help, context.tr
    if not _private(update):
        if desk.classify(text, tr.locale).category != NONE:
            await send(update, views.in_a_group(tr, context.bot.username))
            raise ApplicationHandlerStop
        return
    async with context.deps.uow() as uow:
        found = await desk.screen(uow, user_id=context.user_id, text=text, locale=tr.locale)
        resume = await _resume(uow, context) if found.found else None
    if found.offer is not None:
        await send(update, views.offer(found.offer, desk.directory, tr, resume))
    elif found.found:
        await send(update, views.gentle_offer(found.category, tr, resume))
    if found.found:
        raise ApplicationHandlerStop


async def open_menu(context: UraContext, *, lesson: str | None, source: str) -> Reply:
    """The help menu, with a way back to the open lesson."""
    desk = context.deps.help
    async with context.deps.uow() as uow:
        view = await desk.menu(
            uow, user_id=context.user_id, locale=context.tr.locale, lesson_key=lesson, source=source
        )
        resume = await _resume(uow, context)
    return views.menu(view, desk.directory, context.tr, resume)


async def on_help(update: Update, context: UraContext) -> None:
    """/help and /sos open the help menu; in a group, only a way to talk privately."""
    if not _private(update) or context.account is None:
        await send(update, views.in_a_group(context.tr, context.bot.username))
        return
    await send(update, await open_menu(context, lesson=None, source="command"))


async def _settings(context: UraContext) -> Reply:
    """The settings screen: his language and his country."""
    desk = context.deps.help
    async with context.deps.uow() as uow:
        country = await desk.country(uow, user_id=context.user_id)
    return views.settings(context.tr.locale, country, desk.directory, context.tr)


async def on_settings(update: Update, context: UraContext) -> None:
    """/settings: language and country."""
    assert context.account is not None
    await send(update, await _settings(context))


async def act(action: HelpAction, context: UraContext) -> Reply | None:
    """One help button pressed; the service re-checks every value it carries."""
    desk, tr, user_id = context.deps.help, context.tr, context.user_id
    directory = desk.directory
    match action:
        case cb.OpenHelp(lesson):
            return await open_menu(context, lesson=lesson, source="button")
        case cb.PickCountry(category):
            return views.country_question(directory, tr, category)
        case cb.OpenSettings():
            return await _settings(context)
    async with context.deps.uow() as uow:
        resume = await _resume(uow, context)
        wanted: str | None = None
        match action:
            case cb.Dismiss():
                return views.dismissed(tr, resume)
            case cb.SetCountry(country, category):
                if not await desk.set_country(uow, user_id=user_id, country=country):
                    return None
                if category is None:
                    return views.country_saved(directory, country, tr)
                wanted = category
            case cb.ShowHelp(category):
                known = await desk.country(uow, user_id=user_id)
                if known is None and category != CRISIS:
                    return views.country_question(directory, tr, category)
                wanted = category
        shown = await desk.offer(uow, user_id=user_id, category=wanted, locale=tr.locale)
    return views.offer(shown, directory, tr, resume) if shown else None
