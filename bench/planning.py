"""What planning a day of messages Ura starts costs, for 100,000 learners.

Seeds learners who chose a rhythm (daily, three times a week, weekly), spread over the eight
time zones Ura offers, with varied hours, quiet hours, last visits and lessons started, on
SQLite and on Postgres (bulk inserts). Then plans a whole day the way the dispatcher does,
one tick an hour for 24 hours, and times:

1. the day's ticks, against a baseline of one full scan of the learners (same database);
2. the same day planned again: it must add 0 rows (every row is unique per local day).

Results are appended to bench/RESULTS.md with the command.

    .venv/bin/python bench/planning.py [--learners 100000] [--postgres] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.record import record  # noqa: E402
from bench.scratch import database  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.engine import make_engine, make_sessionmaker  # noqa: E402
from bot.db.models import User  # noqa: E402
from bot.db.rhythm_models import Rhythm  # noqa: E402
from bot.db.uow import UnitOfWork  # noqa: E402
from bot.delivery.planner import Planned, plan  # noqa: E402
from bot.delivery.rhythm import ZONES  # noqa: E402
from bot.learning.catalog import publish  # noqa: E402
from bot.learning.loader import load_catalog  # noqa: E402

DAY = datetime(2026, 12, 8, tzinfo=UTC)  # a Tuesday


async def seed(url: str, learners: int) -> None:
    """Migrate, publish the lessons, then the learners and their rhythms in bulk."""
    await asyncio.to_thread(migrate.upgrade, url, "head")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    async with UnitOfWork(sessions) as uow:
        await publish(uow, load_catalog(ROOT / "lessons"))
    async with UnitOfWork(sessions) as uow:
        key = load_catalog(ROOT / "lessons").tracks[0].lessons[0].key
        lesson = await uow.content.lesson_id(key)
    rng = random.Random(7)
    users: list[dict[str, Any]] = []
    rhythms: list[dict[str, Any]] = []
    for n in range(1, learners + 1):
        away = timedelta(days=rng.expovariate(1 / 3))  # most came back lately, some drifted
        users.append(
            {
                "id": n,
                "chat_id": n,
                "locale": "en",
                "status": "active",
                "created_at": DAY - timedelta(days=60),
                "last_seen_at": DAY - away,
                "current_lesson_id": lesson if rng.random() < 0.8 else None,
            }
        )
        quiet = rng.choice(((22, 8), (23, 7), (0, 0)))
        rhythms.append(
            {
                "user_id": n,
                "rhythm": rng.choice(("daily", "3week", "weekly")),
                "hour": rng.choice((8, 12, 16, 18, 20)),
                "timezone": rng.choice(ZONES),
                "chose_timezone": False,
                "quiet_start": quiet[0],
                "quiet_end": quiet[1],
                "silent": False,
            }
        )
    async with engine.begin() as conn:
        for start in range(0, learners, 20_000):
            await conn.execute(insert(User), users[start : start + 20_000])
            await conn.execute(insert(Rhythm), rhythms[start : start + 20_000])
        await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()


async def plan_day(url: str) -> tuple[float, Planned]:
    """24 hourly ticks, each in its own transaction as the dispatcher runs them."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    total = Planned()
    started = time.perf_counter()
    for hour in range(24):
        async with UnitOfWork(sessions) as uow:
            total += await plan(uow.session, DAY + timedelta(hours=hour, minutes=1))
    spent = time.perf_counter() - started
    await engine.dispose()
    return spent, total


async def baseline(url: str) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    async with engine.connect() as conn:
        await conn.scalar(select(func.count()).select_from(Rhythm).join(User))
    spent = time.perf_counter() - started
    await engine.dispose()
    return spent


async def run(kind: str, folder: Path, learners: int) -> list[str]:
    async with database(kind, folder) as url:
        started = time.perf_counter()
        await seed(url, learners)
        seeded = time.perf_counter() - started
        base = await baseline(url)
        first, planned = await plan_day(url)
        again, repeated = await plan_day(url)
    rows = planned.lessons + planned.checkins + planned.nudges
    extra = repeated.lessons + repeated.checkins + repeated.nudges
    goal = "met" if first <= 10 and extra == 0 else "MISSED"
    return [
        f"{kind:8} seeded {learners:,} learners with a rhythm in {seeded:.1f} s",
        f"{kind:8} plan a day (24 ticks) {first * 1000:7.0f} ms, {rows:,} rows "
        f"({planned.lessons:,} offers, {planned.nudges:,} nudges)   baseline scan "
        f"{base * 1000:5.0f} ms   day/baseline = {first / base:.1f}   (goal <= 10 s: {goal})",
        f"{kind:8} the same day again {again * 1000:7.0f} ms, {extra} new rows (goal 0)",
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="also run on Postgres")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run on one database")
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["sqlite", "postgres"] if args.postgres else ["sqlite"]
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            for line in await run(kind, Path(tmp), args.learners):
                print(line, flush=True)
                lines.append(line)
    record("planning", "python bench/planning.py " + " ".join(sys.argv[1:]), lines)


if __name__ == "__main__":
    asyncio.run(main())
