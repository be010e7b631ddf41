"""The help path fails closed, through the real Application: a broken database never lets a
screened message reach a lesson, crisis numbers come from memory, help events count once,
a finished lesson can be replayed, and a bad lesson file does not stop the bot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.help.categories import CRISIS
from bot.learning.steps import Stage
from bot.learning.steps import step_of as done_step
from tests.dbcheck import query, rename_table, scalar
from tests.harness import Harness
from tests.test_help import DIRECTORY, LESSONS, crisis_text, start, to_quiz

USER = 7272
FIRST = LESSONS.tracks[0].lessons[0]


async def step_of(bot: Harness, user: int) -> int:
    return int(
        await scalar(
            bot.settings.database_url, "SELECT step FROM progress WHERE user_id = :u", u=user
        )
    )


def every_emergency_number_in(reply_text: str) -> bool:
    return all(
        s.phone in reply_text
        for code in ("xk", "rs", "kg", "tj")
        for s in DIRECTORY.emergency(code)
        if s.phone
    )


async def to_think(bot: Harness, user: int) -> None:
    await bot.say(user, "/lessons")
    await bot.press(user, LESSONS.tracks[0].texts["en"].title)
    await bot.press(user, FIRST.source.title)
    for _ in range(len(FIRST.source.cards)):
        await bot.press(user, "Next")


async def test_a_crisis_at_think_with_a_failing_database_is_answered_not_taken_as_his_answer(
    bot: Harness,
) -> None:
    await start(bot, USER)
    await to_think(bot, USER)
    at_think = await step_of(bot, USER)
    await rename_table(bot.settings.database_url, "events", "events_away")  # recording fails

    reply = await bot.say(USER, crisis_text())

    await rename_table(bot.settings.database_url, "events_away", "events")
    assert "112" in reply.text or every_emergency_number_in(reply.text)
    assert await step_of(bot, USER) == at_think, "the crisis message was not his THINK! answer"
    shown = await query(
        bot.settings.database_url, "SELECT name FROM events WHERE name = 'help_shown'"
    )
    assert shown == [], "nothing recorded as shown while recording failed"


async def test_with_the_database_down_a_crisis_still_gets_its_numbers_and_nothing_else(
    bot: Harness,
) -> None:
    await start(bot, USER)
    before = len(bot.api.bot_messages(USER))
    await rename_table(bot.settings.database_url, "users", "users_away")

    reply = await bot.say(USER, crisis_text())

    new = bot.api.bot_messages(USER)[before:]
    assert len(new) == 1, "one answer: the crisis numbers, no apology"
    assert every_emergency_number_in(reply.text)
    await rename_table(bot.settings.database_url, "users_away", "users")
    await bot.pump()
    assert len(bot.api.bot_messages(USER)) == before + 1, "answered once, not again on recovery"


async def test_an_update_that_needed_the_database_is_answered_once_it_returns(
    bot: Harness,
) -> None:
    await start(bot, USER)
    before = len(bot.api.bot_messages(USER))
    await rename_table(bot.settings.database_url, "users", "users_away")
    await bot.say(USER, "/progress")
    await bot.pump()  # tried again while the database is still down: no second apology
    apologies = bot.api.bot_messages(USER)[before:]
    assert len(apologies) == 1 and "went wrong" in apologies[0].text.lower()

    await rename_table(bot.settings.database_url, "users_away", "users")
    await bot.pump()
    answered = bot.api.bot_messages(USER)[before + 1 :]
    assert len(answered) == 1 and "went wrong" not in answered[0].text.lower()


async def test_help_events_count_once_after_a_replay_and_a_double_tap(bot: Harness) -> None:
    await start(bot, USER)
    update_id = bot.api.user_text(USER, crisis_text())
    await bot.pump()
    bot.api.replay(update_id)
    await bot.pump()
    offer = await bot.say(USER, "/help")
    danger = offer.find_button("danger")
    bot.api.press(USER, offer.message_id, danger)  # a double tap: two presses before any answer
    bot.api.press(USER, offer.message_id, danger)
    await bot.pump()

    rows = await query(
        bot.settings.database_url,
        "SELECT name, value FROM events WHERE name IN ('screened', 'help_shown', 'help_opened')",
    )
    assert sorted(rows) == sorted(
        [
            ("screened", CRISIS),
            ("help_shown", CRISIS),
            ("help_opened", "command"),
            ("help_shown", CRISIS),
        ]
    )


async def test_a_finished_lesson_can_be_replayed_and_counts_as_a_replay(bot: Harness) -> None:
    await start(bot, USER)
    await to_quiz(bot, USER)
    right = next(i for i, o in enumerate(FIRST.source.options, start=1) if o.correct)
    await bot.press(USER, right)
    await bot.press(USER, 1)  # feedback → ACT!
    await bot.press(USER, 1)  # ACT! "I'll try it" → done
    await bot.say(USER, "/lessons")
    await bot.press(USER, LESSONS.tracks[0].texts["en"].title)
    await bot.press(USER, FIRST.source.title)  # opens again from its first card
    for _ in range(len(FIRST.source.cards) + 1):
        await bot.press(USER, "Next")
    wrong = next(i for i, o in enumerate(FIRST.source.options, start=1) if not o.correct)
    feedback = await bot.press(USER, wrong)
    assert FIRST.source.options[wrong - 1].feedback[:30] in feedback.text, "not stuck at the quiz"
    await bot.press(USER, 1)
    await bot.press(USER, 1)
    assert await step_of(bot, USER) == done_step(Stage.DONE, FIRST.card_count)
    names = [r[0] for r in await query(bot.settings.database_url, "SELECT name FROM events")]
    assert names.count("lesson_completed") == 1 and names.count("lesson_replayed") == 1
    assert names.count("quiz_answered") == 1, "his first answer stays the one counted"


async def test_a_bad_lesson_file_is_reported_and_the_last_version_keeps_serving(
    bot: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(bot.settings.lessons_dir, lessons)
    broken = next(lessons.glob("*/01-*.en.yaml"))
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    bot.settings = bot.settings.model_copy(update={"lessons_dir": lessons})

    await bot.restart()

    assert any(broken.name in r.getMessage() for r in caplog.records), "the bad file is named"
    reply = await bot.say(USER, "/lessons")
    assert LESSONS.tracks[0].texts["en"].title in reply.labels()


async def test_a_reply_telegram_refuses_is_not_lost_and_the_update_not_confirmed(
    bot: Harness,
) -> None:
    await start(bot, USER)
    bot.api.fail_next("sendMessage", 500, chat_id=USER)
    await bot.say(USER, "/progress")
    assert "went wrong" not in bot.api.last(USER).text.lower()
    unconfirmed = await scalar(bot.settings.database_url, "SELECT count(*) FROM processed_updates")

    await bot.pump()  # tried again: Telegram takes it now

    progress = bot.api.last(USER)
    assert "went wrong" not in progress.text.lower() and progress.buttons
    confirmed = await scalar(bot.settings.database_url, "SELECT count(*) FROM processed_updates")
    assert confirmed == unconfirmed + 1
