"""Failures on the way: Telegram errors, edited lessons, and the update-id memory."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from bot.db.models import ProcessedUpdate
from bot.learning.loader import load_catalog
from tests.dbcheck import query, scalar
from tests.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
FIRST = load_catalog(ROOT / "lessons").tracks[0].lessons[0]
USER = 5151


async def open_first_lesson(bot: Harness) -> None:
    await bot.say(USER, "/start")
    await bot.press(USER, "English")
    await bot.press(USER, "Fatherhood")
    await bot.press(USER, 1)


async def test_a_failed_send_is_sent_again_and_loses_nothing(bot: Harness) -> None:
    await bot.say(USER, "/start")
    bot.api.fail_next("sendMessage", 500, "Internal Server Error")
    await bot.say(USER, "/lessons")  # Telegram refused the reply: the update stays unconfirmed
    await bot.pump()  # tried again
    texts = [m.text for m in bot.api.bot_messages(USER)]
    assert "Choose a topic" in texts[-1]
    assert not any("something went wrong" in t for t in texts), "no apology for Telegram's fault"


async def test_an_edit_that_fails_is_sent_as_a_new_message(bot: Harness) -> None:
    await open_first_lesson(bot)
    count = len(bot.api.bot_messages(USER))
    bot.api.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
    card = await bot.press(USER, "Next")
    assert len(bot.api.bot_messages(USER)) == count + 1
    assert FIRST.source.cards[1][:40] in card.text


async def test_old_update_ids_are_forgotten(bot: Harness) -> None:
    await bot.say(USER, "/start")
    await bot.say(USER, "/help")
    url = bot.settings.database_url
    assert await scalar(url, "SELECT count(*) FROM processed_updates") == 2
    async with bot.runtime.deps.uow() as uow:
        await uow.session.execute(
            update(ProcessedUpdate)
            .where(ProcessedUpdate.update_id == 1)
            .values(processed_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
    await bot.runtime.poller.durable.forget_old()
    assert await query(url, "SELECT update_id FROM processed_updates") == [(2,)]


async def test_a_lesson_edited_mid_way_is_finished_in_the_version_he_started(
    database_url: str, tmp_path: Path
) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    bot = Harness(database_url, lessons_dir=lessons)
    await bot.start()
    try:
        await open_first_lesson(bot)
        for _ in range(3):
            await bot.press(USER, "Next")  # now on the fourth and last card
        for path in lessons.glob("fatherhood/01-*.yaml"):  # a moderator drops the last card
            text = path.read_text(encoding="utf-8")
            cut_from = text.rindex("\n  - ", 0, text.index("think:"))
            path.write_text(text[:cut_from] + "\n" + text[text.index("think:") :], "utf-8")
        await bot.restart()  # publishes the edited lesson as a new version
        await bot.say(USER, "/start")
        resumed = await bot.press(USER, "Continue")
        assert FIRST.source.cards[3][:40] in resumed.text, "his version still has its 4th card"
        assert "THINK!" in (await bot.press(USER, "Next")).text
    finally:
        await bot.stop()
