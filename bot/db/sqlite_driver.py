"""SQLite through aiosqlite with one trip to its thread per statement, not four.

SQLAlchemy's aiosqlite adapter sends each statement to aiosqlite's worker thread in four
trips (open a cursor, execute, fetch the rows, close the cursor); every trip wakes that
thread, then the event loop, then the greenlet that waits. Here the four run as one function
in the worker thread: the same sqlite3 calls in the same order, on the same connection.
`python bench/sqlite_hops.py` measures what it saves per statement.

The cursor closes in the worker thread whatever happens to the caller, so a cancelled press
never leaves a statement open (the adapter's own `_close_interrupted` guards the same).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.util.concurrency import await_only

Outcome = tuple[Any, list[Any], int | None, int]
OPENS = ("BEGIN", "SAVEPOINT")  # the statements that open a transaction in autocommit mode


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """In the worker thread: execute, fetch and close in one go."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """The adapter's buffered cursor, filled by one trip to the worker thread."""

    __slots__ = ()

    def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        if operation.lstrip()[:9].upper().startswith(OPENS):
            self._adapt_connection.dirty = True  # type: ignore[attr-defined]
        try:
            description, rows, lastrowid, rowcount = self.await_(
                driver._execute(_run, driver._conn, operation, parameters, many)  # type: ignore[no-untyped-call]
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        if description:
            self.description, self.lastrowid, self.rowcount = description, -1, -1
            self._rows = deque(rows)
        else:
            self.description, self.lastrowid, self.rowcount = None, lastrowid, rowcount

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._trip(operation, seq_of_parameters, many=True)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """The adapter's connection, handing out `OneTripCursor`s (server-side ones as before).

    It also skips a commit or rollback that would do nothing: sqlite3 runs here with
    `isolation_level=None`, so only a BEGIN or a SAVEPOINT opens a transaction, and when
    none ran since the last commit or rollback, none is open. That saves the pool's
    "reset" rollback after every commit, and the BEGIN-less reads' ending (`ONE_READ`).
    """

    __slots__ = ("dirty",)

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)  # type: ignore[arg-type]
        self.dirty = True  # until a commit or rollback says otherwise

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            self.dirty = True  # its statements are not seen here
            return AsyncAdapt_aiosqlite_ss_cursor(self)
        return OneTripCursor(self)

    def execute(self, *args: Any, **kw: Any) -> Any:
        self.dirty = True
        return super().execute(*args, **kw)

    def commit(self) -> None:
        if self.dirty:
            super().commit()
            self.dirty = False

    def rollback(self) -> None:
        if self.dirty:
            super().rollback()
            self.dirty = False


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's adapter sees it, connecting with `OneTripConnection`."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as the adapter does: never hold up an exit
        return OneTripConnection(self, await_only(connection))


def dbapi() -> OneTripDBAPI:
    """The module to pass as `create_async_engine(..., module=...)` for sqlite+aiosqlite."""
    return OneTripDBAPI(aiosqlite, sqlite3)
