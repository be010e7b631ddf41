"""A second instance polling with the same token (Telegram answers 409 Conflict): the bot
says so in one clear line, without a traceback, and exits with a non-zero status."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from pathlib import Path

from fake_telegram import BotApiEmulator, close_http, serve_http
from tests.faults.conftest import Survived
from tests.processes import ROOT, serving_environment

CLEAR = re.compile(r"(?i)(another|second|other).{0,80}(instance|bot|poll)|conflict|409")


async def other_instance(api: BotApiEmulator, stop: asyncio.Event) -> int:
    """Another poller with the same token: each of its getUpdates ends the bot's long poll
    with 409, as on Telegram. Returns how many times it polled."""
    polls = 0
    while not stop.is_set():
        await api.handle("getUpdates", {"timeout": "0.3"})
        polls += 1
        await asyncio.sleep(0.05)
    return polls


async def test_a_second_instance_is_reported_clearly_and_the_bot_exits(
    tmp_path: Path, survived: Survived
) -> None:
    api = BotApiEmulator()
    server, port = await serve_http(api)
    stop = asyncio.Event()
    rival = asyncio.create_task(other_instance(api, stop))
    env = serving_environment(
        port,
        f"sqlite+aiosqlite:///{tmp_path / 'ura.db'}",
        URA_PSEUDONYM_KEY="fault-suite-key",
        URA_DATA_DIR=str(tmp_path / "data"),
    )
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, raw = await asyncio.wait_for(bot.communicate(), timeout=60)
    finally:
        if bot.returncode is None:
            bot.kill()
            with contextlib.suppress(Exception):
                await bot.wait()
        stop.set()
        polls = await rival
        await close_http(server)
    stderr = raw.decode(errors="replace")
    conflicts = sum(1 for name, code, _ in api.failures if name == "getUpdates" and code == 409)
    assert bot.returncode not in (0, None) and bot.returncode > 0, (bot.returncode, stderr[-2000:])
    assert "Traceback" not in stderr, stderr[-3000:]
    last = [line for line in stderr.splitlines() if line.strip()][-1]
    assert CLEAR.search(last), f"the last line does not say what happened: {last!r}"
    said = [line for line in stderr.splitlines() if CLEAR.search(line)]
    assert len(said) == 1, f"said more than once: {said}"
    assert api.errors == []
    survived(conflicts_seen=conflicts, rival_polls=polls, exit_code=bot.returncode)
