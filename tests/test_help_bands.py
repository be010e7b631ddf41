"""Screening's three bands, direct asks, "Talk to someone" wherever Ura does not understand,
heavy lessons and silent groups: all through the real Application.

The only double is the classifier in the unsure tests (the phrase lists never say unsure;
only a meaning model will), swapped into the running bot's help service.
"""

from __future__ import annotations

from pathlib import Path

from bot import paths
from bot.help.asks import ASKS, is_direct_ask
from bot.help.categories import CRISIS
from bot.help.screening import NEED, UNSURE, Verdict
from bot.i18n.catalogs import Catalogs
from bot.i18n.locales import LANGUAGE_NAMES, SUPPORTED_LOCALES
from bot.learning.loader import load_catalog
from bot.learning.model import Lesson
from fake_telegram import SentMessage
from tests.dbcheck import query, rename_table, scalar
from tests.harness import Harness
from tests.test_help import DIRECTORY, crisis_text

ROOT = Path(__file__).resolve().parent.parent
LESSONS = load_catalog(ROOT / "lessons")
CATALOGS = Catalogs(paths.locale_dir())
USER = 7272
TALK = "💬 Talk to someone"
MENU_OPENING = (
    "You're not alone, and asking is a strong thing to do. What would you like help "
    "with? Nobody else sees what you choose here."
)
UNSURE_LINE = "That sounds heavy. Do you want to talk to someone?"
HEAVY_LINE = (
    "If anything in this lesson stirred something up, talking helps. "
    "Tap “Talk to someone” below, any time."
)
CRISIS_LABEL = "I'm in danger, or thinking of ending my life"


class ModelSays:
    """A classifier that always gives one verdict: what the meaning model says."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict

    def classify(self, text: str, locale: str) -> Verdict:
        return self.verdict


def model_says(bot: Harness, verdict: Verdict) -> None:
    """Swap the running bot's classifier for one that always gives `verdict` (in the phrase
    lists' place, with the real model out of the way: it would overrule a silent list)."""
    bot.runtime.deps.help._screener = ModelSays(verdict)  # type: ignore[assignment]
    bot.runtime.deps.help.reader = None


def never_sure(bot: Harness) -> None:
    """A classifier that is never sure: what a meaning model says for a maybe."""
    model_says(bot, Verdict("mental_health", False, None, "model", UNSURE, 0.5))


def lesson(track: str, number: int) -> Lesson:
    found = LESSONS.track(track)
    assert found is not None
    return found.lessons[number - 1]


async def start(bot: Harness, user: int, lang: str = "en") -> None:
    await bot.say(user, "/start", lang=lang)
    await bot.press(user, LANGUAGE_NAMES[lang])


async def open_lesson(bot: Harness, user: int, chosen: Lesson, lang: str = "en") -> SentMessage:
    track = LESSONS.track(chosen.track)
    assert track is not None
    await bot.say(user, "/lessons", lang=lang)
    await bot.press(user, track.text_for(lang).title)
    return await bot.press(user, chosen.text_for(lang).title)


async def to_think(bot: Harness, user: int, chosen: Lesson) -> SentMessage:
    screen = await open_lesson(bot, user, chosen)
    for _ in range(chosen.card_count):
        screen = await bot.press(user, 1)
    assert "THINK!" in screen.text
    return screen


async def to_the_end(bot: Harness, user: int, chosen: Lesson, lang: str = "en") -> SentMessage:
    """Open a lesson and take every step (the first button each time) to its closing screen."""
    screen = await open_lesson(bot, user, chosen, lang)
    for _ in range(chosen.card_count + 4):  # cards, THINK!, quiz, feedback, ACT!
        screen = await bot.press(user, 1)
    return screen


def no_help_content(text: str) -> None:
    """Nothing of the help answer: no category, no service, no number."""
    assert CRISIS_LABEL not in text and "Emergency" not in text
    for code in ("xk", "rs", "kg", "kz", "uz", "tj"):
        assert not any(s.phone and s.phone in text for s in DIRECTORY.emergency(code))


async def help_events(bot: Harness) -> list[tuple[str, str]]:
    return await query(
        bot.settings.database_url,
        "SELECT name, value FROM events WHERE name IN ('screened', 'help_shown', 'help_opened')"
        " ORDER BY id",
    )


# --- the unsure band ---------------------------------------------------------------------


async def test_unsure_on_a_card_asks_gently_and_the_lesson_waits(bot: Harness) -> None:
    await start(bot, USER)
    chosen = lesson("mental-health", 1)
    await open_lesson(bot, USER, chosen)
    never_sure(bot)

    reply = await bot.say(USER, "idk, everything is just a lot lately")
    assert reply.text == UNSURE_LINE
    assert reply.labels() == [TALK, f"Continue: {chosen.source.title}"]
    no_help_content(reply.text)
    assert await help_events(bot) == [("screened", "unsure")]

    menu = await bot.press(USER, "Talk to someone", message=reply)
    assert menu.text.startswith(MENU_OPENING) and menu.labels()[0] == CRISIS_LABEL
    assert ("help_opened", "button") in await help_events(bot)
    resumed = await bot.press(USER, "Continue", message=menu)
    assert chosen.source.cards[0][:20] in resumed.text, "back on the card he left"


