"""The PTB Application around the dependencies: handlers, context type, no Updater."""

from __future__ import annotations

from typing import Any

from telegram.ext import AIORateLimiter, Application, ContextTypes
from telegram.request import BaseRequest

from bot.deps import Deps
from bot.handlers import register
from bot.handlers.context import UraContext

UraApplication = Application[Any, UraContext, Any, Any, Any, Any]
REPLY_RETRIES = 3


def build_application(
    deps: Deps, *, token: str, request: BaseRequest, updates_request: BaseRequest | None = None
) -> UraApplication:
    """The real PTB Application over `request` (and `updates_request` for getUpdates, if
    apart): the network (`bot.transport`), or a fake Bot API in tests and `ura chat`.

    There is no PTB Updater: `bot.inbound` fetches updates (or takes them from a webhook)
    and confirms each only after it was handled.
    """
    builder = (
        Application.builder()
        .token(token)
        .base_url(deps.settings.telegram_api_base_url)
        .base_file_url(deps.settings.telegram_api_base_file_url)
        .updater(None)
        .context_types(ContextTypes(context=UraContext))
        # Flood control for direct replies: a 429 is waited out (its retry_after) and retried
        # instead of losing the reply, and groups keep Telegram's 20 a minute. Replies are
        # not held to the 30-a-second bulk pace: each answers one learner's own action, and
        # queueing them behind each other made fifty learners wait (bench/presses.py). Bulk
        # sends keep that pace in the dispatcher.
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=REPLY_RETRIES))
    )
    builder = builder.request(request).get_updates_request(updates_request or request)
    application: UraApplication = builder.build()
    application.bot_data["deps"] = deps
    register(application)
    return application
