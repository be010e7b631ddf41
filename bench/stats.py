"""What `ura stats` costs on a large database, and what its charts cost to draw.

Seeds 100,000 learners and 1,000,000 pseudonymous events (lessons opened, answered,
completed, ACT! reached, feedback, help, cohorts; spread over 26 weeks) on SQLite and on
Postgres with bulk inserts (COPY on Postgres), then times:

1. the whole report `ura stats` computes (every aggregate, rounding and JSON), against a
   baseline of one full scan of the events table (COUNT(DISTINCT pseudonym)), same database;
2. rendering every PNG chart, against a baseline of drawing one empty figure;
3. what the events table's indexes cost a writer: N more events inserted one transaction
   each (as the bot records them), on the seeded table.

The seeding is timed too but is not the figure that matters. Results are appended to
bench/RESULTS.md with the command.

    .venv/bin/python bench/stats.py [--learners 100000] [--events 1000000] [--postgres]
        [--only sqlite|postgres] [--scale 0.1] [--revision head] [--inserts 10000]
        [--charts DIR]

`--scale` shrinks both counts (to iterate quickly); `--revision` seeds the schema of an
older migration (e.g. 0005, before the stats indexes) to compare against.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.record import record  # noqa: E402
from bench.scratch import database  # noqa: E402
from bench.seed_events import LOCALES, seed  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.engine import make_engine  # noqa: E402
from bot.db.models import Event  # noqa: E402
from bot.i18n.catalogs import Catalogs  # noqa: E402
from bot.learning.loader import load_catalog  # noqa: E402
from bot.learning.model import Catalog  # noqa: E402
from bot.staff import charts  # noqa: E402
from bot.views import staff_stats as views  # noqa: E402


async def timed_report(url: str) -> tuple[float, float, Any]:
    """(seconds for the whole `ura stats` report, seconds for the baseline scan, report)."""
    from bot.cli.stats import collect

    settings = Settings(_env_file=None, DATABASE_URL=url, URA_PSEUDONYM_KEY="bench")  # type: ignore[call-arg]
    best, base = float("inf"), float("inf")
    found: Any = None
    for _ in range(3):
        started = time.perf_counter()
        found = await collect(settings, None, None)
        json.dumps(views.as_json(found[0]))
        best = min(best, time.perf_counter() - started)
        engine = make_engine(url)
        started = time.perf_counter()
        async with engine.connect() as conn:
            await conn.scalar(select(func.count(func.distinct(Event.pseudonym))))
        base = min(base, time.perf_counter() - started)
        await engine.dispose()
    return best, base, found


async def timed_inserts(url: str, count: int) -> float:
    """Seconds to record `count` events, each in its own transaction (as the bot does)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        started = time.perf_counter()
        for n in range(count):
            async with engine.begin() as conn:
                await conn.execute(
                    insert(Event),
                    {
                        "pseudonym": hashlib.sha256(f"insert-{n}".encode()).hexdigest(),
                        "name": "lesson_opened",
                        "locale": LOCALES[n % len(LOCALES)],
                        "track_key": "anger",
                        "lesson_key": "sixty-seconds",
                        "created_at": now,
                    },
                )
        return time.perf_counter() - started
    finally:
        await engine.dispose()


def timed_charts(found: Any, out: Path | None) -> tuple[float, float, int]:
    """(seconds to render every chart, seconds for one empty figure, number of charts)."""
    tr = Catalogs(ROOT / "locale").get("en")
    started = time.perf_counter()
    drawn = charts.render(found[0], found[1], tr, views.category_names(tr))
    spent = time.perf_counter() - started
    started = time.perf_counter()
    fig = Figure(figsize=(7.2, 6), dpi=120)
    FigureCanvasAgg(fig)
    fig.add_subplot()
    fig.savefig(io.BytesIO(), format="png")
    blank = time.perf_counter() - started
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for chart in drawn:
            (out / f"{chart.name}.png").write_bytes(chart.png)
    return spent, blank, len(drawn)


async def run(kind: str, folder: Path, args: argparse.Namespace, catalog: Catalog) -> list[str]:
    learners, events = round(args.learners * args.scale), round(args.events * args.scale)
    async with database(kind, folder) as url:
        started = time.perf_counter()
        await seed(url, catalog, learners, events, args.revision)
        seeded = time.perf_counter() - started
        spent, base, found = await timed_report(url)
        drawn, blank, count = timed_charts(found, args.charts if kind == "sqlite" else None)
        inserted = await timed_inserts(url, args.inserts) if args.inserts else 0.0
    goal = "met" if spent < 1 else "MISSED"
    inserts = (
        [
            f"{kind:8} inserts   {inserted * 1000:7.0f} ms for {args.inserts:,} events, one "
            f"transaction each ({inserted / args.inserts * 1e6:.0f} µs per event)"
        ]
        if args.inserts
        else []
    )
    return [
        f"{kind:8} seeded {learners:,} learners, {events:,} events in {seeded:.1f} s "
        f"(schema {args.revision})",
        f"{kind:8} ura stats {spent * 1000:7.0f} ms   baseline scan {base * 1000:6.0f} ms   "
        f"stats/baseline = {spent / base:.1f}   (goal < 1 s: {goal})",
        f"{kind:8} charts    {drawn * 1000:7.0f} ms for {count} PNGs   one empty figure "
        f"{blank * 1000:4.0f} ms   charts/baseline = {drawn / blank:.1f}",
        *inserts,
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true", help="also run on Postgres")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run on one database")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply both counts")
    parser.add_argument("--revision", default="head", help="seed this migration's schema")
    parser.add_argument(
        "--inserts", type=int, default=10_000, help="events then inserted one by one (0: none)"
    )
    parser.add_argument("--charts", type=Path, help="write the charts of the SQLite run here")
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "lessons")
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        kinds = (
            [args.only] if args.only else ["sqlite", "postgres"] if args.postgres else ["sqlite"]
        )
        for kind in kinds:
            for line in await run(kind, Path(tmp), args, catalog):
                print(line, flush=True)
                lines.append(line)
    record("stats", "python bench/stats.py " + " ".join(sys.argv[1:]), lines)


if __name__ == "__main__":
    asyncio.run(main())