async def test_at_think_the_model_alone_lets_his_answer_through_but_not_a_crisis(
    bot: Harness,
) -> None:
    """A THINK! answer talks about stress or anger because the lesson asked; the model alone
    misreads such answers too often to stop the lesson. A crisis still stops it."""
    await start(bot, USER)
    chosen = lesson("mental-health", 1)
    await to_think(bot, USER, chosen)
    model_says(bot, Verdict("violence_perpetrator", False, None, "model", NEED, 0.95))
    await bot.say(USER, "when I get angry I go for a walk now")
    assert any("Thank you for thinking" in t for t in bot.api.texts(USER)), "taken as his answer"
    assert await help_events(bot) == []

    other = lesson("mental-health", 2)
    await to_think(bot, USER, other)
    model_says(bot, Verdict(CRISIS, True, None, "model", NEED, 0.97))
    answer = await bot.say(USER, "i gave my brother my things, he will need them more")
    assert answer.labels()[0] != "Next" and "THINK!" not in answer.text
    assert ("help_shown", CRISIS) in await help_events(bot)
    resumed = await bot.press(USER, f"Continue: {other.source.title}", message=answer)
    assert "THINK!" in resumed.text, "the lesson did not take it as his answer"


async def test_unsure_outside_a_lesson_counts_once_and_only_offers_to_talk(bot: Harness) -> None:
    await start(bot, USER)
    never_sure(bot)
    sent = bot.api.user_text(USER, "whatever")
    await bot.pump()
    reply = bot.api.last(USER)
    assert reply.text == UNSURE_LINE and reply.labels() == [TALK]
    bot.api.user_edit(USER, bot.api.updates_by_id[sent]["message"]["message_id"], "whatever!")
    await bot.pump()
    assert bot.api.last(USER).text == UNSURE_LINE, "an edit is screened like a new message"
    assert await help_events(bot) == [("screened", "unsure")], "one message, counted once"


# --- direct asks ---------------------------------------------------------------------------


def test_direct_asks_are_whole_short_messages() -> None:
    for asks in ASKS.values():
        for ask in asks:
            assert is_direct_ask(ask) and is_direct_ask(ask.upper() + "!!! 🙏"), ask
    for said in ("Pomoć!", "pomoc", "ПОМОЋ", "Ndihme", "ndihmë!", "Më ndihmo...", "Ёрдам"):
        assert is_direct_ask(said), said
    for said in (
        "help me choose a lesson",
        "can you help me find the quiz please",
        "what help do you offer",
        "мне плохо понятно, что делать с уроком",
        "",
        "🙏",
        "help " * 40,
    ):
        assert not is_direct_ask(said), said


async def test_direct_asks_in_every_language_open_the_help_menu(bot: Harness) -> None:
    asked = 0
    for index, lang in enumerate(SUPPORTED_LOCALES):
        user, tr = 7300 + index, CATALOGS.get(lang)
        await start(bot, user, lang)
        for ask in (*ASKS[lang], ASKS["en"][0], ASKS["ru"][0]):  # and other languages' asks
            menu = await bot.say(user, ask, lang=lang)
            assert menu.text.startswith(tr.gettext(MENU_OPENING)), (lang, ask)
            assert menu.labels()[0] == tr.gettext(CRISIS_LABEL), (lang, ask)
            asked += 1
    opened = await scalar(
        bot.settings.database_url,
        "SELECT count(*) FROM events WHERE name = 'help_opened' AND value = 'ask'",
    )
    assert opened == asked
    assert (
        await scalar(
            bot.settings.database_url, "SELECT count(*) FROM events WHERE name = 'screened'"
        )
        == 0
    ), "an ask is not a screening verdict"


async def test_a_direct_ask_at_think_opens_help_and_the_lesson_waits(bot: Harness) -> None:
    await start(bot, USER, "ru")
    chosen = lesson("mental-health", 6)
    track = LESSONS.track("mental-health")
    assert track is not None
    await bot.say(USER, "/lessons", lang="ru")
    await bot.press(USER, track.text_for("ru").title)
    screen = await bot.press(USER, chosen.text_for("ru").title)
    for _ in range(chosen.card_count):
        screen = await bot.press(USER, 1)
    tr = CATALOGS.get("ru")
    think = screen.text

    menu = await bot.say(USER, "помогите пожалуйста", lang="ru")
    assert menu.labels()[0] == tr.gettext(CRISIS_LABEL)
    title = chosen.text_for("ru").title
    assert tr.gettext("Continue: {title}", title=title) in menu.labels()
    thanks = tr.gettext("Thank you for thinking it through. What you wrote stays with you.")
    assert thanks not in bot.api.texts(USER)
    resumed = await bot.press(USER, title, message=menu)
    assert resumed.text == think, "still at THINK!, nothing taken as his answer"


async def test_a_direct_ask_before_a_language_is_chosen(bot: Harness) -> None:
    await bot.say(USER, "/start", lang="ky")
    menu = await bot.say(USER, "жардам бериңиз", lang="ky")
    assert menu.labels()[0] == CATALOGS.get("ky").gettext(CRISIS_LABEL)
    assert ("help_opened", "ask") in await help_events(bot)


