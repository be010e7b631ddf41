"""What the fault tests share: learners who take a lesson by pressing what they see, a bot
polling in the background, a throwaway Postgres server, and the domain state to compare."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.help.categories import CRISIS
from bot.help.directory import COUNTRIES, load_directory
from bot.help.screening import Screener
from bot.learning.loader import load_catalog
from bot.learning.model import Lesson
from bot.runner import Runtime
from fake_telegram import BotApiEmulator, EmulatorRequest, SentMessage
from tests.dbcheck import query
from tests.harness import TOKEN, Harness

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "lessons")
DIRECTORY = load_directory(ROOT / "referrals" / "directory")

# What a person in crisis may write; the screener must call it a crisis (checked below).
CRISIS_TEXT = "I want to kill myself"
assert Screener.from_dir(ROOT / "referrals" / "phrases").classify(CRISIS_TEXT, "en").category == (
    CRISIS
), "the fault suite's crisis message is no longer screened as a crisis"
# Before he names his country, a crisis answer lists every country's emergency numbers.
EMERGENCY_NUMBERS = sorted(
    {s.phone for code in COUNTRIES for s in DIRECTORY.emergency(code) if s.phone}
)
APOLOGY = "went wrong"

# The tables a person's updates write to; ids and timestamps differ between equal histories.
DOMAIN_TABLES = ("users", "progress", "quiz_answers", "events")
SURROGATE_ID_TABLES = frozenset({"progress", "quiz_answers", "events"})


def has_emergency_numbers(text: str) -> bool:
    """Does this answer list the emergency numbers from the directory?"""
    return all(number in text for number in EMERGENCY_NUMBERS)


async def until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Wait until `check` holds; fail naming `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------------- learners


def lessons() -> list[tuple[str, Lesson]]:
    """Every (track key, lesson) of the catalog, track by track."""
    return [(track.key, lesson) for track in CATALOG.tracks for lesson in track.lessons]


@dataclass
class Learner:
    """A learner who takes one lesson by pressing what the bot shows him, never twice the
    same button: /start, English, his track, his lesson, every Next, one quiz option."""

    user_id: int
    track: str
    lesson: Lesson
    option: int
    pressed: list[str] = field(default_factory=list)
    started: bool = False

    @classmethod
    def cohort(cls, count: int, first_id: int) -> list[Learner]:
        """`count` learners spread over every lesson of the catalog."""
        every = lessons()
        out = []
        for index in range(count):
            track, lesson = every[index % len(every)]
            option = index % len(lesson.source.options)
            out.append(cls(first_id + index, track, lesson, option))
        return out

    @property
    def cards(self) -> int:
        return len(self.lesson.source.cards)

    @property
    def final_press(self) -> str:
        """'I'll try it' on the ACT! step, which completes the lesson."""
        return f"v1:n:{self.lesson.key}:{self.cards + 3}"

    @property
    def done_step(self) -> int:
        return self.cards + 4

    @property
    def finished(self) -> bool:
        """He pressed the last button of his lesson (its answer may still be on the way)."""
        return self.final_press in self.pressed

    def wanted(self, data: str) -> bool:
        key = self.lesson.key
        if data in self.pressed:
            return False
        if data in ("v1:l:en", f"v1:t:{self.track}", f"v1:o:{key}"):
            return True
        if data.startswith(f"v1:n:{key}:"):
            return True
        answered = any(p.startswith(f"v1:q:{key}:") for p in self.pressed)
        return data == f"v1:q:{key}:{self.option}" and not answered

    def next_press(self, api: BotApiEmulator) -> tuple[SentMessage, int, str] | None:
        """The newest button he wants that he has not pressed yet, if the bot shows one."""
        for message in reversed(api.bot_messages(self.user_id)):
            flat = [data for row in message.buttons for _, data in row]
            for index, data in enumerate(flat, start=1):
                if self.wanted(data):
                    return message, index, data
        return None

    def step(self, api: BotApiEmulator) -> bool:
        """Do the next thing if the bot shows it; True if he did something."""
        if not self.started:
            self.started = True
            api.user_text(self.user_id, "/start")
            return True
        if self.finished:
            return False
        found = self.next_press(api)
        if found is None:
            return False
        message, index, data = found
        self.pressed.append(data)
        api.press(self.user_id, message.message_id, index)
        return True

    def idle(self, api: BotApiEmulator) -> bool:
        """He has something to press (his last press was answered), or is done."""
        return self.completed(api) or (self.started and self.next_press(api) is not None)

    def completed(self, api: BotApiEmulator) -> bool:
        """He pressed the last button and sees that he finished."""
        return self.finished and any(
            "You finished" in m.text for m in api.bot_messages(self.user_id)
        )

    def expected_step(self) -> int | None:
        """His step in his lesson after every press he made was counted once."""
        key, step = self.lesson.key, None
        for data in self.pressed:
            if data == f"v1:o:{key}":
                step = 0 if step is None else step
            elif data.startswith(f"v1:n:{key}:"):
                step = int(data.rsplit(":", 1)[1]) + 1
            elif data.startswith(f"v1:q:{key}:"):
                step = self.cards + 2
        return step


