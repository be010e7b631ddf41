"""No log line, at any level, holds what a person typed, his names, username or id.

A whole scripted session (a lesson with its quiz, distress, personal details, two failing
handlers, /delete) runs through the real Application with every logger at DEBUG, writing
every record (python-telegram-bot's raw updates and Bot API calls, SQLAlchemy's
statements and rows, our errors with their tracebacks) into a buffer that must stay clean.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.db.engine import make_engine
from bot.db.uow import UnitOfWork
from bot.learning.loader import load_catalog
from bot.learning.player import LessonPlayer
from bot.learning.steps import Screen
from bot.logs import PLACEHOLDER, install_privacy
from tests.harness import Harness

LESSONS = load_catalog(Path(__file__).resolve().parents[2] / "lessons")
TRACK = LESSONS.tracks[0]
FIRST = TRACK.lessons[0]

USER = 731904268
FIRST_NAME, LAST_NAME, USERNAME = "Valdrin", "Thaqiqi", "valdrin_tq_1987"
DISTRESS = [
    "I want to kill myself, call me on 0495551234, I am Arben Krasniqi",
    "My father hits my mother every night, Arben Krasniqi from Prizren",
    "I feel hopeless since Drita Gashi left",
]
THINK_ANSWER = "My grandfather Bekim taught me to fish near Gjakova"
FAULT_RAISED = "Arben Krasniqi here, phone 0495551234, Gjakova street"
FAULT_SQL = "Vlora Berisha wrote zxqvbnm on Rruga Ibrahim Rugova"
TYPED = [*DISTRESS, THINK_ANSWER, FAULT_RAISED, FAULT_SQL]
THIRD_PARTY = [
    "telegram",
    "httpx",
    "httpcore",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "asyncpg",
    "aiosqlite",
    "alembic",
    "apscheduler",
    "asyncio",
    "bot",
    "fake_telegram",
]


def secrets() -> set[str]:
    """Every word of what he typed longer than 4 letters, his names, username and id."""
    words = {w for t in TYPED for w in re.findall(r"\w+", t) if len(w) > 4}
    return {*words, FIRST_NAME, LAST_NAME, USERNAME, str(USER)}


def leaks(lines: str) -> list[tuple[str, str]]:
    """(secret, line) for every line that holds a secret, ignoring case."""
    found = []
    for line in lines.splitlines():
        for secret in secrets():
            if re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", line, re.IGNORECASE):
                found.append((secret, line))
    return found


@pytest.fixture
def log_buffer() -> Iterator[io.StringIO]:
    """Every record of every logger, at DEBUG, through the privacy factory, into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(), *map(logging.getLogger, THIRD_PARTY)]
    levels = [logger.level for logger in loggers]
    undo = install_privacy()
    logging.getLogger().addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        logging.getLogger().removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        undo()


def inject_faults(monkeypatch: pytest.MonkeyPatch, player: LessonPlayer) -> list[str]:
    """Make `reflect` fail while the returned list names a typed text: with a ValueError
    quoting it, or with a failed SQL statement carrying it as a parameter."""
    armed: list[str] = []
    original = player.reflect

    async def failing(uow: UnitOfWork, *, user_id: int, locale: str) -> tuple[Screen | None, bool]:
        if not armed:
            return await original(uow, user_id=user_id, locale=locale)
        quoted = armed.pop()
        if quoted == FAULT_SQL:
            await uow.session.execute(text("INSERT INTO no_such_table VALUES (:t)"), {"t": quoted})
        raise ValueError(f"could not reflect on {quoted!r} from {FIRST_NAME} {LAST_NAME}")

    monkeypatch.setattr(player, "reflect", failing)
    return armed


