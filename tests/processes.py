"""Helpers for tests that run the bot as a real separate process against the HTTP emulator."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def environment(**extra: str) -> dict[str, str]:
    """This environment without any real Telegram or database settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        URA_LESSONS_DIR=str(ROOT / "lessons"),
        URA_REFERRALS_DIR=str(ROOT / "referrals"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def serving_environment(port: int, database_url: str, **extra: str) -> dict[str, str]:
    """What `ura run` needs to serve the emulator on `port` from this database; `extra`
    adds or overrides settings (a data folder, a pseudonym key, the webhook)."""
    serving = {
        "TELEGRAM_BOT_TOKEN": "123456:PROCESS-TEST",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DATABASE_URL": database_url,
        "URA_POLL_TIMEOUT": "1",
    }
    return environment(**{**serving, **extra})


async def wait_for(check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll `check` until it holds; fail the test after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the bot"
        await asyncio.sleep(0.02)


async def spawn_bot(
    port: int, database: Path, *command: str, **options: Any
) -> asyncio.subprocess.Process:
    """Start a bot process (`make run`, `python -m bot run`) serving the emulator on `port`."""
    options.setdefault("stdout", asyncio.subprocess.DEVNULL)
    options.setdefault("stderr", asyncio.subprocess.DEVNULL)
    return await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env=serving_environment(port, f"sqlite+aiosqlite:///{database}"),
        **options,
    )
