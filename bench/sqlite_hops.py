"""CPU per SQLite statement: SQLAlchemy's aiosqlite adapter (four thread trips a statement)
against `bot.db.sqlite_driver` (one), in the same process, on the same file and statements.

A lesson step's statements: a read by primary key, an UPDATE, and a transaction around them
(BEGIN IMMEDIATE … COMMIT), as the player runs them. Rounds alternate between the two
engines; the medians of the rounds are compared.

    .venv/bin/python bench/sqlite_hops.py [--rounds 7] [--steps 400]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bench.record import record  # noqa: E402
from bot.db.engine import make_engine  # noqa: E402

STATEMENTS_PER_STEP = 4  # BEGIN IMMEDIATE, SELECT, UPDATE, COMMIT


async def steps(engine: AsyncEngine, count: int) -> float:
    """CPU seconds per statement over `count` lesson-step-like transactions."""
    began = time.process_time()
    for n in range(count):
        async with engine.begin() as conn:
            await conn.execute(text("SELECT step FROM progress WHERE id = :i"), {"i": n % 50})
            await conn.execute(text("UPDATE progress SET step = step + 1 WHERE id = :i"), {"i": 1})
    return (time.process_time() - began) / (count * STATEMENTS_PER_STEP)


async def main(rounds: int, count: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/hops.db"
        one_trip = make_engine(url)
        async with one_trip.begin() as conn:
            await conn.execute(text("CREATE TABLE progress (id INTEGER PRIMARY KEY, step INT)"))
            for i in range(50):
                await conn.execute(text("INSERT INTO progress VALUES (:i, 0)"), {"i": i})
        adapter = make_engine(url, module=None)  # SQLAlchemy's own aiosqlite adapter
        assert type(adapter.sync_engine.dialect.dbapi).__name__ == "AsyncAdapt_aiosqlite_dbapi"
        found: dict[str, list[float]] = {"adapter": [], "one trip": []}
        await steps(adapter, 50), await steps(one_trip, 50)  # warm both
        for _ in range(rounds):
            found["adapter"].append(await steps(adapter, count))
            found["one trip"].append(await steps(one_trip, count))
        await adapter.dispose(), await one_trip.dispose()
    medians = {name: statistics.median(values) * 1e6 for name, values in found.items()}
    lines = [f"{name:9} {us:6.1f} µs CPU per statement" for name, us in medians.items()]
    lines.append(f"one trip / adapter = {medians['one trip'] / medians['adapter']:.2f}")
    lines.append(f"({rounds} rounds of {count} steps, {STATEMENTS_PER_STEP} statements each)")
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    lines = asyncio.run(main(args.rounds, args.steps))
    print("\n".join(lines))
    record("sqlite statements", "python bench/sqlite_hops.py", lines)
