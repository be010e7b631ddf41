"""What helps, counted in the database: aggregate queries over pseudonymous events.

Every figure is COUNT(DISTINCT pseudonym) of one event name, grouped, run in SQL over a
covering index (see `Event.__table_args__`): per lesson, language, track, answer, version or
category in an index's own order, week by week in the order of an index holding each
event's week (computed once, when it is written); the queries are in `bot.staff.stats_sql`.
Python only merges the few result rows into tables and passes every count through
`bot.staff.privacy` before anyone sees it. The text, the charts, the CSV files
and `ura stats` all read the same `Report`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.models import Event
from bot.db.snapshot import snapshot
from bot.help.categories import HELP_CATEGORIES
from bot.learning.model import Catalog
from bot.learning.player import FEEDBACK_ANSWERS
from bot.staff.privacy import Cell, cell, suppress_grid
from bot.staff.stats_sql import PERIODS, Filter, Key, by_cohort, by_week, prepare
from bot.staff.stats_sql import filtered as _filtered
from bot.staff.stats_sql import people as _people
from bot.staff.stats_sql import rows as _rows

__all__ = ["PERIODS", "Filter", "Report", "Table", "report", "shown"]
QUIZ_OPTIONS = 4
# Connections a report reads on at once: one per CPU of a small server on Postgres. One on
# SQLite, whose threads in one process contend for its global allocator lock (two lanes
# measured no faster than one; two processes would be, see bench/RESULTS.md).
LANES = {"postgresql": 2, "sqlite": 1}
USEFUL, NOT_REALLY, _SKIP = FEEDBACK_ANSWERS


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


def _one(counts: dict[Key, int]) -> dict[Any, int]:
    return {k[0]: n for k, n in counts.items()}


async def _weekly(conn: AsyncConnection, filter: Filter) -> Table:
    """Active learners week by week, and new learners (their `started` events), each from
    one ordered pass over a week index (see `stats_sql.by_week`)."""
    active = await by_week(conn, filter, None)
    new = await by_week(conn, filter, "started")
    rows = [(w, new.get(w, 0), n) for w, n in sorted(active.items()) if n]
    grid = suppress_grid([[a, b] for _, a, b in rows], columns=False)
    return Table(
        "weekly",
        ("week", "new_learners", "active_learners"),
        tuple((w, *cells) for (w, _, _), cells in zip(rows, grid, strict=True)),
    )


async def _funnel(conn: AsyncConnection, filter: Filter, catalog: Catalog) -> Table:
    started = _one(await _people(conn, filter, "lesson_opened", Event.track_key))
    completed = _one(await _people(conn, filter, "lesson_completed", Event.lesson_key))
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
        conn, select(per.c.track_key, per.c.n, func.count()).group_by(per.c.track_key, per.c.n)
    )
    rows: list[tuple[Any, ...]] = []
    for track in catalog.tracks:
        whole = sum(c for key, n, c in finished if key == track.key and n >= len(track.lessons))
        rows.append((track.key, "started", cell(started.get(track.key, 0))))
        rows += [(track.key, ls.key, cell(completed.get(ls.key, 0))) for ls in track.lessons]
        rows.append((track.key, "completed", cell(whole)))
    return Table("funnel", ("track", "step", "learners"), tuple(rows), keys=2)


async def _completion(conn: AsyncConnection, filter: Filter, by: str) -> Table:
    """Learners who opened a lesson and who completed one, by language or by cohort."""
    if by == "language":
        opened = _one(await _people(conn, filter, "lesson_opened", Event.locale))
        done = _one(await _people(conn, filter, "lesson_completed", Event.locale))
    else:
        opened, done = await by_cohort(conn, filter, "lesson_opened", "lesson_completed")
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


def _ordered(catalog: Catalog) -> list[str]:
    return [ls.key for track in catalog.tracks for ls in track.lessons]


async def _quiz(conn: AsyncConnection, filter: Filter, catalog: Catalog) -> Table:
    answers = await _people(conn, filter, "quiz_answered", Event.lesson_key, Event.value)
    total = _one(await _people(conn, filter, "quiz_answered", Event.lesson_key))
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


async def _act(conn: AsyncConnection, filter: Filter, catalog: Catalog) -> Table:
    opened = _one(await _people(conn, filter, "lesson_opened", Event.lesson_key))
    reached = _one(await _people(conn, filter, "act_reached", Event.lesson_key))
    keys = [k for k in _ordered(catalog) if opened.get(k) or reached.get(k)]
    cells = suppress_grid([[opened.get(k, 0), reached.get(k, 0)] for k in keys], columns=False)
    return Table(
        "act",
        ("lesson", "opened", "reached_act"),
        tuple((k, *c) for k, c in zip(keys, cells, strict=True)),
    )


async def _feedback(conn: AsyncConnection, filter: Filter, catalog: Catalog) -> Table:
    counts = await _people(  # in the index's order (see `_people`)
        conn, filter, "lesson_feedback", Event.lesson_key, Event.value, Event.version
    )
    found: dict[tuple[Any, Any], list[int]] = {}
    for (lesson, value, version), n in counts.items():
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


async def _help(conn: AsyncConnection, filter: Filter) -> tuple[Table, Table]:
    by_category = _one(await _people(conn, filter, "help_shown", Event.value))
    categories = [c for c in HELP_CATEGORIES if by_category.get(c)]
    cat_cells = suppress_grid([[by_category[c]] for c in categories])
    country = func.coalesce(Event.country, literal_column("'zz'"))
    opened = _one(await _people(conn, filter, "help_opened", country))
    shown = _one(await _people(conn, filter, "help_shown", country))
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


async def report(
    engine: AsyncEngine, catalog: Catalog, filter: Filter, *, lanes: int | None = None
) -> Report:
    """Every aggregate coordinators see, already rounded and suppressed.

    The tables are read on `lanes` read-only connections at once, over one snapshot where
    the database can share it (`bot.db.snapshot`): each lane takes the next table when it
    is done with one, the costliest first.
    """
    Job = Callable[[AsyncConnection], Awaitable[Table | tuple[Table, ...]]]
    jobs: list[Job] = [
        partial(_weekly, filter=filter),
        partial(_funnel, filter=filter, catalog=catalog),
        partial(_completion, filter=filter, by="cohort"),
        partial(_quiz, filter=filter, catalog=catalog),
        partial(_act, filter=filter, catalog=catalog),
        partial(_completion, filter=filter, by="language"),
        partial(_help, filter=filter),
        partial(_feedback, filter=filter, catalog=catalog),
    ]
    pending = deque(enumerate(jobs))
    done: dict[int, Table | tuple[Table, ...]] = {}

    async def lane(conn: AsyncConnection) -> None:
        await prepare(conn)
        while pending:
            index, job = pending.popleft()
            done[index] = await job(conn)

    lanes = lanes or LANES.get(engine.dialect.name, 1)
    try:
        async with snapshot(engine, lanes) as connections, asyncio.TaskGroup() as group:
            for conn in connections:
                group.create_task(lane(conn))
    except ExceptionGroup as failed:  # the first failure, as one query would have raised it
        raise failed.exceptions[0] from None
    tables: list[Table] = []
    for index in sorted(done):
        found = done[index]
        tables += found if isinstance(found, tuple) else [found]
    return Report(filter, {t.name: t for t in tables})


def shown(value: Cell) -> int:
    """A cell as a bar's length: withheld cells draw nothing."""
    return value if isinstance(value, int) else 0
