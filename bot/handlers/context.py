"""The per-update context: dependencies, and the learner's account and translator."""

from __future__ import annotations

import hashlib
from typing import Any

from telegram import Update
from telegram.ext import CallbackContext, ExtBot

from bot.accounts import Account
from bot.deps import Deps
from bot.i18n.catalogs import Translator


class UraContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB builds one per update and shares it across handler groups, so the account and
    translator set by the first group reach the handler without any global state."""

    account: Account | None = None
    _tr: Translator | None = None

    @property
    def deps(self) -> Deps:
        """The process-wide dependencies."""
        deps: Deps = self.bot_data["deps"]
        return deps

    @property
    def tr(self) -> Translator:
        """The translator for this update's learner (English before he is known)."""
        return self._tr or self.deps.catalogs.get(None)

    def identify(self, account: Account | None, translator: Translator) -> None:
        """Attach who this update is from and how to talk to him."""
        self.account, self._tr = account, translator

    @property
    def user_id(self) -> int:
        """The learner's numeric Telegram id (handlers run only after `identify`)."""
        assert self.account is not None, "handler ran for an unidentified update"
        return self.account.user_id


def event_ref(update: Update) -> str | None:
    """What caused an event, so a replayed update or a double tap counts it once: the
    pressed message and button, or the message he sent. The button's data is kept as a
    digest: a forged press may carry any text the grammar allows, and that is never stored."""
    query = update.callback_query
    if query is not None:
        message = query.message
        data = hashlib.blake2s((query.data or "").encode(), digest_size=6).hexdigest()
        return f"b{message.message_id if message else 0}:{data}"
    if update.effective_message is not None:
        return f"m{update.effective_message.message_id}"
    return None