def reply_calls(api: BotApiEmulator, chat_id: int) -> int:
    """Messages sent or edited in a chat (failed calls included)."""
    return sum(
        1
        for name, params in api.calls
        if name in ("sendMessage", "editMessageText") and params.get("chat_id") == chat_id
    )


def updates_from(api: BotApiEmulator, user_id: int) -> list[int]:
    """Ids of every update this user caused."""
    out = []
    for update_id, update in api.updates_by_id.items():
        body = next(v for k, v in update.items() if k != "update_id")
        sender = body.get("from") if isinstance(body, dict) else None
        if isinstance(sender, dict) and sender.get("id") == user_id:
            out.append(update_id)
    return out


async def check_learners(url: str, learners: Iterable[Learner]) -> None:
    """Each learner's presses all counted, once: his progress, his answer, his events."""
    learners = list(learners)
    progress = {
        (user, lesson): (step, done)
        for user, lesson, step, done in await query(
            url,
            "SELECT p.user_id, l.key, p.step, p.completed_at IS NOT NULL "
            "FROM progress p JOIN lessons l ON l.id = p.lesson_id",
        )
    }
    answers = {
        (user, lesson): option
        for user, lesson, option in await query(
            url,
            "SELECT a.user_id, l.key, a.option FROM quiz_answers a JOIN lessons l "
            "ON l.id = a.lesson_id",
        )
    }
    ids = {learner.user_id for learner in learners}
    assert {user for user, _ in progress} <= ids
    for learner in learners:
        key, step = learner.lesson.key, learner.expected_step()
        mine = {k: v for k, v in progress.items() if k[0] == learner.user_id}
        if step is None:
            assert mine == {}, (learner.user_id, mine)
            continue
        assert mine == {(learner.user_id, key): (step, step >= learner.done_step)}, (
            f"learner {learner.user_id} pressed {learner.pressed}"
        )
        if any(p.startswith(f"v1:q:{key}:") for p in learner.pressed):
            assert answers.get((learner.user_id, key)) == learner.option
    twice = await query(
        url,
        "SELECT name, pseudonym, count(*) FROM events GROUP BY name, pseudonym HAVING count(*) > 1",
    )
    assert twice == [], f"events counted twice: {twice}"


async def processed_ids(url: str) -> set[int]:
    return {row[0] for row in await query(url, "SELECT update_id FROM processed_updates")}


# ---------------------------------------------------------------------- the domain state


