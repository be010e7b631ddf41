"""One whole lesson in every locale, through the real Application (SQLite and Postgres)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import paths
from bot.deps import Content
from bot.i18n.catalogs import Catalogs
from bot.i18n.locales import LANGUAGE_NAMES, SUPPORTED_LOCALES
from bot.learning.lint import second_script
from bot.learning.loader import load_catalog
from bot.learning.model import Lesson
from tests.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
LESSONS = load_catalog(ROOT / "lessons")
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


@pytest.fixture
async def partly_translated(
    database_url: str, content: Content, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The curriculum with the second fatherhood lesson missing in Tajik and Uzbek."""
    root = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", root, ignore=shutil.ignore_patterns("*.md"))
    for locale in ("tg", "uz"):
        next((root / "fatherhood").glob(f"02-*.{locale}.yaml")).unlink()
    harness = Harness(database_url, lessons_dir=root, content=content)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_missing_lesson_falls_back_whole_and_menus_say_so(
    partly_translated: Harness,
) -> None:
    """A Tajik or Uzbek speaker sees, in his own words and script, that lesson 2 is not in his
    language yet; opened, it reads whole in Russian."""
    bot, track = partly_translated, LESSONS.track("fatherhood")
    assert track is not None
    ru = track.lessons[1].texts["ru"]
    for user, locale in ((7100, "tg"), (7101, "uz")):
        tr = CATALOGS.get(locale)
        await bot.say(user, "/start", lang=locale)
        await bot.press(user, LANGUAGE_NAMES[locale])
        menu = await bot.press(user, track.texts[locale].title)
        label = tr.gettext(
            "Lesson {number}, not translated yet ({where})",
            number=2,
            where=tr.gettext("in Russian"),
        )
        assert label in menu.labels(), menu.labels()
        assert all(second_script(shown, locale) is None for shown in menu.labels())
        card = await bot.press(user, label)
        assert ru.cards[0][:40] in card.text
        assert LANGUAGE_NAMES["ru"] in card.text.splitlines()[1], "a one-line note names it"
        for _ in ru.cards:
            card = await bot.press(user, 1)
        assert ru.think[:30] in card.text, "still Russian after the cards: never mixed"


async def test_menus_never_show_a_second_script(bot: Harness) -> None:
    """Every topic, lesson button and progress line, in every language, in its own script."""
    for offset, locale in enumerate(SUPPORTED_LOCALES):
        user = 7200 + offset
        await bot.say(user, "/start", lang=locale)
        topics = await bot.press(user, LANGUAGE_NAMES[locale])
        shown = [*topics.labels(), *topics.text.splitlines()]
        for track in LESSONS.tracks:
            menu = await bot.press(user, track.text_for(locale).title)
            shown += [*menu.labels(), menu.text.splitlines()[0]]
            await bot.press(user, CATALOGS.get(locale).gettext("All lessons"))
        shown += (await bot.say(user, "/progress", lang=locale)).text.splitlines()
        mixed = [line for line in shown if second_script(line, locale)]
        if locale != "en":  # the language picker names every language in its own script
            mixed = [line for line in mixed if line not in LANGUAGE_NAMES.values()]
        assert mixed == [], (locale, mixed)


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
