"""Group -5: every typed message is screened before anything else, and fails closed.

A direct ask ("help", "помогите") opens the help menu; otherwise the verdict's band decides:
a need gets the help answer, a maybe one gentle question, nothing else goes on to the
lesson. The verdict and the help answer come from memory (screener, directory), so a
database outage cannot silence them; the answer is delivered with retries and a plain
fallback; a message that was answered here never reaches a lesson handler, even when
something failed; `help_shown` is recorded only after the answer reached him. In groups
nothing is screened or answered: nobody there learns anything about anyone's message.
Typed text goes to the screener and nowhere else: not stored, not logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.handlers import help
from bot.handlers.context import UraContext, event_ref
from bot.handlers.send import Delivery, deliver
from bot.help.asks import is_direct_ask
from bot.help.categories import CRISIS
from bot.help.model import SOURCE as MODEL
from bot.help.screening import CLEAR, UNSURE, Verdict
from bot.learning.steps import Stage
from bot.views import help as views
from bot.views import menus
from bot.views.reply import Button, Reply

log = logging.getLogger(__name__)

# What a screening failure counts as: a crisis, so the emergency numbers are shown.
FAILED = Verdict(category=CRISIS, urgent=True, matched=None, source=None)


async def _verdict(context: UraContext, text: str) -> Verdict:
    """How sure screening is that he needs help. Every classification passes here, so how
    the verdict is obtained changes in one place; any failure counts as a crisis (fail
    closed: numbers shown)."""
    try:
        return await context.deps.help.screen(text, context.tr.locale)
    except Exception as exc:
        log.error("screening failed (%s); answering as a crisis", type(exc).__name__)
        return FAILED


@dataclass(frozen=True)
class Where:
    """His country, the way back to his lesson, and whether the lesson awaits his answer."""

    country: str | None = None
    resume: Button | None = None
    thinking: bool = False  # at a THINK! step: the lesson asked him to write


async def _whereabouts(context: UraContext) -> Where:
    """Where he is, if the database answers (nothing known otherwise)."""
    if context.account is None:
        return Where()
    try:
        async with context.deps.uow() as uow:
            country = await context.deps.help.country(uow, user_id=context.user_id)
            screen = await context.deps.player.current(
                uow, user_id=context.user_id, locale=context.tr.locale
            )
        thinking = screen is not None and screen.stage == Stage.THINK
        return Where(country, menus.resume_for(screen, context.tr), thinking)
    except Exception as exc:
        log.warning("help answer without country or lesson (%s)", type(exc).__name__)
        return Where()


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


async def _deliver(update: Update, context: UraContext, reply: Reply) -> Delivery:
    """Send an answer that must arrive, and note for the durable inbound whether it did."""
    outage, delivery = context.deps.outage, await deliver(update, reply)
    if delivery is Delivery.FAILED:  # not recorded: tried again, and answered then
        outage.undelivered.add(update.update_id)
    else:
        outage.answered.add(update.update_id)
        outage.undelivered.discard(update.update_id)
    return delivery


async def _need(update: Update, context: UraContext, category: str, where: Where) -> None:
    """A clear need: a crisis gets its services at once, anything else is asked first, with
    the emergency numbers shown either way."""
    country, resume = where.country, where.resume
    desk, tr = context.deps.help, context.tr
    crisis = desk.offer_for(CRISIS, country)  # its emergency numbers go with every answer
    reply = (
        views.offer(crisis, desk.directory, tr, resume)
        if category == CRISIS
        else views.gentle_offer(category, crisis, desk.directory, tr, resume)
    )
    delivery = await _deliver(update, context, reply)
    shown = category == CRISIS and delivery is Delivery.DELIVERED
    await _record(update, context, category, country, shown=shown)


async def _unsure(update: Update, context: UraContext, where: Where) -> None:
    """Maybe a need: one gentle question and the way back; counted as `unsure`, no more."""
    await _deliver(update, context, views.unsure(context.tr, where.resume))
    await _record(update, context, UNSURE, where.country, shown=False)


async def _ask(update: Update, context: UraContext) -> None:
    """He asked for help in so many words: the help menu, as /help opens it. Without the
    database (no account, or the menu failed) the crisis answer from memory stands in, so
    an ask for help is never met with an apology."""
    if context.account is not None:
        try:
            menu = await help.open_menu(context, lesson=None, source="ask", ref=event_ref(update))
        except Exception as exc:
            log.warning("help menu for a direct ask failed (%s)", type(exc).__name__)
        else:
            await _deliver(update, context, menu)
            return
    desk = context.deps.help
    await _deliver(
        update, context, views.offer(desk.offer_for(CRISIS, None), desk.directory, context.tr, None)
    )


async def on_screen(update: Update, context: UraContext) -> None:
    """Screen a typed message in every state: a direct ask opens the help menu, a need gets
    the help answer, a maybe gets one gentle question; each of them stops all else. In a
    group nothing is screened, so nobody there learns anything about anyone's message."""
    message = update.effective_message
    text = (message.text or message.caption) if message else None
    if not text:
        return
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        return
    if is_direct_ask(text):
        await _ask(update, context)
        raise ApplicationHandlerStop
    verdict = await _verdict(context, text)
    if verdict.band == CLEAR:
        return
    where = await _whereabouts(context)
    if where.thinking and verdict.source == MODEL and not verdict.urgent:
        # His answer to a THINK! question talks about stress, anger or loss because the
        # lesson asked him to; the model alone misreads such answers too often to stop the
        # lesson for them. A phrase match or a crisis still does; the lesson's own screens
        # carry "Talk to someone".
        return
    if verdict.band == UNSURE:
        await _unsure(update, context, where)
    else:
        await _need(update, context, verdict.category, where)
    raise ApplicationHandlerStop
