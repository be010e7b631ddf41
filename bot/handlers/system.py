"""Updates about the bot itself (blocked, unblocked) and the error handler."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import ChatMember, Update
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.handlers.context import UraContext
from bot.handlers.send import send
from bot.logs import sanitize_exception
from bot.views import menus

log = logging.getLogger(__name__)
# The database is unreachable, locked or out of connections: worth trying the update again.
DATABASE_DOWN = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


async def on_my_chat_member(update: Update, context: UraContext) -> None:
    """He blocked (kicked) the bot, or came back: remember it so nothing is sent meanwhile."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    blocked = change.new_chat_member.status == ChatMember.BANNED
    async with context.deps.uow() as uow:
        await context.deps.accounts.set_status(uow, user_id=change.from_user.id, blocked=blocked)


async def on_error(update: object, context: UraContext) -> None:
    """Log the failure without any user content, and tell the user kindly.

    The transaction of the failed handler was rolled back, so no half-done change stays.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, Forbidden):  # he blocked the bot meanwhile: nothing to tell him
        log.info("update %s: the chat blocked the bot", update_id)
        return
    if isinstance(error, NetworkError | RetryAfter) and update_id is not None:
        # Telegram did not take the reply: the update is not confirmed, and is handled again
        # shortly (its writes are idempotent; a press shows where he is now).
        log.warning(
            "update %s: reply not delivered (%s); will retry", update_id, type(error).__name__
        )
        context.deps.outage.undelivered.add(update_id)
        return
    outage = context.deps.outage
    if isinstance(error, DATABASE_DOWN) and update_id is not None:
        # The database is down or locked: the handler's transaction was rolled back, so the
        # update is handled again once it is back (one apology meanwhile), never lost.
        log.warning(
            "update %s: the database failed (%s); will retry", update_id, type(error).__name__
        )
        outage.interrupted.add(update_id)
        if update_id in outage.apologised or not isinstance(update, Update):
            return
        outage.apologised.add(update_id)
        await apologise(update, context)
        return
    # Its message may quote what he typed (Telegram's, SQL's): keep only types and frames.
    log.error(
        "update %s failed (%s)",
        update_id,
        type(error).__name__,
        exc_info=sanitize_exception(error) if error is not None else None,
    )
    if isinstance(update, Update):
        await apologise(update, context)


async def apologise(update: Update, context: UraContext) -> None:
    """The one apology a person gets when handling his update failed."""
    if update.effective_chat is None:
        return
    try:
        await send(update, menus.something_went_wrong(context.tr))
    except Exception as exc:
        log.error(
            "could not send the error notice for update %s",
            update.update_id,
            exc_info=sanitize_exception(exc),
        )
