"""What helps, counted in the database: aggregate queries over pseudonymous events.

Every figure is COUNT(DISTINCT pseudonym) of one event name, grouped, run in SQL over a
covering index (see `Event.__table_args__`): per lesson, answer, version or category in the
index's own order, week by week as one index range per week (a week's Monday is computed in
Python, never per row). Python only merges the few result rows into tables and passes every
count through `bot.staff.privacy` before anyone sees it. The text, the charts, the CSV files
and `ura stats` all read the same `Report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    String,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.sql import ColumnElement, Select

from bot.db.models import Event
from bot.db.uow import UnitOfWork
from bot.help.categories import HELP_CATEGORIES
from bot.learning.model import Catalog
from bot.learning.player import FEEDBACK_ANSWERS
from bot.staff.privacy import Cell, cell, suppress_grid

PERIODS: dict[str, int | None] = {"4w": 4, "12w": 12, "all": None}  # weeks back
QUIZ_OPTIONS = 4
WEEKS_PER_QUERY = 100  # SQLite allows at most 500 terms in a compound SELECT
USEFUL, NOT_REALLY, _SKIP = FEEDBACK_ANSWERS


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


@dataclass(frozen=True)
class Table:
    """One aggregate: `keys` leading columns name the row (codes, never titles), the rest
    are privacy-safe cells."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    keys: int = 1

    def as_dicts(self) -> list[dict[str, Any]]:
        """Rows as column → value, for JSON."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    """Every table coordinators see, for one filter."""

    filter: Filter
    tables: dict[str, Table] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def _dialect(uow: UnitOfWork) -> str:
    return uow.session.get_bind().dialect.name


def _filtered(query: Select[Any], filter: Filter, *names: str, events: Any = Event) -> Select[Any]:
    if names:
        query = query.where(events.name.in_(names))
    if filter.since is not None:
        query = query.where(events.created_at >= filter.since)
    if filter.locale is not None:
        query = query.where(events.locale == filter.locale)
    return query


async def _rows(uow: UnitOfWork, query: Select[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await uow.session.execute(query)).all()]


Key = tuple[Any, ...]
Column = ColumnElement[Any] | QueryableAttribute[Any]


async def _people(uow: UnitOfWork, filter: Filter, name: str, *keys: Column) -> dict[Key, int]:
    """COUNT(DISTINCT pseudonym) of the events called `name`, by `keys`, read from the index
    on (name, lesson_key, value, version, pseudonym, …) alone, mostly already in key order.

    SQLite counts distinct values best itself; Postgres sorts each group for COUNT(DISTINCT)
    and does better hashing (keys, pseudonym) pairs in a GROUP BY and counting them.
    """
    if _dialect(uow) != "postgresql":
        query = _filtered(select(*keys, func.count(func.distinct(Event.pseudonym))), filter, name)
        rows = await _rows(uow, query.group_by(*keys))
    else:
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        pairs = (
            _filtered(select(*labelled, Event.pseudonym), filter, name)
            .group_by(*labelled, Event.pseudonym)
            .subquery()
        )
        columns = [pairs.c[f"k{i}"] for i in range(len(keys))]
        rows = await _rows(uow, select(*columns, func.count()).group_by(*columns))
    return {tuple(r[:-1]): int(r[-1]) for r in rows}


def _one(counts: dict[Key, int]) -> dict[Any, int]:
    return {k[0]: n for k, n in counts.items()}


def _mondays(first: datetime, last: datetime) -> list[date]:
    def monday(at: datetime) -> date:
        day = (at.astimezone(UTC) if at.tzinfo else at).date()
        return day - timedelta(days=day.weekday())

    start, end = monday(first), monday(last)
    return [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


async def _by_week(
    uow: UnitOfWork, filter: Filter, mondays: list[date], name: str | None
) -> dict[str, int]:
    """COUNT(DISTINCT pseudonym) week by week: one range of the index on (created_at, …) or
    (name, created_at, …) per week, so no row's week is ever computed and nothing is sorted."""
    weeks = [
        _filtered(
            select(literal(str(m), String), func.count(func.distinct(Event.pseudonym))),
            filter,
            *([name] if name else []),
        ).where(
            Event.created_at >= _midnight(m), Event.created_at < _midnight(m + timedelta(weeks=1))
        )
        for m in mondays
    ]
    found: dict[str, int] = {}
    for chunk in range(0, len(weeks), WEEKS_PER_QUERY):
        rows = await _rows(uow, union_all(*weeks[chunk : chunk + WEEKS_PER_QUERY]))  # type: ignore[arg-type]
        found.update((w, int(n)) for w, n in rows)
    return found


