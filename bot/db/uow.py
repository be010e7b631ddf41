"""The unit of work: one transaction per use case, committed or rolled back here only."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repositories import (
    ContentRepository,
    EventRepository,
    ProgressRepository,
    UpdateRepository,
    UserRepository,
)


class UnitOfWork:
    """Opens a session, hands out repositories, commits on success and rolls back on error."""

    session: AsyncSession
    users: UserRepository
    content: ContentRepository
    progress: ProgressRepository
    updates: UpdateRepository
    events: EventRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.users = UserRepository(self.session)
        self.content = ContentRepository(self.session)
        self.progress = ProgressRepository(self.session)
        self.updates = UpdateRepository(self.session)
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
            await self.session.close()
