"""The process-wide dependencies handlers use, built once at start-up.

Content that never changes while the process runs (the referral directory, the compiled
phrase lists, the UI catalogs) is loaded once into `Content`, which tests share across a
whole session. The lesson catalog is different: it lives in the database and is served
through a `CatalogStore` that follows new publications.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.accounts import Accounts
from bot.analytics import Analytics
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.uow import UnitOfWork
from bot.help.directory import Directory, load_directory
from bot.help.screening import Screener
from bot.help.service import HelpService
from bot.i18n.catalogs import Catalogs
from bot.learning import catalog as lesson_catalog
from bot.learning.loader import load_catalog
from bot.learning.player import LessonPlayer


@dataclass(frozen=True)
class Content:
    """Read-only files, loaded and checked before anything connects."""

    directory: Directory
    screener: Screener
    catalogs: Catalogs

    @classmethod
    def load(cls, settings: Settings) -> Content:
        """Read and check the directory, the phrase lists and the compiled catalogs."""
        return cls(
            directory=load_directory(settings.referrals_dir / "directory"),
            screener=Screener.from_dir(settings.referrals_dir / "phrases"),
            catalogs=Catalogs(settings.locale_dir),
        )


@dataclass
class Deps:
    """Everything handlers need, stored in `bot_data`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalogs: Catalogs
    accounts: Accounts
    player: LessonPlayer
    help: HelpService

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one transaction)."""
        return UnitOfWork(self.sessions)

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


async def build_deps(
    settings: Settings, *, content: Content | None = None, publish_lessons: bool = False
) -> Deps:
    """Check every file first (a bad one stops start-up before anything connects), then
    connect, publish the lesson files if asked (once per set of files), and load the
    published catalog."""
    files = load_catalog(settings.lessons_dir) if publish_lessons else None
    content = content or Content.load(settings)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        if files is not None:
            async with UnitOfWork(sessions) as uow:
                await lesson_catalog.publish(uow, files)
        async with UnitOfWork(sessions) as uow:
            published = await lesson_catalog.load(uow)
    except BaseException:
        await engine.dispose()
        raise
    store = lesson_catalog.CatalogStore(published, check_every=settings.catalog_check_seconds)
    analytics = Analytics(settings.pseudonym_secret())
    return Deps(
        settings=settings,
        engine=engine,
        sessions=sessions,
        catalogs=content.catalogs,
        accounts=Accounts(analytics),
        player=LessonPlayer(store, analytics),
        help=HelpService(content.directory, content.screener, analytics, store),
    )
