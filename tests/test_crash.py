"""Kill the real bot process mid-batch: after a restart nothing is lost or counted twice."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

from bot.learning.loader import load_catalog
from fake_telegram import BotApiEmulator, close_http, serve_http
from tests.processes import ROOT, spawn_bot, wait_for

FIRST = load_catalog(ROOT / "lessons").tracks[0].lessons[0]
USER = 8080


async def start_bot(port: int, database: Path) -> asyncio.subprocess.Process:
    return await spawn_bot(port, database, sys.executable, "-m", "bot", "run")


def step(database: Path) -> int | None:
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT step FROM progress").fetchone()
    return row[0] if row else None


async def test_sigkill_mid_batch_loses_nothing(tmp_path: Path) -> None:
    api = BotApiEmulator()
    server, port = await serve_http(api)
    database = tmp_path / "ura.db"
    bot = await start_bot(port, database)
    try:
        api.user_text(USER, "/start")
        await wait_for(lambda: bool(api.bot_messages(USER)))
        picker = api.last(USER)
        api.press(USER, picker.message_id, picker.find_button("English"))
        await wait_for(lambda: len(api.bot_messages(USER)) == 2)
        menu = api.last(USER)
        api.press(USER, menu.message_id, 1)
        await wait_for(lambda: api.last(USER).edits == 1)
        api.press(USER, menu.message_id, 1)  # the first lesson
        await wait_for(lambda: step(database) == 0)

        presses = len(FIRST.source.cards) + 1  # through the cards and THINK!, onto the quiz
        answered = len(api.callback_answers)
        for at in range(presses):  # what a fast double-thumbed user sends in one burst
            api.forge_press(USER, menu.message_id, f"v1:n:{FIRST.key}:{at}")
            api.forge_press(USER, menu.message_id, f"v1:n:{FIRST.key}:{at}")
        await wait_for(lambda: len(api.callback_answers) > answered, timeout=30)
        killed_at = step(database)
        assert killed_at is not None and killed_at < presses, "the kill must land mid-batch"
        bot.kill()  # SIGKILL: no clean shutdown, no offset confirmed for the rest
        await bot.wait()
        assert bot.returncode == -signal.SIGKILL

        bot = await start_bot(port, database)
        await wait_for(lambda: not api.pending and step(database) == presses)
        await asyncio.sleep(0.5)  # anything still in flight would move the step further
        assert step(database) == presses
        with sqlite3.connect(database) as conn:
            opened = conn.execute("SELECT count(*) FROM events WHERE name='lesson_opened'")
            assert opened.fetchone()[0] == 1
        assert "Quiz" in api.last(USER).text
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), timeout=30)
        await close_http(server)
    assert api.errors == []
