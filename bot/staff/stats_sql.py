"""The queries behind bot/staff/stats.py: every figure is COUNT(DISTINCT pseudonym), and
these helpers keep that count cheap on both databases over a million events.

The weeks come out of the week indexes (`bot.db.weeks`) in (week, pseudonym) order, so
distinct learners per week are counted without a date function per row or a sort; the
other indexes put the pseudonym right after the key a figure is grouped by, for the same
reason. On Postgres the transaction gets the memory to hash or sort without spilling to
disk (`prepare`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.sql import ColumnElement, Select

from bot.db.models import Event
from bot.db.weeks import week_of

PERIODS: dict[str, int | None] = {"4w": 4, "12w": 12, "all": None}  # weeks back
# For the report's transaction only (SET LOCAL): enough memory for its largest hash or sort
# (a million events' pairs) to stay off disk; and no JIT compilation or parallel workers,
# which cost a dozen queries of a few hundred milliseconds more than they save (and take
# the CPUs the bot's own queries need).
POSTGRES_SETTINGS = {"work_mem": "'64MB'", "jit": "off", "max_parallel_workers_per_gather": "0"}

Key = tuple[Any, ...]
Column = ColumnElement[Any] | QueryableAttribute[Any]


@dataclass(frozen=True)
class Filter:
    """Which events count: since when (None: all time) and in which language (None: all)."""

    since: datetime | None = None
    locale: str | None = None

    @classmethod
    def of(cls, period: str, locale: str | None, *, now: datetime | None = None) -> Filter:
        """A period name from `PERIODS` (weeks back from now) and a language."""
        weeks = PERIODS[period]
        start = (now or datetime.now(UTC)) - timedelta(weeks=weeks) if weeks else None
        return cls(since=start, locale=locale)


def dialect(conn: AsyncConnection) -> str:
    """The database's dialect name ("sqlite" or "postgresql")."""
    return conn.dialect.name


async def prepare(conn: AsyncConnection) -> None:
    """Tune this transaction for the report's queries (Postgres only; see the settings)."""
    if dialect(conn) == "postgresql":
        for name, value in POSTGRES_SETTINGS.items():
            await conn.execute(text(f"SET LOCAL {name} = {value}"))


def filtered(query: Select[Any], filter: Filter, *names: str, events: Any = Event) -> Select[Any]:
    """`query` restricted to the events called `names` that `filter` lets through."""
    if names:
        query = query.where(events.name.in_(names))
    if filter.since is not None:
        query = query.where(events.created_at >= filter.since)
    if filter.locale is not None:
        query = query.where(events.locale == filter.locale)
    return query


async def rows(conn: AsyncConnection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The result rows as plain tuples."""
    return [tuple(row) for row in (await conn.execute(query)).all()]


async def people(conn: AsyncConnection, filter: Filter, name: str, *keys: Column) -> dict[Key, int]:
    """COUNT(DISTINCT pseudonym) of the events called `name`, by `keys`, read from an index
    on (name, first key, pseudonym, other keys, …) alone, already in that order.

    SQLite counts distinct values best itself; Postgres sorts each group for COUNT(DISTINCT)
    and does better grouping (first key, pseudonym, other keys) in index order, or hashing
    them, and counting the groups.
    """
    if dialect(conn) != "postgresql":
        query = filtered(select(*keys, func.count(func.distinct(Event.pseudonym))), filter, name)
        found = await rows(conn, query.group_by(*keys))
    else:
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        pairs = (
            filtered(select(*labelled, Event.pseudonym), filter, name)
            .group_by(labelled[0], Event.pseudonym, *labelled[1:])
            .subquery()
        )
        columns = [pairs.c[f"k{i}"] for i in range(len(keys))]
        found = await rows(conn, select(*columns, func.count()).group_by(*columns))
    return {tuple(r[:-1]): int(r[-1]) for r in found}


def _monday(at: datetime) -> date:
    day = (at.astimezone(UTC) if at.tzinfo else at).date()
    return day - timedelta(days=day.weekday())


async def by_week(conn: AsyncConnection, filter: Filter, name: str | None) -> dict[str, int]:
    """Distinct learners week by week ('YYYY-MM-DD' of its Monday, UTC), over all events or
    those called `name`: one ordered pass over a week index, no per-row date arithmetic.

    SQLite counts the distinct pseudonyms of each week as they come; Postgres would sort
    each week again for COUNT(DISTINCT), so it keeps the first of each (week, pseudonym)
    run of the index (DISTINCT ON in index order) and counts those.
    """
    week = week_of(Event.created_at)
    names = [name] if name else []
    postgres = dialect(conn) == "postgresql"
    since: list[ColumnElement[bool]] = []
    if filter.since is not None:  # redundant with created_at >= since, but an index range
        monday = _monday(filter.since)
        since.append(week >= (literal(monday, Date) if postgres else str(monday)))
    if not postgres:
        query = filtered(select(week, func.count(func.distinct(Event.pseudonym))), filter, *names)
        found = await rows(conn, query.where(*since).group_by(week))
    else:
        firsts = (
            filtered(select(week.label("week")), filter, *names)
            .where(*since)
            .distinct(week, Event.pseudonym)
            .order_by(week, Event.pseudonym)
            .subquery()
        )
        found = await rows(conn, select(firsts.c.week, func.count()).group_by(firsts.c.week))
    return {str(w): int(n) for w, n in found}


async def by_cohort(conn: AsyncConnection, filter: Filter, *names: str) -> list[dict[Any, int]]:
    """Learners of each cohort with an event called `names[i]`, for each i (cohorts with none
    left out), in one query over the `cohort_joined` events.

    SQLite looks each member's events up by pseudonym (the unique index on (pseudonym,
    name, ref)); Postgres, which would run such a lookup per member as a subplan, joins the
    members with those events by hashing and counts each name's learners with a FILTER.
    """
    joined = select(Event.pseudonym, Event.value).where(Event.name == "cohort_joined").subquery()
    member = joined.c.pseudonym
    counts: list[ColumnElement[int]] = []
    if dialect(conn) != "postgresql":
        for name in names:
            events = aliased(Event)
            found = filtered(select(literal(1)), filter, name, events=events)
            has = found.where(events.pseudonym == member).exists()
            counts.append(func.count(func.distinct(case((has, member)))))
        query = select(joined.c.value, *counts).group_by(joined.c.value)
    else:
        events = aliased(Event)
        counts = [func.count(func.distinct(member)).filter(events.name == name) for name in names]
        query = filtered(
            select(joined.c.value, *counts).join(events, events.pseudonym == member),
            filter,
            *names,
            events=events,
        ).group_by(joined.c.value)
    found_rows = await rows(conn, query)
    return [{r[0]: int(r[i + 1]) for r in found_rows if r[i + 1]} for i in range(len(names))]
