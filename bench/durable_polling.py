"""What durable inbound costs: updates/s through the real Application, with and without it.

Baseline: updates fetched from the in-process Bot API and given to `process_update`
directly (what PTB's stock updater does after confirming them). Durable: the same updates
through `Poller.handle_all` (skip if seen, handle, record the id). Both runs use the same
users, lessons and database kind, in this process; the ratio is what matters.

    .venv/bin/python bench/durable_polling.py [--users 40] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncpg  # noqa: E402

from bench.scratch import in_process  # noqa: E402
from fake_telegram import BotApiEmulator  # noqa: E402

POSTGRES_ADMIN = os.environ.get(
    "URA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
STEPS = ["/start", "English", "Fatherhood", "1.", *["Next"] * 5, 1, "Next", "try it"]


async def journey(durable: bool, url: str, users: int) -> tuple[int, float]:
    """Walk `users` learners through one lesson; return (updates, seconds spent handling)."""
    api = BotApiEmulator()
    runtime = await in_process(url, api)
    poller, handled, spent = runtime.poller, 0, 0.0
    try:
        for step in STEPS:
            for user in range(1, users + 1):
                if step == "/start":
                    api.user_text(user, "/start")
                else:
                    message = [m for m in api.bot_messages(user) if m.buttons][-1]
                    button = step if isinstance(step, int) else message.find_button(step)
                    api.press(user, message.message_id, button)
            updates = poller.fresh(await poller.fetch(timeout=0))
            started = time.perf_counter()
            if durable:
                await poller.handle_all(updates)
            else:
                for _, update in updates:
                    await runtime.app.process_update(update)
                poller.offset = updates[-1][0] + 1
            spent += time.perf_counter() - started
            handled += len(updates)
        assert all("You finished" in api.last(u).text for u in range(1, users + 1))
    finally:
        await runtime.stop()
    return handled, spent


async def postgres(statement: str) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


async def measure(kind: str, folder: Path, durable: bool, users: int) -> float:
    """Updates per second of one run on a fresh database of `kind`."""
    if kind == "sqlite":
        count, seconds = await journey(
            durable, f"sqlite+aiosqlite:///{folder / uuid.uuid4().hex}", users
        )
        return count / seconds
    name = f"ura_bench_{uuid.uuid4().hex[:10]}"
    await postgres(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        count, seconds = await journey(durable, f"{base}/{name}", users)
    finally:
        await postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return count / seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--postgres", action="store_true", help="also run on Postgres")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.postgres else ["sqlite"]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            rates: dict[bool, list[float]] = {}
            for durable in (False, True, False, True):  # interleaved, to even out warm-up
                rate = await measure(kind, Path(tmp), durable, args.users)
                rates.setdefault(durable, []).append(rate)
            base, dur = max(rates[False]), max(rates[True])
            print(
                f"{kind:8} baseline {base:7.0f} updates/s   durable {dur:7.0f} updates/s   "
                f"durable/baseline = {dur / base:.2f}"
            )


if __name__ == "__main__":
    asyncio.run(main())