async def session_full_of_personal_text(bot: Harness, armed: list[str]) -> None:
    """A lesson with its quiz, distress, two failing handlers, then /delete."""
    bot.api.chats[USER] = {  # a private chat carries his names, as Telegram sends it
        "id": USER,
        "type": "private",
        "first_name": FIRST_NAME,
        "last_name": LAST_NAME,
        "username": USERNAME,
    }
    await bot.say(USER, "/start")
    await bot.press(USER, "English")
    await bot.press(USER, TRACK.text_for("en").title)
    await bot.press(USER, FIRST.text_for("en").title)
    for _ in FIRST.source.cards:
        await bot.press(USER, "Next")
    quiz = await bot.say(USER, THINK_ANSWER)
    right = next(i for i, o in enumerate(FIRST.source.options, start=1) if o.correct)
    await bot.press(USER, right, message=quiz)
    for distress in DISTRESS:
        answer = await bot.say(USER, distress)
        assert answer.buttons, "a need for help is answered with the help offer"
    bot.runtime.deps.help.reader = None  # the faults are in lesson handlers: let them reach one
    for fault in (FAULT_RAISED, FAULT_SQL):
        armed.append(fault)
        await bot.say(USER, fault)
        assert "went wrong" in bot.api.last(USER).text and not armed
    await bot.say(USER, "/delete")
    done = await bot.press(USER, "Yes, erase")
    assert "erased" in done.text


async def test_a_whole_session_at_debug_logs_nothing_personal(
    bot: Harness, log_buffer: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    armed = inject_faults(monkeypatch, bot.runtime.deps.player)
    await session_full_of_personal_text(bot, armed)
    sent = repr(bot.api.updates_by_id)
    assert FIRST_NAME in sent and USERNAME in sent and DISTRESS[0] in sent, "nothing to hide"
    logged = log_buffer.getvalue()
    assert "telegram.ext" in logged and "sqlalchemy.engine" in logged, "the loggers were silent"
    assert re.search(r"update \d+ failed \(ValueError\)", logged), "the first fault"
    # SQLite's error reads as the database failing (tried again); Postgres', as a bug.
    assert re.search(
        r"update \d+(: the database)? failed \((Operational|Programming)Error\)", logged
    )
    assert "Traceback" in logged and "ValueError: …" in logged
    assert leaks(logged) == [], leaks(logged)[:5]


def test_third_party_arguments_become_placeholders(log_buffer: io.StringIO) -> None:
    raw = {"message": {"text": DISTRESS[0], "from": {"username": USERNAME, "id": USER}}}
    logging.getLogger("telegram.ext.ExtBot").critical(
        "Error while parsing updates! Received data was %r (%d of them, 100%%)", raw, 1
    )
    logging.getLogger("httpx").info("HTTP Request: %(method)s %(url)s", {"url": USERNAME})
    assert log_buffer.getvalue().splitlines() == [
        "CRITICAL telegram.ext.ExtBot: Error while parsing updates! Received data was"
        f" {PLACEHOLDER} ({PLACEHOLDER} of them, 100%)",
        f"INFO httpx: HTTP Request: {PLACEHOLDER} {PLACEHOLDER}",
    ]


def test_exceptions_keep_types_and_frames_never_messages(log_buffer: io.StringIO) -> None:
    def fail() -> None:
        try:
            raise KeyError(f"{FIRST_NAME} {LAST_NAME} @{USERNAME}")
        except KeyError as exc:
            raise ValueError(DISTRESS[0]) from exc

    try:
        fail()
    except ValueError:
        logging.getLogger("sqlalchemy.engine").exception("query %s failed", THINK_ANSWER)
        logging.getLogger("bot.handlers.system").exception("update %s failed", 17)
    logged = log_buffer.getvalue()
    assert "query … failed" in logged and "update 17 failed" in logged
    assert logged.count("builtins.KeyError") + logged.count("KeyError: …") >= 2
    assert "ValueError: …" in logged and "direct cause" in logged
    assert "in fail" in logged, "the frames stay: they are code, not data"
    assert leaks(logged) == [], leaks(logged)[:5]


async def test_sql_errors_never_carry_their_parameters() -> None:
    engine = make_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as failed:
                await connection.execute(text("INSERT INTO nowhere VALUES (:t)"), {"t": FAULT_SQL})
    finally:
        await engine.dispose()
    assert "zxqvbnm" not in str(failed.value) and "hidden" in str(failed.value)