async def domain_state(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """The rows a person's updates wrote, as comparable values: surrogate ids dropped and
    timestamps reduced to whether they are set (like `tests.dbcheck.dump`, for 4 tables)."""
    async with engine.connect() as conn:
        present = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in DOMAIN_TABLES:
            if table not in present:
                continue
            result = await conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            rows = []
            for row in result.all():
                values = []
                for column, value in zip(columns, row, strict=True):
                    if column == "id" and table in SURROGATE_ID_TABLES:
                        continue
                    if column.endswith("_at"):
                        value = value is not None
                    elif isinstance(value, bool):
                        value = int(value)
                    values.append((column, value))
                rows.append(tuple(values))
            out[table] = sorted(rows, key=repr)
    return out


# ---------------------------------------------------------------------- a bot that polls


class FaultHarness(Harness):
    """The test harness whose client gives up on Telegram after `read_timeout` seconds."""

    read_timeout = 5.0

    async def start(self) -> None:
        request = EmulatorRequest(self.api, read_timeout=self.read_timeout)
        self._runtime = await Runtime.start(
            self.settings, token=TOKEN, request=request, content=self._content
        )


@contextlib.asynccontextmanager
async def polling(bot: Harness) -> AsyncIterator[asyncio.Task[None]]:
    """Run the bot's own poll loop (as `ura run` does) until the block ends; the loop must
    neither crash nor stop by itself meanwhile."""
    stop = asyncio.Event()
    task = asyncio.create_task(bot.runtime.poller.run(stop))
    try:
        yield task
        await asyncio.sleep(0)
        if task.done():
            task.result()  # raises what killed it
            pytest.fail("the poll loop stopped by itself")
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=30)
        except BaseException:
            task.cancel()
            raise


# ---------------------------------------------------------------------- a throwaway Postgres


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unprivileged_user() -> str | None:
    """As root, initdb and postgres refuse to run: the user to run them as."""
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    return None


class ThrowawayPostgres:
    """A private PostgreSQL server on a free port, which a test may stop and start again.

    Never the shared server: it lives in its own temporary folder and is removed afterwards.
    As root (here and in CI) its binaries run as the `postgres` user (or `nobody`), through
    `runuser` or `su`.
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="ura-pg-"))
        self.data = self.folder / "data"
        self._prefix: list[str] = []
        self.running = False

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    async def _run(self, *command: str) -> None:
        argv = [*self._prefix, *command]
        if self._prefix[:1] == ["su"]:
            argv = [*self._prefix, " ".join(f"'{part}'" for part in command)]
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=self.folder,
        )
        output, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{output.decode(errors='replace')}")

    async def create(self) -> None:
        """initdb and start; skips the test (or fails it under REQUIRE_POSTGRES=1) if this
        machine cannot run a private server."""
        missing = [b for b in ("initdb", "pg_ctl", "postgres") if shutil.which(b) is None]
        reason = None
        if missing:
            reason = f"no {', '.join(missing)} on PATH to run a throwaway PostgreSQL"
        elif os.geteuid() == 0:
            user = _unprivileged_user()
            if user is None:
                reason = "running as root with no unprivileged user to run PostgreSQL as"
            else:
                os.chown(self.folder, pwd.getpwnam(user).pw_uid, -1)
                if shutil.which("runuser"):
                    self._prefix = ["runuser", "-u", user, "--"]
                else:
                    self._prefix = ["su", user, "-s", "/bin/sh", "-c"]
        if reason is None:
            try:
                await self._run(
                    "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                    "--no-sync", "-E", "UTF8", "--locale=C",
                )  # fmt: skip
                await self.start()
            except (RuntimeError, OSError) as exc:
                reason = f"could not run a throwaway PostgreSQL: {exc}"
        if reason is not None:
            self.destroy()
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
            pytest.skip(reason)

    async def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        log = str(self.folder / "server.log")
        await self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        self.running = True

    async def stop(self) -> None:
        """Stop the server (fast shutdown: every connection is cut)."""
        await self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    async def database(self, name: str = "ura") -> str:
        """A new database migrated to head; its SQLAlchemy URL."""
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        url = self.url(name)
        await asyncio.to_thread(migrate.upgrade, url)
        return url

    async def close(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError, OSError):
                await self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.destroy()

    def destroy(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
