"""One whole lesson in every locale, through the real Application (SQLite and Postgres)."""

from __future__ import annotations

from pathlib import Path

from bot import paths
from bot.i18n.catalogs import Catalogs
from bot.i18n.locales import LANGUAGE_NAMES, SUPPORTED_LOCALES
from bot.learning.loader import load_catalog
from bot.learning.model import Lesson
from tests.harness import Harness

LESSONS = load_catalog(Path(__file__).resolve().parent.parent / "lessons")
CATALOGS = Catalogs(paths.locale_dir())


def _whole_in(locale: str) -> tuple[str, Lesson]:
    """A track this locale has whole, and its first lesson."""
    track = next(
        t
        for t in LESSONS.tracks
        if locale in t.texts and all(locale in ls.texts for ls in t.lessons)
    )
    return track.texts[locale].title, track.lessons[0]


async def _walk(bot: Harness, user: int, locale: str) -> None:
    tr = CATALOGS.get(locale)
    track_title, lesson = _whole_in(locale)
    text = lesson.texts[locale]
    greeting = await bot.say(user, "/start", lang=locale)
    assert LANGUAGE_NAMES[locale] in greeting.labels()
    await bot.press(user, LANGUAGE_NAMES[locale])
    await bot.press(user, track_title)
    card = await bot.press(user, text.title)
    assert text.cards[0][:40] in card.text, locale
    assert tr.gettext("💬 Talk to someone") in card.labels()
    note = tr.gettext(
        "(This lesson is not in your language yet, so here it is in {language}.)", language=""
    )
    assert note[:20] not in card.text, f"{locale}: shown whole in its own language"
    next_label = tr.gettext("Next ▸")
    for index in range(1, len(text.cards)):
        card = await bot.press(user, next_label)
        assert text.cards[index][:40] in card.text, (locale, index)
    think = await bot.press(user, next_label)
    assert text.think[:30] in think.text
    quiz = await bot.press(user, next_label)
    assert text.question[:30] in quiz.text
    assert quiz.labels()[: len(text.options)] == [o.text for o in text.options]
    right = next(i for i, o in enumerate(text.options, start=1) if o.correct)
    feedback = await bot.press(user, right)
    assert text.options[right - 1].feedback[:30] in feedback.text
    act = await bot.press(user, next_label)
    assert text.act[:30] in act.text
    done = await bot.press(user, tr.gettext("I'll try it ✓"))
    assert tr.gettext("You finished “{title}”. Well done.", title=text.title) in done.text


async def test_one_lesson_in_every_locale(bot: Harness) -> None:
    for offset, locale in enumerate(SUPPORTED_LOCALES):
        await _walk(bot, 7000 + offset, locale)


async def test_missing_lesson_falls_back_whole_along_the_chain(bot: Harness) -> None:
    """A Tajik speaker opening a lesson that has no Tajik text reads it whole in Russian."""
    lesson = next(
        ls for t in LESSONS.tracks for ls in t.lessons if "tg" not in ls.texts and "ru" in ls.texts
    )
    track = LESSONS.track(lesson.track)
    assert track is not None
    user, ru = 7100, lesson.texts["ru"]
    await bot.say(user, "/start", lang="tg")
    await bot.press(user, LANGUAGE_NAMES["tg"])
    await bot.press(user, track.text_for("tg").title)
    card = await bot.press(user, ru.title)
    assert ru.cards[0][:40] in card.text
    assert LANGUAGE_NAMES["ru"] in card.text.splitlines()[1], "a one-line note names the language"
    for _ in ru.cards:
        card = await bot.press(user, 1)
    assert ru.think[:30] in card.text, "still Russian after the cards: never mixed"


async def test_command_menu_and_description_in_every_language(bot: Harness) -> None:
    for method in ("setMyCommands", "setMyDescription", "setMyShortDescription"):
        calls = bot.api.calls_to(method)
        assert {c.get("language_code") for c in calls} == {None} | set(SUPPORTED_LOCALES[1:])
    by_language = {c.get("language_code"): c for c in bot.api.calls_to("setMyDescription")}
    for locale in SUPPORTED_LOCALES[1:]:
        description = by_language[locale]["description"]
        assert description != by_language[None]["description"], f"{locale} is translated"
        assert len(description) <= 512
    for call in bot.api.calls_to("setMyShortDescription"):
        assert len(call["short_description"]) <= 120
