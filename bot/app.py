"""Wiring: build the dependencies once and the PTB Application around them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest

from bot.accounts import Accounts
from bot.analytics import Analytics
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.uow import UnitOfWork
from bot.handlers import register
from bot.handlers.context import UraContext
from bot.help.directory import load_directory
from bot.help.screening import Screener
from bot.help.service import Referrals
from bot.i18n.catalogs import Catalogs
from bot.learning import catalog as catalog_service
from bot.learning.loader import load_catalog
from bot.learning.player import LessonPlayer


@dataclass
class Deps:
    """Everything handlers need, built once per process and stored in `bot_data`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalogs: Catalogs
    accounts: Accounts
    player: LessonPlayer
    referrals: Referrals

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one transaction)."""
        return UnitOfWork(self.sessions)

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


async def build_deps(settings: Settings, *, publish_from: Path | None = None) -> Deps:
    """Read and check every file first (a bad file stops start-up before anything connects),
    then connect, optionally publish lesson files, and load the catalog from the database."""
    files = load_catalog(publish_from) if publish_from is not None else None
    directory = load_directory(settings.referrals_dir / "directory")
    screener = Screener.from_dir(settings.referrals_dir / "phrases")
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        if files is not None:
            async with UnitOfWork(sessions) as uow:
                await catalog_service.publish(uow, files)
        async with UnitOfWork(sessions) as uow:
            catalog = await catalog_service.load(uow)
    except BaseException:
        await engine.dispose()
        raise
    analytics = Analytics(settings.pseudonym_secret())
    referrals = Referrals(directory, screener, analytics, catalog)
    return Deps(
        settings=settings,
        engine=engine,
        sessions=sessions,
        catalogs=Catalogs(settings.locale_dir),
        accounts=Accounts(analytics),
        player=LessonPlayer(catalog, analytics),
        referrals=referrals,
    )


def build_application(deps: Deps, *, token: str, request: BaseRequest | None = None) -> Application:  # type: ignore[type-arg]
    """The real PTB Application; `request` swaps the network for an emulator in tests and chat.

    There is no PTB Updater: `bot.inbound.polling.Poller` fetches updates and confirms each only
    after it was handled.
    """
    builder = (
        Application.builder()
        .token(token)
        .base_url(deps.settings.telegram_api_base_url)
        .base_file_url(deps.settings.telegram_api_base_file_url)
        .updater(None)
        .context_types(ContextTypes(context=UraContext))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    application.bot_data["deps"] = deps
    register(application)
    return application
