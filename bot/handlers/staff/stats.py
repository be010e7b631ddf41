"""/stats and /stats_csv for coordinators: a summary with charts, or the same as CSV files.

The role is re-checked at every command and every press; charts render off the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.handlers.context import UraContext
from bot.handlers.send import send, show
from bot.handlers.staff.access import allowed, requires
from bot.learning.catalog import load as load_catalog
from bot.learning.model import Catalog
from bot.staff import charts
from bot.staff.roles import COORDINATOR
from bot.staff.stats import Filter, Report, report
from bot.views import menus
from bot.views import staff_stats as views

DEFAULT_PERIOD = "all"


async def _report(context: UraContext, period: str, locale: str | None) -> tuple[Report, Catalog]:
    async with context.deps.uow() as uow:
        catalog = (await load_catalog(uow)).catalog
    return await report(context.deps.engine, catalog, Filter.of(period, locale)), catalog


async def _charts(update: Update, context: UraContext, found: Report, catalog: Catalog) -> None:
    """Render in a worker thread, then send each chart as a photo with its title."""
    tr = context.tr
    drawn = await asyncio.to_thread(charts.render, found, catalog, tr, views.category_names(tr))
    chat = update.effective_chat
    if chat is None:
        return
    for chart in drawn:
        await chat.send_photo(chart.png, caption=chart.title)


@requires(COORDINATOR)
async def on_stats(update: Update, context: UraContext) -> None:
    """The summary (with period and language buttons), then the charts."""
    found, catalog = await _report(context, DEFAULT_PERIOD, None)
    await send(update, views.summary(found, DEFAULT_PERIOD, catalog, context.tr))
    await _charts(update, context, found, catalog)


async def on_pick(update: Update, context: UraContext, arg: str) -> str | None:
    """A period or language pressed: the summary edited in place, fresh charts below."""
    picked = views.choice(arg)
    if picked is None or not await allowed(update, context, (COORDINATOR,)):
        return menus.dead_button(context.tr)
    period, locale = picked
    found, catalog = await _report(context, period, locale)
    await show(update, views.summary(found, period, catalog, context.tr))
    await _charts(update, context, found, catalog)
    return None


@requires(COORDINATOR)
async def on_stats_csv(update: Update, context: UraContext) -> None:
    """The same aggregates as CSV files, in one zip."""
    found, _ = await _report(context, DEFAULT_PERIOD, None)
    chat = update.effective_chat
    if chat is not None:
        caption = views.csv_caption(context.tr)
        await chat.send_document(views.csv_zip(found), filename="ura-stats.zip", caption=caption)


COMMANDS: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("stats", on_stats, filters=filters.ChatType.PRIVATE),
    CommandHandler("stats_csv", on_stats_csv, filters=filters.ChatType.PRIVATE),
]
TOOLS = {views.TOOL: on_pick}
