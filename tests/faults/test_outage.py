"""The database goes away mid-run and comes back: the bot recovers by itself, nothing is
lost, and a crisis message is answered with the emergency numbers during the outage.

* Postgres: a throwaway server (never the shared one) is stopped for ten seconds;
* SQLite: another connection holds `BEGIN IMMEDIATE` on the file well past the bot's
  `busy_timeout` (`URA_SQLITE_BUSY_TIMEOUT_MS`, 300 ms here).

Learners are in their lessons when it happens; each presses on during the outage, and the
presses count once the database is back. One learner who knows the bot and one stranger
write that they want to kill themselves while it is down.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.deps import Content
from tests.faults.conftest import SCALE, Survived
from tests.faults.support import (
    CRISIS_TEXT,
    ROOT,
    Learner,
    ThrowawayPostgres,
    check_learners,
    has_emergency_numbers,
    polling,
    processed_ids,
    until,
)
from tests.harness import Harness

LEARNERS = 4
OUTAGES = SCALE
POSTGRES_DOWN_SECONDS = 10.0
SQLITE_HELD_SECONDS = 5.0
BUSY_TIMEOUT_MS = 300
REGULARS = 440_900  # know the bot: started, chose English
STRANGERS = 441_000  # write for the first time, during an outage


async def step_until(
    learners: list[Learner], bot: Harness, done: Callable[[Learner], bool]
) -> None:
    """Let the learners act until each satisfies `done`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not all(done(learner) for learner in learners):
        for learner in learners:
            if not done(learner):
                learner.step(bot.api)
        assert loop.time() < deadline, [(lr.user_id, lr.pressed[-1:]) for lr in learners]
        await asyncio.sleep(0.02)


async def ride_out(
    bot: Harness,
    down: Callable[[], Awaitable[None]],
    up: Callable[[], Awaitable[None]],
    *,
    seconds: float,
    first_learner: int,
) -> dict[str, int]:
    """Outages with learners mid-lesson and crisis messages during each; then every learner
    finishes, and everything is checked. Returns the figures survived."""
    api, url = bot.api, bot.settings.database_url
    learners = Learner.cohort(LEARNERS, first_learner)
    presses_during = 0
    async with polling(bot):
        await step_until(learners, bot, lambda lr: f"v1:o:{lr.lesson.key}" in lr.pressed)
        for outage in range(OUTAGES):
            regular, stranger = REGULARS + outage, STRANGERS + outage
            api.user_text(regular, "/start")
            await until(lambda u=regular: bool(api.bot_messages(u)), timeout=10, what="/start")
            picker = api.last(regular)
            api.press(regular, picker.message_id, picker.find_button("English"))
            await until(lambda u=regular: len(api.bot_messages(u)) > 1, timeout=10, what="menu")
            await step_until(learners, bot, lambda lr: lr.idle(api))
            await until(lambda: not api.pending, timeout=10, what="a quiet moment")
            loop = asyncio.get_running_loop()
            await down()
            went_down = loop.time()
            presses_during += sum(learner.step(api) for learner in learners)
            writers = {regular: len(api.bot_messages(regular)), stranger: 0}
            for user in writers:
                api.user_text(user, CRISIS_TEXT)

            def numbers_shown(writers: dict[int, int] = writers) -> bool:
                return all(
                    any(has_emergency_numbers(m.text) for m in api.bot_messages(user)[seen:])
                    for user, seen in writers.items()
                )

            await until(
                numbers_shown, timeout=seconds * 0.8, what="the crisis answers during the outage"
            )
            await asyncio.sleep(max(0.0, went_down + seconds - loop.time()))
            await up()
            await step_until(learners, bot, lambda lr: lr.idle(api))
            await until(lambda: not api.pending, timeout=30, what="the backlog handled")
        await step_until(learners, bot, lambda lr: lr.completed(api))
        await until(lambda: not api.pending, timeout=30, what="every update confirmed")
    await check_learners(url, learners)
    missing = set(api.updates_by_id) - await processed_ids(url)
    assert not missing, f"updates lost: {sorted(missing)}"
    return {"outages": OUTAGES, "presses_during": presses_during, "updates": len(api.updates_by_id)}


async def test_postgres_stopped_for_ten_seconds_is_ridden_out(
    content: Content, survived: Survived
) -> None:
    server = ThrowawayPostgres()
    await server.create()
    try:
        url = await server.database()
        bot = Harness(url, lessons_dir=ROOT / "lessons", content=content)
        await bot.start()
        try:
            figures = await ride_out(
                bot, server.stop, server.start, seconds=POSTGRES_DOWN_SECONDS, first_learner=442_000
            )
        finally:
            await bot.stop()
    finally:
        await server.close()
    survived(**figures, seconds_down=POSTGRES_DOWN_SECONDS)


async def test_a_sqlite_lock_held_past_busy_timeout_is_ridden_out(
    sqlite_url: str, content: Content, survived: Survived
) -> None:
    bot = Harness(
        sqlite_url,
        lessons_dir=ROOT / "lessons",
        content=content,
        extra={"URA_SQLITE_BUSY_TIMEOUT_MS": BUSY_TIMEOUT_MS},
    )
    await bot.start()
    path = Path(str(make_url(sqlite_url).database))
    holder: sqlite3.Connection | None = None

    async def lock() -> None:
        nonlocal holder
        holder = sqlite3.connect(path, isolation_level=None, timeout=5)
        holder.execute("BEGIN IMMEDIATE")

    async def unlock() -> None:
        assert holder is not None
        holder.execute("ROLLBACK")
        holder.close()

    try:
        async with bot.runtime.deps.engine.connect() as conn:
            busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
        assert busy == BUSY_TIMEOUT_MS, (
            f"the bot waits {busy} ms for a SQLite lock: URA_SQLITE_BUSY_TIMEOUT_MS is not honoured"
        )
        figures = await ride_out(
            bot, lock, unlock, seconds=SQLITE_HELD_SECONDS, first_learner=443_000
        )
    finally:
        if holder is not None:
            holder.close()
        await bot.stop()
    survived(**figures, seconds_locked=SQLITE_HELD_SECONDS)
