"""SIGKILL the real bot process at random points while learners take lessons.

Nothing a learner pressed is lost (every one of them finishes, every update is recorded),
nothing is counted twice (one progress row, one answer, each event once), and a kill
repeats at most the replies that were in flight (`AT_ONCE` chats are handled at once).
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.inbound.lanes import AT_ONCE
from fake_telegram import BotApiEmulator, close_http, serve_http
from tests.dbcheck import query
from tests.faults.conftest import SCALE, Survived
from tests.faults.support import (
    APOLOGY,
    Learner,
    check_learners,
    processed_ids,
    reply_calls,
    until,
    updates_from,
)
from tests.processes import ROOT, serving_environment

LEARNERS = 50 * SCALE
KILLS = 3 * SCALE
FIRST_USER = 410_000


class BotProcess:
    """`python -m bot run` against the emulator, restartable, its stderr kept per run."""

    def __init__(self, port: int, database_url: str, folder: Path) -> None:
        self.env = serving_environment(
            port,
            database_url,
            URA_PSEUDONYM_KEY="fault-suite-key",
            URA_DATA_DIR=str(folder / "data"),
        )
        self.folder = folder
        self.runs = 0
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.runs += 1
        log = (self.folder / f"bot-{self.runs}.log").open("wb")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env,
                stdout=asyncio.subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        finally:
            log.close()

    async def kill(self) -> None:
        assert self.proc is not None and self.proc.returncode is None, "the bot died by itself"
        self.proc.kill()
        await self.proc.wait()
        assert self.proc.returncode == -signal.SIGKILL

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout=30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            return None

    def logs(self) -> str:
        return "\n".join(
            f"--- run {n}:\n" + (self.folder / f"bot-{n}.log").read_text(errors="replace")[-3000:]
            for n in range(1, self.runs + 1)
        )


async def drive(
    learners: list[Learner],
    api: BotApiEmulator,
    *,
    patience: float = 10.0,
    on_tick: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Let every learner act on what he sees until each has seen his lesson finished; fail
    when nothing moves for `patience` seconds (a press whose answer never came)."""
    loop = asyncio.get_running_loop()
    moved_at, read = loop.time(), 0
    waiting = {learner.user_id: learner for learner in learners}
    dirty: set[object] = set(waiting)  # chats that changed since their learner last looked
    while waiting:
        for user_id in dirty & waiting.keys():
            learner = waiting[user_id]
            learner.step(api)
            if learner.completed(api):
                del waiting[user_id]
        if on_tick is not None:
            await on_tick()
        calls = api.calls[read:]
        read += len(calls)
        dirty = {p.get("chat_id") for n, p in calls if n in ("sendMessage", "editMessageText")}
        if any(name != "getUpdates" for name, _ in calls):
            moved_at = loop.time()
        elif loop.time() - moved_at > patience:
            stuck = [(lr.user_id, lr.pressed[-1:]) for lr in waiting.values()]
            for learner in list(waiting.values())[:3]:
                if api.bot_messages(learner.user_id):
                    print(learner.user_id, "sees:", api.last(learner.user_id))
            raise AssertionError(
                f"nothing answered for {patience:.0f}s with {len(api.pending)} updates pending;"
                f" stuck (user, last press): {stuck[:5]}"
            )
        await asyncio.sleep(0.01)


async def test_sigkill_at_random_points_loses_nothing_and_counts_nothing_twice(
    database_url: str, tmp_path: Path, survived: Survived
) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    api = BotApiEmulator()
    server, port = await serve_http(api)
    bot = BotProcess(port, database_url, tmp_path)
    learners = Learner.cohort(LEARNERS, FIRST_USER)
    kills = 0
    try:
        await bot.start()
        # The first learner alone, undisturbed: how many replies a clean lesson takes.
        await drive(learners[:1], api)
        first = learners[0].user_id
        clean_extra = reply_calls(api, first) - len(updates_from(api, first))

        per_learner = len(updates_from(api, first)) + clean_extra
        expected = per_learner * LEARNERS
        done_already = sum(reply_calls(api, lr.user_id) for lr in learners)
        points = sorted(rng.sample(range(done_already + 20, int(expected * 0.9)), KILLS))

        chats = {lr.user_id for lr in learners}
        counted, total = 0, 0

        async def maybe_kill() -> None:
            nonlocal kills, counted, total
            calls = api.calls[counted:]
            counted += len(calls)
            total += sum(
                1
                for name, params in calls
                if name in ("sendMessage", "editMessageText") and params.get("chat_id") in chats
            )
            if kills < len(points) and total >= points[kills]:
                await asyncio.sleep(rng.uniform(0, 0.03))  # anywhere in an update's handling
                await bot.kill()
                kills += 1
                await bot.start()

        await drive(learners, api, on_tick=maybe_kill)
        await until(lambda: not api.pending, timeout=30, what="every update confirmed")
        assert kills == KILLS, f"only {kills} of {KILLS} kills landed (seed {seed})"
        assert await bot.stop() == 0
    except BaseException:
        print(f"seed {seed}; bot logs:\n{bot.logs()}")
        print(
            "progress:", await query(database_url, "SELECT user_id, lesson_id, step FROM progress")
        )
        raise
    finally:
        await bot.stop()
        await close_http(server)

    url = database_url
    await check_learners(url, learners)
    sent = {u for lr in learners for u in updates_from(api, lr.user_id)}
    missing = sent - await processed_ids(url)
    assert not missing, f"updates never recorded as handled: {sorted(missing)[:10]}"
    repeated = sum(
        reply_calls(api, lr.user_id) - len(updates_from(api, lr.user_id)) - clean_extra
        for lr in learners
    )
    # One update's reply is at most 1 + clean_extra messages (choosing English edits the
    # picker and sends the menu); each kill may repeat those in flight, at most AT_ONCE.
    assert repeated <= kills * AT_ONCE * (1 + clean_extra), (
        f"{repeated} replies repeated after {kills} kills (seed {seed})"
    )
    apologies = [lr.user_id for lr in learners if any(APOLOGY in t for t in api.texts(lr.user_id))]
    assert apologies == [], f"learners told something went wrong: {apologies[:10]}"
    errors = [line for line in bot.logs().splitlines() if re.search(r"\b(ERROR|CRITICAL)\b", line)]
    assert errors == [], errors[:5]
    assert api.errors == []
    survived(
        kills=kills, learners=LEARNERS, updates=len(sent), replies_repeated=repeated, seed=seed
    )