async def test_a_direct_ask_with_the_database_down_gets_the_numbers_once(bot: Harness) -> None:
    await start(bot, USER)
    before = len(bot.api.bot_messages(USER))
    await rename_table(bot.settings.database_url, "users", "users_away")
    reply = await bot.say(USER, "help me")
    assert "Emergency numbers:" in reply.text, "from memory, never an apology"
    assert len(bot.api.bot_messages(USER)) == before + 1
    await rename_table(bot.settings.database_url, "users_away", "users")
    await bot.pump()
    assert len(bot.api.bot_messages(USER)) == before + 1, "answered once, not again on recovery"


# --- "Talk to someone" wherever Ura does not understand -----------------------------------


async def test_every_not_understood_reply_offers_talk_to_someone(bot: Harness) -> None:
    await bot.say(USER, "/start")
    replies = [await bot.say(USER, "help me choose a lesson")]  # before a language, too
    await bot.press(USER, "English", message=bot.api.bot_messages(USER)[0])
    replies.append(await bot.say(USER, "🤷‍♂️ ??"))
    replies.append(await bot.say(USER, "/nosuchcommand"))
    replies.append(await bot.say(USER, "x" * 5000))
    for send in (bot.api.user_sticker, bot.api.user_photo, bot.api.user_voice):
        send(USER)
        await bot.pump()
        replies.append(bot.api.last(USER))
    sent = bot.api.user_text(USER, "hello")
    await bot.pump()
    bot.api.user_edit(USER, bot.api.updates_by_id[sent]["message"]["message_id"], "hi")
    await bot.pump()
    replies.append(bot.api.last(USER))
    assert "edited" in replies[-1].text
    for reply in replies:
        assert TALK in reply.labels(), reply.text

    chosen = lesson("fatherhood", 1)
    await open_lesson(bot, USER, chosen)
    pointer = await bot.say(USER, "hmm what now")
    assert chosen.source.title in pointer.text and TALK in pointer.labels()
    menu = await bot.press(USER, "Talk to someone", message=pointer)
    assert menu.labels()[0] == CRISIS_LABEL
    assert f"Continue: {chosen.source.title}" in menu.labels()


async def test_talk_to_someone_on_not_understood_in_every_language(bot: Harness) -> None:
    for index, lang in enumerate(SUPPORTED_LOCALES):
        user, tr = 7400 + index, CATALOGS.get(lang)
        await start(bot, user, lang)
        reply = await bot.say(user, "🤷", lang=lang)
        assert tr.gettext(TALK) in reply.labels(), lang


# --- heavy lessons -----------------------------------------------------------------------


def test_heavy_lessons_are_marked_in_the_source_and_inherited() -> None:
    heavy = {ls.key for t in LESSONS.tracks for ls in t.lessons if ls.heavy}
    assert lesson("mental-health", 6).key in heavy and lesson("anger", 5).key in heavy
    assert lesson("fatherhood", 1).key not in heavy and lesson("equality", 1).key not in heavy


async def test_a_heavy_lesson_ends_by_offering_to_talk(bot: Harness) -> None:
    await start(bot, USER)
    done = await to_the_end(bot, USER, lesson("mental-health", 6))
    assert "You finished" in done.text and HEAVY_LINE in done.text
    assert TALK in done.labels()
    thanked = await bot.press(USER, "Useful", message=done)
    assert HEAVY_LINE in thanked.text, "still there once he answered 'Was this useful?'"

    light = await to_the_end(bot, USER, lesson("fatherhood", 1))
    assert "You finished" in light.text and HEAVY_LINE not in light.text
    assert "stirred" not in light.text


async def test_a_heavy_lesson_in_translation_keeps_its_closing_line(bot: Harness) -> None:
    await start(bot, USER, "ky")
    done = await to_the_end(bot, USER, lesson("fatherhood", 3), "ky")
    tr = CATALOGS.get("ky")
    assert tr.gettext(HEAVY_LINE) in done.text and tr.gettext(HEAVY_LINE) != HEAVY_LINE


# --- groups ------------------------------------------------------------------------------


async def test_groups_never_learn_a_message_was_screened(bot: Harness) -> None:
    group = -100888
    for text in (crisis_text(), crisis_text("ru"), "help", "помогите", "мне плохо"):
        bot.api.user_text(USER, text, chat_id=group, chat_type="supergroup")
    await bot.pump()
    never_sure(bot)
    bot.api.user_text(USER, "everything is a lot", chat_id=group, chat_type="supergroup")
    await bot.pump()
    assert bot.api.bot_messages(group) == [], "no reply at all to a typed message"

    bot.api.user_text(USER, "/help", chat_id=group, chat_type="supergroup")
    await bot.pump()
    (reply,) = bot.api.bot_messages(group)
    assert reply.buttons == [[("Talk privately", "https://t.me/ura_test_bot?start=help")]]
    no_help_content(reply.text)
    assert await scalar(bot.settings.database_url, "SELECT count(*) FROM events") == 0
