"""Engine factory: one place that knows SQLite needs pragmas and explicit write locks."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import sqlite_driver

SQLITE_BUSY_TIMEOUT_MS = 10_000
PING_AFTER_IDLE_S = 5.0  # Postgres: a pooled connection idle longer is pinged at checkout
USED = "ura_used"  # pool record info: when the connection was last given back
ONE_READ = "ura_one_read"  # execution option: each statement on its own (no BEGIN)


def statement_alone(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, each statement its own transaction: no BEGIN or COMMIT
    around it (SQLite: `ONE_READ`, its statements commit themselves; Postgres: AUTOCOMMIT).
    For one statement that needs no company, a BEGIN and a COMMIT are two trips for nothing."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{ONE_READ: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        """WAL for concurrent readers, a busy timeout instead of instant 'database is locked'."""
        # Let SQLAlchemy's "begin" event own transaction starts (see _sqlite_on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _sqlite_on_begin(conn: Any) -> None:
    """Take the write lock up front, so two writers wait instead of failing half-way; a
    report's read-only transaction (`bot.db.snapshot`) takes none; a statement alone
    (`statement_alone`: the checks, the record, "Next" on a card) begins nothing: SQLite
    runs and commits it on its own, and a BEGIN and a COMMIT around it cost two trips to
    aiosqlite's thread."""
    options = conn.get_execution_options()
    if not options.get(ONE_READ):
        conn.exec_driver_sql("BEGIN" if options.get("ura_read_only") else "BEGIN IMMEDIATE")


def make_engine(
    url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> AsyncEngine:
    """Build the async engine; on SQLite create the data folder and attach the pragmas.

    The listeners go on `engine.sync_engine`: on aiosqlite they never fire otherwise.
    Parameters are hidden from error messages and logs: they hold what people typed.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if parsed.get_driver_name() == "aiosqlite":
            kwargs.setdefault("module", sqlite_driver.dbapi())  # one thread trip a statement
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "checkout", _ping_when_idle)
    event.listen(engine.sync_engine, "checkin", _note_use)
    return engine


def _ping_when_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """SQLAlchemy's `pool_pre_ping`, but only for a connection idle a while: the ping is
    three round trips on asyncpg (BEGIN, ";", ROLLBACK), and a press checks out four
    connections. A connection in steady use needs none; if the server went away meanwhile,
    the statement fails as a disconnect, SQLAlchemy drops the whole pool, and the durable
    path tries the update again (`NotDone`)."""
    used = record.info.get(USED)  # None: connected just now, which proved it
    if used is not None and time.monotonic() - used > PING_AFTER_IDLE_S:
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("the pooled connection did not answer") from exc


def _note_use(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[USED] = time.monotonic()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (no lazy loads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def dialect_insert(dialect: str) -> Callable[..., Any]:
    """The dialect's own INSERT, the one that knows `ON CONFLICT DO NOTHING` (SQLite and
    Postgres spell it alike), for `dialect` ("sqlite" or "postgresql")."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
