"""A press sent in the middle of a burst of long messages: how long he waits for his answer,
against the same press sent when nothing else is going on, in the same run.

Ura runs in this process (the real Application, the meaning model, SQLite or Postgres)
against the in-process Bot API emulator, its poller running as in `ura run`. Twenty
learners each send a 5,000-character message; 0.1 s later, while the burst is being
screened, a learner in a lesson presses Next. The quiet and the loud presses are taken in
turns; the script prints their medians and 90th percentiles and the ratio of the medians.
Run it from another checkout to compare (the test helpers it borrows are this checkout's).

    .venv/bin/python bench/burst_press.py [--postgres] [--rounds 9]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.record import record  # noqa: E402
from bench.scratch import database  # noqa: E402
from bot.db import migrate  # noqa: E402
from tests.harness import Harness  # noqa: E402
from tests.test_burst import WRITERS, in_turns, mid_burst_press, ready  # noqa: E402

PRESSERS = range(9000, 9012)  # in the first lesson; each presses Next a few times


async def measure(kind: str, rounds: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        async with database(kind, Path(tmp)) as url:
            await asyncio.to_thread(migrate.upgrade, url)
            bot = Harness(url, lessons_dir=ROOT / "lessons")
            await bot.start()
            stop = asyncio.Event()
            try:
                await ready(bot, PRESSERS, presses=-(-(2 * rounds + 1) // len(PRESSERS)))
                polling = asyncio.create_task(bot.runtime.poller.run(stop))
                try:
                    timed = functools.partial(mid_burst_press, bot)
                    quiet, loud = await in_turns(timed, rounds, PRESSERS)
                finally:
                    stop.set()
                    await polling
            finally:
                await bot.stop()
    return quiet, loud


def line(label: str, seconds: list[float]) -> str:
    p90 = statistics.quantiles(seconds, n=10)[-1]
    return (
        f"{label:28} median {statistics.median(seconds) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="Ura on Postgres, not SQLite")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    kind = "postgres" if args.postgres else "sqlite"
    quiet, loud = await measure(kind, args.rounds)
    lines = [
        line(f"{kind} press, nothing else", quiet),
        line(f"{kind} press, mid-burst", loud),
        f"{'':28} mid-burst / quiet = {statistics.median(loud) / statistics.median(quiet):.1f}"
        f"   ({args.rounds} presses each, in turns; {len(WRITERS)} messages of 5,000 chars)",
    ]
    print("\n".join(lines))
    record("press during a burst", " ".join(["python bench/burst_press.py", *sys.argv[1:]]), lines)


if __name__ == "__main__":
    asyncio.run(main())
