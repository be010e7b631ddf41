"""The learner's journey through the real Application, on SQLite and Postgres."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete

from bot.db.models import ProcessedUpdate
from bot.db.staff_models import Cohort
from bot.learning.loader import load_catalog
from tests.dbcheck import dump, query, scalar
from tests.harness import Harness

LESSONS = load_catalog(Path(__file__).resolve().parent.parent / "lessons")
TRACK = LESSONS.tracks[0]
FIRST = TRACK.lessons[0]
USER = 4242
LESSON_COUNT = sum(len(t.lessons) for t in LESSONS.tracks)


def correct_option(lesson_key: str) -> int:
    """1-based index of the right quiz answer."""
    lesson = LESSONS.lesson(lesson_key)
    assert lesson is not None
    return next(i for i, o in enumerate(lesson.source.options, start=1) if o.correct)


async def open_first_lesson(bot: Harness, *, lang: str = "en", language_button: str = "English"):
    """/start, pick a language, open the first track and its first lesson."""
    await bot.say(USER, "/start", lang=lang)
    await bot.press(USER, language_button)
    await bot.press(USER, TRACK.text_for(lang).title)
    return await bot.press(USER, FIRST.text_for(lang).title)


async def test_whole_journey_in_english(bot: Harness) -> None:
    greeting = await bot.say(USER, "/start")
    assert "Ura" in greeting.text
    assert "Русский" in greeting.labels() and "Shqip" in greeting.labels()

    card = await open_first_lesson(bot)
    text = FIRST.source
    assert text.cards[0][:40] in card.text and "1 of 4" in card.text
    first_id, first_edits = card.message_id, card.edits
    for number in range(2, len(text.cards) + 1):
        card = await bot.press(USER, "Next")
        assert text.cards[number - 1][:40] in card.text
    assert card.message_id == first_id, "cards are edited in place"
    assert card.edits == first_edits + len(text.cards) - 1

    think = await bot.press(USER, "Next")
    assert "THINK!" in think.text and text.think[:30] in think.text
    quiz = await bot.say(USER, "My grandfather taught me to fish. secret-reflection-7731")
    assert "Thank you" in bot.api.texts(USER)[-2]
    options = [option.text for option in text.options]
    assert text.question[:30] in quiz.text and quiz.labels()[: len(options)] == options

    right = correct_option(FIRST.key)
    feedback = await bot.press(USER, right)
    assert text.options[right - 1].feedback[:30] in feedback.text
    act = await bot.press(USER, "Next")
    assert "ACT!" in act.text and text.act[:30] in act.text
    done = await bot.press(USER, "try it")
    assert "You finished" in done.text
    assert any("Next lesson" in label for label in done.labels())

    progress = await bot.say(USER, "/progress")
    assert f"1 of {LESSON_COUNT} lessons" in progress.text
    assert "1 quiz question answered." in progress.text

    # Nothing typed is stored anywhere, nor any name.
    assert "secret-reflection-7731" not in repr(await dump(bot.settings.database_url))
    assert "Test" not in repr(await dump(bot.settings.database_url))
    completed = await query(
        bot.settings.database_url, "SELECT completed_at FROM progress WHERE user_id = :u", u=USER
    )
    assert len(completed) == 1 and completed[0][0] is not None

    nxt = await bot.press(USER, "Next lesson", message=done)
    assert TRACK.lessons[1].source.cards[0][:40] in nxt.text


async def test_whole_journey_in_russian(bot: Harness) -> None:
    greeting = await bot.say(USER, "/start", lang="ru")
    assert "Привет" in greeting.text
    card = await open_first_lesson(bot, lang="ru", language_button="Русский")
    ru = FIRST.texts["ru"]
    assert ru.cards[0][:40] in card.text and "1 из 4" in card.text
    assert "not in your language" not in card.text
    for _ in ru.cards:
        await bot.press(USER, "Дальше")
    quiz = await bot.press(USER, "Дальше")
    assert ru.question[:30] in quiz.text
    await bot.press(USER, correct_option(FIRST.key))
    await bot.press(USER, "Дальше")
    done = await bot.press(USER, "✓")
    assert ru.title in done.text
    progress = await bot.say(USER, "/progress", lang="ru")
    assert f"1 из {LESSON_COUNT} уроков" in progress.text
    language = await scalar(bot.settings.database_url, "SELECT locale FROM users")
    assert language == "ru"


async def test_resume_after_restart(bot: Harness) -> None:
    await open_first_lesson(bot)
    await bot.press(USER, "Next")
    await bot.press(USER, "Next")
    await bot.restart()
    welcome = await bot.say(USER, "/start")
    assert "Welcome back" in welcome.text
    resumed = await bot.press(USER, "Continue")
    assert FIRST.source.cards[2][:40] in resumed.text and "3 of 4" in resumed.text
    progress = await bot.say(USER, "/progress")
    assert f"0 of {LESSON_COUNT} lessons" in progress.text and "Continue" in " ".join(
        progress.labels()
    )


async def test_replayed_update_changes_nothing(bot: Harness) -> None:
    await open_first_lesson(bot)
    message = bot.last_with_buttons(USER)
    update_id = bot.api.press(USER, message.message_id, message.find_button("Next"))
    await bot.pump()
    before = await dump(bot.settings.database_url)
    sent = len(bot.api.calls)

    bot.api.replay(update_id)  # Telegram redelivers: the id was recorded, so it is skipped
    await bot.restart()
    await bot.pump()
    assert await dump(bot.settings.database_url) == before
    assert len(bot.api.calls_to("editMessageText")) == len(
        [c for c in bot.api.calls[:sent] if c[0] == "editMessageText"]
    )

    # A crash after handling but before recording the id: the press itself is idempotent.
    async with bot.runtime.deps.uow() as uow:
        await uow.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
        )
    bot.api.replay(update_id)
    await bot.pump()
    step = await scalar(bot.settings.database_url, "SELECT step FROM progress")
    assert step == 1
    assert bot.api.callback_answers[-1].get("text"), "the stale press got a toast"


async def test_double_tapped_next_moves_one_step(bot: Harness) -> None:
    card = await open_first_lesson(bot)
    next_button = card.find_button("Next")
    for _ in range(3):  # three taps on one card's Next, before the first was handled
        bot.api.press(USER, card.message_id, next_button)
    await bot.pump()
    assert await scalar(bot.settings.database_url, "SELECT step FROM progress") == 1
    assert FIRST.source.cards[1][:40] in bot.api.last(USER).text
    toasts = [a.get("text") for a in bot.api.callback_answers[-3:]]
    assert not toasts[0] and all(toasts[1:]), "the extra taps were answered with a toast"


async def test_double_tapped_quiz_answer_counts_once(bot: Harness) -> None:
    await open_first_lesson(bot)
    for _ in range(len(FIRST.source.cards) + 1):
        await bot.press(USER, "Next")
    quiz = bot.last_with_buttons(USER)
    right = correct_option(FIRST.key)
    wrong = 1 if right != 1 else 2
    bot.api.press(USER, quiz.message_id, right)
    bot.api.press(USER, quiz.message_id, wrong)  # the second tap, before the first was handled
    bot.api.press(USER, quiz.message_id, right)
    await bot.pump()
    url = bot.settings.database_url
    assert await query(url, "SELECT option, correct FROM quiz_answers") == [(right - 1, True)]
    assert await scalar(url, "SELECT count(*) FROM events WHERE name = 'quiz_answered'") == 1
    feedback = bot.api.last(USER)
    assert FIRST.source.options[right - 1].feedback[:30] in feedback.text
    toasts = [a.get("text") for a in bot.api.callback_answers[-2:]]
    assert all(toasts), "both extra taps were answered with a toast"


async def test_forged_callbacks_change_nothing(bot: Harness) -> None:
    card = await open_first_lesson(bot)
    before = await dump(bot.settings.database_url)
    users_before = await query(
        bot.settings.database_url,
        "SELECT id, locale, status, cohort, country, current_lesson_id FROM users",
    )
    forged = [
        "v1:q:dad-leave:2",  # a quiz answer while on a card
        "v1:n:dad-leave:5",  # 'next' from a step he is not on
        "v1:n:dad-leave:999",
        "v1:o:no-such-lesson",
        f"v1:n:{TRACK.lessons[2].key}:0",  # a lesson he never opened
        "v1:l:de",
        "v2:m:",
        "garbage",
        "v1:q:dad-leave:1:extra",
        "' OR 1=1 --",
    ]
    for data in forged:
        bot.api.forge_press(USER, card.message_id, data)
    await bot.pump()
    after = await dump(bot.settings.database_url)
    assert after["progress"] == before["progress"]
    assert after["quiz_answers"] == before["quiz_answers"]
    steady = "SELECT id, locale, status, cohort, country, current_lesson_id FROM users"
    assert await query(bot.settings.database_url, steady) == users_before  # all but last seen
    answers = bot.api.callback_answers[-len(forged) :]
    assert len(answers) == len(forged) and all(a.get("text") for a in answers)
    assert bot.api.last(USER).text == card.text


async def test_sticker_photo_voice_get_a_kind_reply(bot: Harness) -> None:
    await bot.say(USER, "/start")
    for send in (bot.api.user_sticker, bot.api.user_photo, bot.api.user_voice):
        send(USER)
        await bot.pump()
        assert "only read text" in bot.api.last(USER).text
    tables = await dump(bot.settings.database_url)
    personal = {
        name: rows
        for name, rows in tables.items()
        if name not in ("lessons", "lesson_versions", "tracks", "publications")
    }
    assert "file" not in repr(personal).lower(), "no file id kept"


async def test_very_long_message_gets_a_kind_reply(bot: Harness) -> None:
    await open_first_lesson(bot)
    for _ in FIRST.source.cards:
        await bot.press(USER, "Next")
    reply = await bot.say(USER, "x" * 5000)
    assert "long message" in reply.text
    assert "xxxxxxxxxx" not in repr(await dump(bot.settings.database_url))


async def test_text_typed_mid_lesson_points_back_to_it(bot: Harness) -> None:
    await open_first_lesson(bot)
    reply = await bot.say(USER, "hmm what now")
    assert FIRST.source.title in reply.text
    resumed = await bot.press(USER, "Continue", message=reply)
    assert "1 of 4" in resumed.text


async def test_odd_text_edits_and_unknown_commands(bot: Harness) -> None:
    await bot.say(USER, "/start")
    assert "didn't quite get" in (await bot.say(USER, "🤷‍♂️ \u202e\u0000??")).text
    assert "didn't quite get" in (await bot.say(USER, "/nosuchcommand")).text
    sent = bot.api.user_text(USER, "hello")
    await bot.pump()
    first_user_message = bot.api.updates_by_id[sent]["message"]["message_id"]
    bot.api.user_edit(USER, first_user_message, "hello again")
    await bot.pump()
    assert "edited" in bot.api.last(USER).text


async def test_group_chats_record_nobody(bot: Harness) -> None:
    bot.api.user_text(USER, "/start@ura_test_bot", chat_id=-100500, chat_type="supergroup")
    await bot.pump()
    group_reply = bot.api.last(-100500)
    assert "private" in group_reply.text
    assert group_reply.buttons[0][0][1].startswith("https://t.me/")
    assert await scalar(bot.settings.database_url, "SELECT count(*) FROM users") == 0


async def test_blocking_the_bot_marks_the_user(bot: Harness) -> None:
    await bot.say(USER, "/start")
    bot.api.my_chat_member_kicked(USER)
    await bot.pump()
    status = await scalar(bot.settings.database_url, "SELECT status FROM users")
    assert status == "blocked"


async def test_deep_link_records_cohort_only_when_valid(bot: Harness) -> None:
    async with bot.runtime.deps.uow() as uow:  # as /cohorts would have made it
        uow.session.add(Cohort(code="club_prishtina-2026", name="Club Prishtina"))
    await bot.say(USER, "/start club_prishtina-2026")
    await bot.say(USER + 1, "/start not/valid!")
    await bot.say(USER + 2, "/start " + "a" * 65)
    rows = await query(bot.settings.database_url, "SELECT id, cohort FROM users ORDER BY id")
    assert rows == [(USER, "club_prishtina-2026"), (USER + 1, None), (USER + 2, None)]


async def test_command_menu_is_set_per_language(bot: Harness) -> None:
    calls = bot.api.calls_to("setMyCommands")
    languages = {c.get("language_code") for c in calls}
    assert languages == {None, "sq", "sr", "ru", "ky", "kk", "uz", "tg"}
