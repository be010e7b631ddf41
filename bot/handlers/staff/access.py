"""The role check every staff command and button passes first.

Anyone without the role gets exactly the reply an unknown command gets (or a dead button's
toast): a forged command or button changes nothing and reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot.handlers.context import UraContext
from bot.handlers.send import send
from bot.staff.roles import has_role
from bot.views import menus

Handler = Callable[[Update, UraContext], Coroutine[Any, Any, None]]


async def allowed(update: Update, context: UraContext, roles: tuple[str, ...]) -> bool:
    """Is the sender, in a private chat, staff with one of `roles` right now?"""
    chat = update.effective_chat
    if context.account is None or chat is None or chat.type != ChatType.PRIVATE:
        return False
    async with context.deps.uow() as uow:
        return await has_role(uow, context.user_id, *roles)


def requires(*roles: str) -> Callable[[Handler], Handler]:
    """A staff command: re-check the role, else answer as for an unknown command."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def checked(update: Update, context: UraContext) -> None:
            if not await allowed(update, context, roles):
                await send(update, menus.not_understood(context.tr))
                return
            await handler(update, context)

        return checked

    return decorate
