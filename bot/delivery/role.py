"""One dispatcher at a time: on Postgres, the process holding a session advisory lock on its
own connection plans and sends; the others wait and take over within seconds when it dies
(its connection closes, and the lock with it). SQLite has one process: it always holds it."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_KEY = 0x5552_4144  # "URAD": the dispatcher role, across every process of a deployment


class Role:
    """Whether this process is the dispatcher now."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self.held = engine.dialect.name != "postgresql"

    async def claim(self) -> bool:
        """Take the role if it is free, or check that it is still ours."""
        if self._engine.dialect.name != "postgresql":
            return True
        try:
            if self._conn is None:
                self._conn = await self._engine.connect()
            if self.held:
                await self._conn.execute(text("SELECT 1"))  # still connected, still ours
            else:
                query = text("SELECT pg_try_advisory_lock(:key)")
                self.held = bool(await self._conn.scalar(query, {"key": LOCK_KEY}))
                await self._conn.commit()
                if self.held:
                    log.info("this process is the dispatcher now")
        except Exception as exc:  # the connection is gone, and the lock with it
            log.warning("the dispatcher role was lost (%s)", type(exc).__name__)
            await self.release()
        return self.held

    async def release(self) -> None:
        """Give the role up (at shutdown). The connection is closed, not returned to the
        pool, where it would keep the lock for whoever used it next."""
        self.held = self._engine.dialect.name != "postgresql"
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.invalidate()
                await conn.close()
            except Exception as exc:
                log.warning("closing the dispatcher's connection failed (%s)", type(exc).__name__)
