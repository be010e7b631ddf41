"""Telegram failing the replies (429 flood control, 500, 502, timeouts): a crisis message is
answered with the emergency numbers all the same, and nothing without them is sent instead.

Each kind of failure hits the help answer once (within the client's own retries), then six
times in a row (beyond them: the answer comes from a later try or a redelivery).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fake_telegram import BotApiEmulator
from tests.faults.conftest import SCALE, Survived
from tests.faults.support import (
    CRISIS_TEXT,
    ROOT,
    FaultHarness,
    has_emergency_numbers,
    polling,
    processed_ids,
    until,
)

USER = 430_000
READ_TIMEOUT = 0.5  # the bot's client gives up on a stalled call after this long

Inject = Callable[[BotApiEmulator, int, int], None]


def flood(api: BotApiEmulator, chat: int, times: int) -> None:
    api.fail_next("sendMessage", 429, retry_after=1, chat_id=chat, times=times)


def server_errors(api: BotApiEmulator, chat: int, times: int) -> None:
    """500s, then 502s (PTB raises both as NetworkError; Telegram's front end sends 502)."""
    api.fail_next("sendMessage", 500, chat_id=chat, times=(times + 1) // 2)
    if times > 1:
        api.fail_next("sendMessage", 502, chat_id=chat, times=times // 2)


def timeouts(api: BotApiEmulator, chat: int, times: int) -> None:
    api.stall_next("sendMessage", 60, chat_id=chat, times=times)


FAULTS: dict[str, Inject] = {"429": flood, "500+502": server_errors, "timeout": timeouts}


@pytest.mark.parametrize("kind", sorted(FAULTS))
async def test_a_crisis_answer_always_carries_the_numbers(
    sqlite_url: str, kind: str, survived: Survived
) -> None:
    bot = FaultHarness(sqlite_url, lessons_dir=ROOT / "lessons")
    bot.read_timeout = READ_TIMEOUT
    await bot.start()
    failed = 0
    answered = 0
    try:
        async with polling(bot):
            for round_ in range(SCALE):
                for times in (1, 6):  # within the client's retries, then beyond them
                    user = USER + 10 * round_ + times
                    await start(bot, user)
                    before = len(bot.api.bot_messages(user))
                    FAULTS[kind](bot.api, user, times)
                    crisis = bot.api.user_text(user, CRISIS_TEXT)
                    await until(
                        lambda u=user, n=before: any(
                            has_emergency_numbers(m.text) for m in bot.api.bot_messages(u)[n:]
                        ),
                        timeout=30,
                        what=f"the crisis answer through {times} x {kind}",
                    )
                    await until(lambda: not bot.api.pending, timeout=30, what="updates confirmed")
                    replies = bot.api.bot_messages(user)[before:]
                    without = [m.text[:80] for m in replies if not has_emergency_numbers(m.text)]
                    assert without == [], f"crisis replies without the numbers: {without}"
                    assert crisis in await processed_ids(bot.settings.database_url)
                    sends = sum(1 for p in bot.api.calls_to("sendMessage") if p["chat_id"] == user)
                    failed += sends - len(bot.api.bot_messages(user))
                    answered += 1
                    assert "Choose a topic" in await lessons(bot, user)
    finally:
        await bot.stop()  # asserts bot.api.errors == []
    survived(fault=kind, telegram_failures=failed, crisis_answers=answered)


async def start(bot: FaultHarness, user: int) -> None:
    """He starts and chooses English."""
    bot.api.user_text(user, "/start")
    await until(lambda: bool(bot.api.bot_messages(user)), timeout=10, what="/start")
    picker = bot.api.last(user)
    bot.api.press(user, picker.message_id, picker.find_button("English"))
    await until(lambda: len(bot.api.bot_messages(user)) > 1, timeout=10, what="the menu")


async def lessons(bot: FaultHarness, user: int) -> str:
    """After the failures, the bot still answers him normally."""
    count = len(bot.api.bot_messages(user))
    bot.api.user_text(user, "/lessons")
    await until(lambda: len(bot.api.bot_messages(user)) > count, timeout=10, what="/lessons")
    return bot.api.last(user).text
