"""The process-wide dependencies handlers use, built once at start-up.

Content that never changes while the process runs (the referral directory, the compiled
phrase lists, the UI catalogs) is loaded once into `Content`, which tests share across a
whole session. The lesson catalog is different: it lives in the database and is served
through a `CatalogStore` that follows new publications.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.accounts import Accounts
from bot.analytics import Analytics
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker, statement_alone
from bot.db.snapshot import read_only
from bot.db.steps import Steps
from bot.db.uow import UnitOfWork, WriterTurn
from bot.delivery.reminders import Reminders
from bot.files import ContentInvalid
from bot.help.directory import Directory, DirectoryStore, load_directory
from bot.help.model import META, MeaningModel
from bot.help.reader import MeaningReader
from bot.help.screening import Screener
from bot.help.service import HelpService
from bot.i18n.catalogs import Catalogs
from bot.inbound.outage import Outage
from bot.learning import catalog as lesson_catalog
from bot.learning.loader import files_digest, load_catalog
from bot.learning.model import Catalog
from bot.learning.player import LessonPlayer
from bot.pseudonyms import load_key_ring

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Content:
    """Read-only files, loaded and checked before anything connects."""

    directory: Directory
    screener: Screener
    catalogs: Catalogs
    reader: MeaningReader | None = None  # the meaning model, unless switched off

    @classmethod
    def load(cls, settings: Settings) -> Content:
        """Read and check the directory, the phrase lists, the meaning model and the compiled
        catalogs. A broken model stops start-up like a broken list; a missing one is said."""
        reader = None
        if settings.screening_model:
            folder = settings.referrals_dir / "model"
            if (folder / META).exists():
                reader = MeaningReader(MeaningModel.load(folder))
            else:
                log.warning("no screening model in %s: the phrase lists screen alone", folder)
        return cls(
            directory=load_directory(settings.referrals_dir / "directory"),
            screener=Screener.from_dir(settings.referrals_dir / "phrases"),
            catalogs=Catalogs(settings.locale_dir),
            reader=reader,
        )


@dataclass
class Deps:
    """Everything handlers need, stored in `bot_data`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalogs: Catalogs
    accounts: Accounts
    reminders: Reminders
    player: LessonPlayer
    help: HelpService
    outage: Outage = field(default_factory=Outage)
    turn: WriterTurn | None = None  # SQLite only: see WriterTurn

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one transaction)."""
        return UnitOfWork(self.sessions, self.turn)

    @cached_property
    def steps(self) -> Steps:
        """The "Next" on a card: one statement, no unit of work (`bot.db.steps`)."""
        return Steps(self.engine, self.turn)

    @cached_property
    def reads(self) -> AsyncEngine:
        """Connections for the one-statement checks every update makes first (seen before?
        who is he?). They begin no transaction: one SELECT reads one snapshot anyway, and a
        BEGIN and a ROLLBACK around it cost two trips (to aiosqlite's thread, or to
        Postgres) for nothing. On SQLite they take no write lock either."""
        sqlite = self.engine.dialect.name == "sqlite"
        return statement_alone(read_only(self.engine) if sqlite else self.engine)

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


async def build_deps(
    settings: Settings, *, content: Content | None = None, publish_lessons: bool = False
) -> Deps:
    """Check every file first, then connect, publish the lesson files if asked (once per set
    of files: a set published before is not read again), and load the published catalog.

    A bad directory or phrase file stops start-up before anything connects: help must not
    run on half a list. A bad lesson file does not: it is reported, nothing is published,
    and the last published version keeps serving (`ura lessons check` still fails on it).
    """
    content = content or Content.load(settings)
    analytics = Analytics(load_key_ring(settings))  # no key on Postgres stops start-up here
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    sessions = make_sessionmaker(engine)
    try:
        if publish_lessons:
            await _publish_files(settings, sessions)
        directory = DirectoryStore(
            content.directory,
            root=settings.referrals_dir / "directory",
            check_every=settings.directory_check_seconds,
        )
        async with UnitOfWork(sessions) as uow:
            published = await lesson_catalog.load(uow)
            await directory.refresh(uow)  # a moderator's newest publication, if any
    except BaseException:
        await engine.dispose()
        raise
    store = lesson_catalog.CatalogStore(published, check_every=settings.catalog_check_seconds)
    return Deps(
        settings=settings,
        engine=engine,
        sessions=sessions,
        turn=WriterTurn() if engine.dialect.name == "sqlite" else None,
        catalogs=content.catalogs,
        accounts=Accounts(analytics),
        reminders=Reminders(),
        player=LessonPlayer(store, analytics),
        help=HelpService(
            content.directory,
            content.screener,
            analytics,
            store,
            directory_store=directory,
            reader=content.reader,
        ),
    )


async def _publish_files(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Publish the deployment's lesson files unless this exact set already was."""
    digest = files_digest(settings.lessons_dir) if settings.lessons_dir.is_dir() else None
    if digest is not None:
        async with UnitOfWork(sessions) as uow:
            if await uow.content.was_published("files", digest):
                return
    files = _lesson_files(settings)
    if files is not None:
        async with UnitOfWork(sessions) as uow:
            await lesson_catalog.publish(uow, files, digest=digest)


def _lesson_files(settings: Settings) -> Catalog | None:
    """The lesson files to publish, or None (reported) when any of them is bad."""
    try:
        return load_catalog(settings.lessons_dir)
    except ContentInvalid as exc:
        for error in exc.errors:
            log.error("lesson file not published: %s", error)
        log.error(
            "%d problem(s) in the lesson files: serving the last published version", len(exc.errors)
        )
        return None
