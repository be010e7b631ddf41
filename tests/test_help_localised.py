"""Directory texts in the learner's language, through the real Application: service names,
descriptions and hours in Serbian, Albanian, Kyrgyz, Uzbek and Tajik, never English there,
and never Cyrillic for a learner who reads Uzbek in Latin letters."""

from __future__ import annotations

import re

import pytest

from bot.help.categories import CRISIS
from bot.help.directory import Service
from bot.i18n.locales import LANGUAGE_NAMES
from bot.views.help import CATEGORY_LABELS
from tests.harness import Harness
from tests.test_help import CATALOGS, DIRECTORY, crisis_text, start

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# (language, country, a help category that country has a service for)
CASES = [
    ("sr", "rs", "support"),
    ("sq", "al", "support"),
    ("ky", "kg", "support"),
    ("uz", "uz", "violence_victim"),
    ("tg", "tj", "violence_victim"),
]


def localised(text: str, services: tuple[Service, ...], lang: str) -> None:
    """Each service by its name in `lang` (a text the file has in that language), and no
    service of that country by its English name where the two differ."""
    for service in services:
        assert lang in service.names, service.key
        assert service.name_for(lang) in text, (lang, service.key)
        assert service.about_for(lang) == service.about[lang]
    for service in DIRECTORY.country(services[0].country).services:  # type: ignore[union-attr]
        english = service.names["en"]
        if english != service.names[lang]:
            assert english not in text, (lang, service.key, english)


async def answers(bot: Harness, user: int, lang: str, code: str, category: str) -> list[str]:
    """The crisis answer once he named his country, and the services list for `category`."""
    tr = CATALOGS.get(lang)
    await start(bot, user, lang)
    reply = await bot.say(user, crisis_text(lang), lang=lang)
    assert tr.gettext("Emergency numbers:") in reply.text
    country = DIRECTORY.country(code)
    assert country is not None
    crisis = await bot.press(user, country.name_for(lang), message=reply)
    menu = await bot.say(user, "/help", lang=lang)
    listed = await bot.press(user, tr.gettext(CATEGORY_LABELS[category]), message=menu)
    return [crisis.text, listed.text]


@pytest.mark.parametrize(("lang", "code", "category"), CASES)
async def test_crisis_answer_and_services_are_in_the_learners_language(
    bot: Harness, lang: str, code: str, category: str
) -> None:
    crisis, listed = await answers(bot, 8100, lang, code, category)
    emergency = DIRECTORY.emergency(code)
    localised(crisis, emergency, lang)
    localised(crisis, DIRECTORY.services_for(code, CRISIS) or emergency, lang)
    services = DIRECTORY.services_for(code, category)
    assert services, (code, category)
    localised(listed, services, lang)
    for service in services:
        assert service.about_for(lang) in listed
        if hours := service.hours_for(lang):
            assert hours in listed


async def test_an_uzbek_learner_reads_no_cyrillic(bot: Harness) -> None:
    crisis, listed = await answers(bot, 8200, "uz", "uz", "violence_victim")
    for text in (crisis, listed):
        # The languages a service answers in are named in their own words ("Русский");
        # everything else is in Latin letters.
        for own_name in LANGUAGE_NAMES.values():
            text = text.replace(own_name, "")
        assert not CYRILLIC.search(text), text
    for service in DIRECTORY.country("uz").services:  # type: ignore[union-attr]
        assert not CYRILLIC.search(service.name_for("uz") + service.about_for("uz"))


def test_uzbek_falls_back_to_english_not_russian() -> None:
    """A country without Uzbek texts: English, never the Russian the lesson chain tries."""
    kg = DIRECTORY.country("kg")
    assert kg is not None
    trust = next(s for s in kg.services if s.key == "kg-trust-111")
    assert "uz" not in trust.names and "uz" not in trust.about
    assert trust.name_for("uz") == trust.names["en"]
    assert trust.about_for("uz") == trust.about["en"]
    assert trust.name_for("ky") == trust.names["ky"]
    assert trust.name_for("kk") == trust.names["ru"]  # same script: Kazakh reads Russian
    assert trust.hours_for("uz") == "24/7"
