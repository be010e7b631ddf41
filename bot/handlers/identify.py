"""First handler group: who sent this update, in which language to answer."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.handlers.context import UraContext
from bot.i18n.locales import negotiate


async def identify(update: Update, context: UraContext) -> None:
    """Create or refresh the learner's account (private chats only) and pick his translator.

    In groups nobody is recorded: the reply there only points to a private chat.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    if chat.type != ChatType.PRIVATE:
        context.identify(None, context.deps.catalogs.get(negotiate(user.language_code)))
        return
    async with context.deps.uow() as uow:
        account = await context.deps.accounts.ensure(
            uow, user_id=user.id, chat_id=chat.id, language_code=user.language_code
        )
    context.identify(account, context.deps.catalogs.get(account.locale))
