"""Help where these young men actually are, through the real Application: the countries they
work and study in (Russia, Bosnia and Herzegovina, Montenegro, Türkiye, Germany), the
international options for "another country", and those options offered where a country has
no checked service for a need, instead of nothing."""

from __future__ import annotations

from bot.help.categories import CRISIS
from bot.views.help import CATEGORY_LABELS
from tests.harness import Harness
from tests.test_help import CATALOGS, DIRECTORY, crisis_text, start

NEW = ("ru", "ba", "me", "tr", "de")


async def ask(bot: Harness, user: int, category: str, country: str, lang: str) -> str:
    """/help → a need → (the one-time country question) → the services shown."""
    tr = CATALOGS.get(lang)
    menu = await bot.say(user, "/help", lang=lang)
    shown = await bot.press(user, tr.gettext(CATEGORY_LABELS[category]), message=menu)
    names = DIRECTORY.country(country)
    assert names is not None
    label = (
        tr.gettext("Another country, or rather not say")
        if country == "zz"
        else names.name_for(lang)
    )
    if label in shown.labels():
        shown = await bot.press(user, label, message=shown)
    return shown.text


async def test_each_new_country_answers_a_crisis_with_its_own_numbers(bot: Harness) -> None:
    for offset, code in enumerate(NEW):
        user = 7300 + offset
        await start(bot, user, "ru")
        reply = await bot.say(user, crisis_text("ru"), lang="ru")
        country = DIRECTORY.country(code)
        assert country is not None
        shown = await bot.press(user, country.name_for("ru"), message=reply)
        for service in DIRECTORY.emergency(code):
            assert service.phone and service.phone in shown.text, (code, service.key)
        crisis_lines = DIRECTORY.services_for(code, CRISIS)
        for service in crisis_lines:
            assert service.phone is None or service.phone in shown.text, (code, service.key)
    # Bosnia and Herzegovina has no working 112: its answer must not send him there.
    bosnia = await ask(bot, 7301, "violence_victim", "ba", "ru")
    assert "122" in bosnia and "112" not in bosnia


async def test_another_country_gets_international_options_not_nothing(bot: Harness) -> None:
    await start(bot, 7310, "sq")
    text = await ask(bot, 7310, "mental_health", "zz", "sq")
    for service in DIRECTORY.services_for("zz", "mental_health"):
        assert service.name_for("sq") in text and service.website and service.website in text
    assert "112" in text  # emergency numbers close every answer


async def test_a_need_without_a_local_service_offers_the_international_ones(
    bot: Harness,
) -> None:
    assert not DIRECTORY.services_for("tj", "mental_health")  # the gap this test is about
    await start(bot, 7320, "tg")
    text = await ask(bot, 7320, "mental_health", "tj", "tg")
    tr = CATALOGS.get("tg")
    assert tr.gettext("These work from anywhere:") in text
    for service in DIRECTORY.services_for("zz", "mental_health"):
        assert service.name_for("tg") in text
    for service in DIRECTORY.emergency("tj"):
        assert service.phone and service.phone in text
    # A need his country does cover shows only his country's services.
    covered = await ask(bot, 7320, "violence_victim", "tj", "tg")
    assert tr.gettext("These work from anywhere:") not in covered


def test_his_language_s_countries_come_first() -> None:
    """A Kyrgyz speaker finds Kyrgyzstan first, then where many work; "Another country" stays
    last; English keeps the directory's order."""
    from bot.help.directory_schema import COUNTRIES, likely_first

    assert likely_first(COUNTRIES, "ky")[:3] == ["kg", "ru", "kz"]
    assert likely_first(COUNTRIES, "tg")[:2] == ["tj", "ru"]
    assert likely_first(COUNTRIES, "ky")[-1] == "zz" == likely_first(COUNTRIES, "sq")[-1]
    assert likely_first(COUNTRIES, "en") == list(COUNTRIES)
    assert sorted(likely_first(COUNTRIES, "uz")) == sorted(COUNTRIES)
