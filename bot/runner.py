"""Serving: migrate-ready dependencies, the Application, the command menu, the poll loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from telegram import BotCommand
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.app import Deps, build_application, build_deps
from bot.config import Settings
from bot.i18n import Catalogs
from bot.inbound import Poller
from bot.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from bot.views.menus import command_menu

log = logging.getLogger(__name__)


async def set_command_menus(
    app: Application[Any, Any, Any, Any, Any, Any], catalogs: Catalogs
) -> None:
    """setMyCommands once per language, plus the default (English) for everyone else."""
    for locale in SUPPORTED_LOCALES:
        commands = [BotCommand(c, d) for c, d in command_menu(catalogs.get(locale))]
        await app.bot.set_my_commands(
            commands, language_code=None if locale == DEFAULT_LOCALE else locale
        )


class Runtime:
    """A started bot: dependencies, initialized Application and its poller."""

    def __init__(self, deps: Deps, app: Application[Any, Any, Any, Any, Any, Any], poller: Poller):
        self.deps, self.app, self.poller = deps, app, poller

    @classmethod
    async def start(
        cls, settings: Settings, *, token: str, request: BaseRequest | None = None
    ) -> Runtime:
        """Build and initialize everything; publish lesson files from the configured folder."""
        deps = await build_deps(settings, publish_from=settings.lessons_dir)
        app = build_application(deps, token=token, request=request)
        await app.initialize()
        await set_command_menus(app, deps.catalogs)
        return cls(deps, app, Poller(app, deps.uow, timeout=settings.poll_timeout))

    async def stop(self) -> None:
        """Shut the Application down and close the database."""
        await self.app.shutdown()
        await self.deps.close()


async def serve(settings: Settings, *, token: str) -> None:
    """Long-poll until SIGINT/SIGTERM."""
    runtime = await Runtime.start(settings, token=token)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    log.info("Ura is serving as @%s", runtime.app.bot.username)
    try:
        await runtime.poller.run(stop)
    finally:
        await runtime.stop()
