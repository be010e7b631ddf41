"""Group -5: every typed message is screened before anything else, and fails closed.

The verdict and the help answer come from memory (screener, directory), so a database
outage cannot silence them; the answer is delivered with retries and a plain fallback; a
message that showed a need never reaches a lesson handler, even when something failed;
`help_shown` is recorded only after the answer reached him. Typed text goes to the
screener and nowhere else: not stored, not logged.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.handlers.context import UraContext
from bot.handlers.send import Delivery, deliver, send
from bot.help.categories import CRISIS, NONE
from bot.views import help as views
from bot.views import menus
from bot.views.reply import Button

log = logging.getLogger(__name__)


def _classify(context: UraContext, text: str) -> str:
    """The category; a screener failure counts as a crisis (fail closed: numbers shown)."""
    try:
        return context.deps.help.classify(text, context.tr.locale).category
    except Exception as exc:
        log.error("screening failed (%s); answering as a crisis", type(exc).__name__)
        return CRISIS


async def _whereabouts(context: UraContext) -> tuple[str | None, Button | None]:
    """His country and the way back to his lesson, if the database answers."""
    if context.account is None:
        return None, None
    try:
        async with context.deps.uow() as uow:
            country = await context.deps.help.country(uow, user_id=context.user_id)
            screen = await context.deps.player.current(
                uow, user_id=context.user_id, locale=context.tr.locale
            )
        return country, menus.resume_for(screen, context.tr)
    except Exception as exc:
        log.warning("help answer without country or lesson (%s)", type(exc).__name__)
        return None, None


async def _record(
    update: Update, context: UraContext, category: str, country: str | None, *, shown: bool
) -> None:
    """Count it (category only, never the text); best effort, after the answer."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    ref, desk, locale = f"m{message.message_id}", context.deps.help, context.tr.locale
    try:
        async with context.deps.uow() as uow:
            for event in ("screened", "help_shown") if shown else ("screened",):
                await desk.count(
                    uow,
                    event,
                    user_id=user.id,
                    category=category,
                    locale=locale,
                    country=country,
                    ref=ref,
                )
    except Exception as exc:
        log.warning(
            "help events of update %s not recorded (%s)", update.update_id, type(exc).__name__
        )


async def on_screen(update: Update, context: UraContext) -> None:
    """Screen a typed message in every state; a need for help stops all else."""
    message = update.effective_message
    text = (message.text or message.caption) if message else None
    if not text:
        return
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        if _classify(context, text) != NONE:
            await send(update, views.in_a_group(context.tr, context.bot.username))
            raise ApplicationHandlerStop
        return
    category = _classify(context, text)
    if category == NONE:
        return
    country, resume = await _whereabouts(context)
    desk, tr = context.deps.help, context.tr
    offer = desk.offer_for(CRISIS, country) if category == CRISIS else None
    reply = (
        views.offer(offer, desk.directory, tr, resume)
        if offer is not None
        else views.gentle_offer(category, tr, resume)
    )
    outage, delivery = context.deps.outage, await deliver(update, reply)
    if delivery is Delivery.FAILED:  # not recorded: tried again, and answered then
        outage.undelivered.add(update.update_id)
    else:
        outage.answered.add(update.update_id)
        outage.undelivered.discard(update.update_id)
    shown = offer is not None and delivery is Delivery.DELIVERED
    await _record(update, context, category, country, shown=shown)
    raise ApplicationHandlerStop
