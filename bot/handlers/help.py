"""The help menu: /help, /sos, /settings and the help buttons (screening of typed text is
`handlers/screen.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType

from bot.db.uow import UnitOfWork
from bot.handlers.context import UraContext, event_ref
from bot.handlers.send import send
from bot.help.categories import CRISIS
from bot.views import callbacks as cb
from bot.views import help as views
from bot.views import menus
from bot.views.reply import Button, Reply


@dataclass(frozen=True)
class Shown:
    """A help answer to show; counted as shown only after it was delivered."""

    reply: Reply
    category: str
    country: str | None


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


async def open_menu(
    context: UraContext, *, lesson: str | None, source: str, ref: str | None
) -> Reply:
    """The help menu, with a way back to the open lesson."""
    desk, locale = context.deps.help, context.tr.locale
    async with context.deps.uow() as uow:
        view = await desk.menu(
            uow, user_id=context.user_id, locale=locale, lesson_key=lesson, source=source, ref=ref
        )
        resume = await _resume(uow, context)
    return views.menu(view, desk.directory, context.tr, resume)


async def on_help(update: Update, context: UraContext) -> None:
    """/help and /sos open the help menu; in a group, only a way to talk privately."""
    if not _private(update) or context.account is None:
        await send(update, views.in_a_group(context.tr, context.bot.username))
        return
    reply = await open_menu(context, lesson=None, source="command", ref=event_ref(update))
    await send(update, reply)


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


async def count_shown(update: Update, context: UraContext, shown: Shown) -> None:
    """After a help answer was delivered: count it (a replayed press counts nothing twice)."""
    ref = event_ref(update)
    async with context.deps.uow() as uow:
        await context.deps.help.count(
            uow,
            "help_shown",
            user_id=context.user_id,
            category=shown.category,
            locale=context.tr.locale,
            country=shown.country,
            ref=ref or f"u{update.update_id}",
        )


async def act(action: HelpAction, context: UraContext, ref: str | None) -> Reply | Shown | None:
    """One help button pressed; the service re-checks every value it carries."""
    desk, tr, user_id = context.deps.help, context.tr, context.user_id
    directory = desk.directory
    match action:
        case cb.OpenHelp(lesson):
            return await open_menu(context, lesson=lesson, source="button", ref=ref)
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
        offer = await desk.offer(uow, user_id=user_id, category=wanted)
    if offer is None:
        return None
    return Shown(views.offer(offer, directory, tr, resume), offer.category, offer.country)