async def _weekly(uow: UnitOfWork, filter: Filter) -> Table:
    """Active learners week by week, each week a range of the (created_at, pseudonym, …)
    index (no per-row date arithmetic, no sort); new learners from the `started` events."""
    first, last = (
        await uow.session.execute(
            _filtered(select(func.min(Event.created_at), func.max(Event.created_at)), filter)
        )
    ).one()
    if first is None or last is None:
        return Table("weekly", ("week", "new_learners", "active_learners"), ())
    mondays = _mondays(first, last)
    active = await _by_week(uow, filter, mondays, None)
    new = await _by_week(uow, filter, mondays, "started")
    rows = [(w, new.get(w, 0), n) for w, n in sorted(active.items()) if n]
    grid = suppress_grid([[a, b] for _, a, b in rows], columns=False)
    return Table(
        "weekly",
        ("week", "new_learners", "active_learners"),
        tuple((w, *cells) for (w, _, _), cells in zip(rows, grid, strict=True)),
    )


async def _funnel(uow: UnitOfWork, filter: Filter, catalog: Catalog) -> Table:
    started = _one(await _people(uow, filter, "lesson_opened", Event.track_key))
    completed = _one(await _people(uow, filter, "lesson_completed", Event.lesson_key))
    per = (
        _filtered(
            select(Event.track_key, func.count(func.distinct(Event.lesson_key)).label("n")),
            filter,
            "lesson_completed",
        )
        .group_by(Event.track_key, Event.pseudonym)
        .subquery()
    )
    finished = await _rows(
        uow, select(per.c.track_key, per.c.n, func.count()).group_by(per.c.track_key, per.c.n)
    )
    rows: list[tuple[Any, ...]] = []
    for track in catalog.tracks:
        whole = sum(c for key, n, c in finished if key == track.key and n >= len(track.lessons))
        rows.append((track.key, "started", cell(started.get(track.key, 0))))
        rows += [(track.key, ls.key, cell(completed.get(ls.key, 0))) for ls in track.lessons]
        rows.append((track.key, "completed", cell(whole)))
    return Table("funnel", ("track", "step", "learners"), tuple(rows), keys=2)


async def _completion(uow: UnitOfWork, filter: Filter, by: str) -> Table:
    """Learners who opened a lesson and who completed one, by language or by cohort."""
    if by == "language":
        opened = _one(await _people(uow, filter, "lesson_opened", Event.locale))
        done = _one(await _people(uow, filter, "lesson_completed", Event.locale))
    else:
        opened = await _by_cohort(uow, filter, "lesson_opened")
        done = await _by_cohort(uow, filter, "lesson_completed")
    keys = {*opened, *done}
    rows = sorted(
        ((k, opened.get(k, 0), done.get(k, 0)) for k in keys), key=lambda r: (-r[1], str(r[0]))
    )
    grid = suppress_grid([[a, b] for _, a, b in rows])
    return Table(
        f"by_{by}",
        (by, "started", "completed"),
        tuple((key or "", *cells) for (key, _, _), cells in zip(rows, grid, strict=True)),
    )


async def _by_cohort(uow: UnitOfWork, filter: Filter, name: str) -> dict[Any, int]:
    """Learners of each cohort with an event called `name`: each `cohort_joined` event (in
    cohort order, from the index) looks its learner's events up by pseudonym."""
    joined = select(Event.pseudonym, Event.value).where(Event.name == "cohort_joined").subquery()
    events = aliased(Event)
    found = _filtered(select(events.id), filter, name, events=events).where(
        events.pseudonym == joined.c.pseudonym
    )
    query = (
        select(joined.c.value, func.count(func.distinct(joined.c.pseudonym)))
        .where(found.exists())
        .group_by(joined.c.value)
    )
    return {k: int(n) for k, n in await _rows(uow, query)}


def _ordered(catalog: Catalog) -> list[str]:
    return [ls.key for track in catalog.tracks for ls in track.lessons]


