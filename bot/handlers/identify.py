"""First handler group: who sent this update, in which language to answer."""

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

    In groups nobody is recorded: the reply there only points to a private chat. If he
    cannot be identified (the database failed), nothing else runs for this update and he
    gets one apology: later groups would only fail again without an account.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    if chat.type != ChatType.PRIVATE:
        context.identify(None, context.deps.catalogs.get(negotiate(user.language_code)))
        return
    try:
        async with context.deps.uow() as uow:
            account = await context.deps.accounts.ensure(
                uow, user_id=user.id, chat_id=chat.id, language_code=user.language_code
            )
    except Exception as exc:
        log.error(
            "could not identify the sender of update %s (%s)", update.update_id, type(exc).__name__
        )
        context.identify(None, context.deps.catalogs.get(negotiate(user.language_code)))
        await apologise(update, context)
        raise ApplicationHandlerStop from exc
    context.identify(account, context.deps.catalogs.get(account.locale))
