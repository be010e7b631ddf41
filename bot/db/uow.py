"""The unit of work: one transaction per use case, committed or rolled back here only."""

from __future__ import annotations

import asyncio
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repositories import (
    ContentRepository,
    EventRepository,
    ProgressRepository,
    UserRepository,
)


class WriterTurn:
    """SQLite's writers take turns here, in the process, instead of in SQLite's busy handler.

    Every transaction takes SQLite's write lock up front (`bot.db.engine`); when two in one
    process collide, SQLite makes the second sleep and poll (1, 2, 5, 10 … 100 ms), which
    put hundreds of milliseconds on presses handled side by side (bench/presses.py). An
    asyncio lock hands the turn over at once. Re-entrant per task, so a unit of work opened
    inside another never waits for itself; other processes still meet the busy handler.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if self._owner is not task or task is None:
            await self._lock.acquire()
            self._owner = task
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *_: object) -> None:
        self.release()


class UnitOfWork:
    """Opens a session, hands out repositories, commits on success and rolls back on error."""

    session: AsyncSession
    users: UserRepository
    content: ContentRepository
    progress: ProgressRepository
    events: EventRepository

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], turn: WriterTurn | None = None
    ) -> None:
        self._sessions = sessions
        self._turn = turn

    async def __aenter__(self) -> UnitOfWork:
        if self._turn is not None:
            await self._turn.acquire()
        self.session = self._sessions()
        self.users = UserRepository(self.session)
        self.content = ContentRepository(self.session)
        self.progress = ProgressRepository(self.session)
        self.events = EventRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                await self.session.commit()
            else:
                await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                if self._turn is not None:
                    self._turn.release()
