"""A poison update (one the client library cannot parse, or one without a chat) is skipped
and reported after a bounded number of tries, and the updates after it are still handled."""

from __future__ import annotations

import logging

import pytest
from telegram import Update

from bot.deps import Content
from fake_telegram.constants import JSONDict
from tests.faults.conftest import SCALE, Survived
from tests.faults.support import (
    CRISIS_TEXT,
    ROOT,
    has_emergency_numbers,
    polling,
    processed_ids,
    until,
)
from tests.harness import Harness

USER = 450_000
MAX_TRIES = 10  # getUpdates calls that may hand out the same poison update


def poisons(user: int) -> list[JSONDict]:
    """Bodies Telegram should never send, and a bot must survive anyway."""
    sender = {"id": user, "is_bot": False, "first_name": "Test", "language_code": "en"}
    return [
        # A chat without its type: python-telegram-bot cannot build the update at all.
        {
            "message": {
                "message_id": 900,
                "date": 0,
                "text": "x",
                "chat": {"id": user},
                "from": sender,
            }
        },
        # No chat at all: it parses, but there is nobody to answer.
        {"message": {"message_id": 901, "date": 0, "text": "/start", "from": sender}},
        # A message that is not an object.
        {"message": "boom"},
        # A date that is not a number.
        {"message": {"message_id": 902, "date": "today", "chat": {"id": user, "type": "private"}}},
    ]


def unparseable(body: JSONDict) -> bool:
    """Does python-telegram-bot fail to build this update?"""
    try:
        Update.de_json({"update_id": 1, **body}, None)
    except Exception:
        return True
    return False


def tries(bot: Harness, poison: int, since: int) -> int:
    """getUpdates calls since call number `since` that could have handed out `poison`."""
    return sum(
        1
        for name, params in bot.api.calls[since:]
        if name == "getUpdates" and int(params.get("offset") or 0) <= poison
    )


async def test_a_poison_update_is_skipped_and_reported_and_the_rest_handled(
    sqlite_url: str, content: Content, caplog: pytest.LogCaptureFixture, survived: Survived
) -> None:
    caplog.set_level(logging.WARNING)
    bot = Harness(sqlite_url, lessons_dir=ROOT / "lessons", content=content)
    await bot.start()
    skipped = 0
    try:
        async with polling(bot):
            for round_ in range(SCALE):
                for body in poisons(USER + round_):
                    user = USER + round_
                    since = len(bot.api.calls)
                    seen = len(bot.api.bot_messages(user))
                    before = bot.api.user_text(user, "/start")  # in the same batch as the poison
                    poison = bot.api.raw_update(body)
                    after = bot.api.user_text(user, CRISIS_TEXT)
                    await until(
                        lambda u=user, n=seen: any(
                            has_emergency_numbers(m.text) for m in bot.api.bot_messages(u)[n:]
                        ),
                        timeout=30,
                        what=f"the update after poison {body!r:.60}",
                    )
                    await until(lambda: not bot.api.pending, timeout=30, what="the poison skipped")
                    assert tries(bot, poison, since) <= MAX_TRIES
                    handled = await processed_ids(bot.settings.database_url)
                    assert {before, after} <= handled
                    reports = [r for r in caplog.records if str(poison) in r.getMessage()]
                    if unparseable(body):
                        assert reports, f"poison update {poison} ({body!r:.60}) was not reported"
                    skipped += 1
    finally:
        await bot.stop()
    survived(poison_updates=skipped)
