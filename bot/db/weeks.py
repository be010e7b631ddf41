"""The Monday (UTC) of a timestamp's week, as one SQL expression per database.

The staff statistics group events by week. Computing each row's week in the query costs a
date function per row and a sort; the same expression in an index (see
`Event.__table_args__`) is computed once per event, when it is written, and a week's
events then come out of the index already grouped. The query must spell the expression
exactly as the index does, literals included (bound parameters would not match it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

# Stored timestamps are UTC: SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' text, Postgres a
# timestamptz (read in UTC, so the session's time zone does not matter).
SQLITE_WEEK = "date({}, 'weekday 0', '-6 days')"
POSTGRES_WEEK = "CAST(date_trunc('week', ({} AT TIME ZONE 'UTC')) AS DATE)"


class week_of(FunctionElement[Any]):
    """week_of(timestamp column): its week's Monday, a DATE (Postgres) or 'YYYY-MM-DD'
    text (SQLite); `str()` of either is the same."""

    type = String()
    inherit_cache = True
    name = "week_of"


@compiles(week_of, "sqlite")
def _sqlite(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    return SQLITE_WEEK.format(compiler.process(element.clauses, **kw))


@compiles(week_of, "postgresql")
def _postgres(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    return "(" + POSTGRES_WEEK.format(compiler.process(element.clauses, **kw)) + ")"