async def _quiz(uow: UnitOfWork, filter: Filter, catalog: Catalog) -> Table:
    answers = await _people(uow, filter, "quiz_answered", Event.lesson_key, Event.value)
    total = _one(await _people(uow, filter, "quiz_answered", Event.lesson_key))
    options = [str(i) for i in range(QUIZ_OPTIONS)]
    by_lesson = {}
    for lesson, people in total.items():
        counts = [answers.get((lesson, option), 0) for option in options]
        by_lesson[lesson] = [*counts, people - sum(counts)]  # older rows: unknown
    keys = [k for k in _ordered(catalog) if k in by_lesson]
    grid = suppress_grid([by_lesson[k] for k in keys], columns=False)
    columns = tuple(f"option_{i + 1}" for i in range(QUIZ_OPTIONS))
    return Table(
        "quiz",
        ("lesson", *columns, "unknown"),
        tuple((k, *cells) for k, cells in zip(keys, grid, strict=True)),
    )


async def _act(uow: UnitOfWork, filter: Filter, catalog: Catalog) -> Table:
    opened = _one(await _people(uow, filter, "lesson_opened", Event.lesson_key))
    reached = _one(await _people(uow, filter, "act_reached", Event.lesson_key))
    keys = [k for k in _ordered(catalog) if opened.get(k) or reached.get(k)]
    cells = suppress_grid([[opened.get(k, 0), reached.get(k, 0)] for k in keys], columns=False)
    return Table(
        "act",
        ("lesson", "opened", "reached_act"),
        tuple((k, *c) for k, c in zip(keys, cells, strict=True)),
    )


async def _feedback(uow: UnitOfWork, filter: Filter, catalog: Catalog) -> Table:
    counts = await _people(
        uow, filter, "lesson_feedback", Event.lesson_key, Event.version, Event.value
    )
    found: dict[tuple[Any, Any], list[int]] = {}
    for (lesson, version, value), n in counts.items():
        if value in (USEFUL, NOT_REALLY):
            found.setdefault((lesson, version), [0, 0])[value == NOT_REALLY] = n
    order = {k: i for i, k in enumerate(_ordered(catalog))}
    rows = sorted(
        ((k, v, u, n) for (k, v), (u, n) in found.items() if u or n),
        key=lambda r: (order.get(r[0], 1 << 20), r[1] or 0),
    )
    grid = suppress_grid([[u, n] for *_, u, n in rows], columns=False)
    return Table(
        "feedback",
        ("lesson", "version", USEFUL, NOT_REALLY),
        tuple((k, v, *c) for (k, v, _, _), c in zip(rows, grid, strict=True)),
        keys=2,
    )


async def _help(uow: UnitOfWork, filter: Filter) -> tuple[Table, Table]:
    by_category = _one(await _people(uow, filter, "help_shown", Event.value))
    categories = [c for c in HELP_CATEGORIES if by_category.get(c)]
    cat_cells = suppress_grid([[by_category[c]] for c in categories])
    country = func.coalesce(Event.country, literal_column("'zz'"))
    opened = _one(await _people(uow, filter, "help_opened", country))
    shown = _one(await _people(uow, filter, "help_shown", country))
    rows = [(k, opened.get(k, 0), shown.get(k, 0)) for k in {*opened, *shown}]
    rows.sort(key=lambda r: (-(r[1] + r[2]), r[0]))
    grid = suppress_grid([[a, b] for _, a, b in rows])
    return (
        Table(
            "help_by_category",
            ("category", "learners_shown_help"),
            tuple((c, *cells) for c, cells in zip(categories, cat_cells, strict=True)),
        ),
        Table(
            "help_by_country",
            ("country", "opened_help", "shown_help"),
            tuple((r[0], *cells) for r, cells in zip(rows, grid, strict=True)),
        ),
    )


async def report(uow: UnitOfWork, catalog: Catalog, filter: Filter) -> Report:
    """Every aggregate coordinators see, already rounded and suppressed."""
    tables = [
        await _weekly(uow, filter),
        await _funnel(uow, filter, catalog),
        await _completion(uow, filter, "language"),
        await _completion(uow, filter, "cohort"),
        await _quiz(uow, filter, catalog),
        await _act(uow, filter, catalog),
        await _feedback(uow, filter, catalog),
        *await _help(uow, filter),
    ]
    return Report(filter, {t.name: t for t in tables})


def shown(value: Cell) -> int:
    """A cell as a bar's length: withheld cells draw nothing."""
    return value if isinstance(value, int) else 0
