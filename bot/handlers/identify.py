"""First handler groups: who sent this update, in which language to answer; and the hold
that stops an update nobody could identify, once screening had its chance."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.handlers.context import UraContext
from bot.handlers.system import apologise
from bot.i18n.locales import negotiate

log = logging.getLogger(__name__)


async def identify(update: Update, context: UraContext) -> None:
    """Create or refresh the learner's account (private chats only) and pick his translator.

    In groups nobody is recorded: the reply there only points to a private chat. If the
    database fails, he is noted as unidentified: screening (in memory) still answers a need
    for help, and `hold_unidentified` stops everything else.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    if chat.type != ChatType.PRIVATE:
        context.identify(None, context.deps.catalogs.get(negotiate(user.language_code)))
        return
    accounts, code = context.deps.accounts, user.language_code
    try:
        account = await accounts.known(
            context.deps.reads, user_id=user.id, chat_id=chat.id, language_code=code
        )
        if account is None:
            async with context.deps.uow() as uow:
                account = await accounts.ensure(
                    uow, user_id=user.id, chat_id=chat.id, language_code=code
                )
    except Exception as exc:
        log.error(
            "could not identify the sender of update %s (%s)", update.update_id, type(exc).__name__
        )
        context.identify(None, context.deps.catalogs.get(negotiate(user.language_code)))
        context.deps.outage.unidentified.add(update.update_id)
        return
    context.identify(account, context.deps.catalogs.get(account.locale))


async def hold_unidentified(update: Update, context: UraContext) -> None:
    """After screening: an update whose sender could not be identified goes no further.

    He gets one apology, even when the update is tried again while the database is down;
    later groups would only fail again without an account.
    """
    outage = context.deps.outage
    if update.update_id not in outage.unidentified:
        return
    if update.update_id not in outage.apologised:
        outage.apologised.add(update.update_id)
        await apologise(update, context)
    raise ApplicationHandlerStop
