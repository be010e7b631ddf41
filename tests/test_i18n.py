"""Catalogs: plural rules, placeholders, fallback chains, locale negotiation."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n.catalogs import Catalogs
from bot.i18n.locales import SUPPORTED_LOCALES, fallback_chain, negotiate

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"{\w+}")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(LOCALE_DIR)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "из 1 урока"), (3, "из 3 уроков"), (5, "из 5 уроков"), (21, "из 21 урока")],
)
def test_russian_plurals(catalogs: Catalogs, n: int, expected: str) -> None:
    tr = catalogs.get("ru")
    text = tr.ngettext(
        "You have finished {done} of {n} lesson.",
        "You have finished {done} of {n} lessons.",
        n,
        done=tr.number(1),
    )
    assert expected in text


def test_english_plurals_and_numbers(catalogs: Catalogs) -> None:
    tr = catalogs.get("en")
    one = tr.ngettext("{done} of {n} lesson done", "{done} of {n} lessons done", 1, done=0)
    many = tr.ngettext("{done} of {n} lesson done", "{done} of {n} lessons done", 1200, done=3)
    assert (one, many) == ("0 of 1 lesson done", "3 of 1,200 lessons done")
    assert catalogs.get("ru").number(1200) == "1\xa0200"


def test_unknown_locale_is_english(catalogs: Catalogs) -> None:
    assert catalogs.get("de").locale == "en"
    assert catalogs.get(None).gettext("All lessons") == "All lessons"


def test_central_asian_locales_fall_back_to_russian(tmp_path: Path) -> None:
    assert fallback_chain("ky") == ("ky", "ru", "en")
    assert fallback_chain("sq") == ("sq", "en")
    # A string missing from the Kyrgyz catalog is read in Russian, not English.
    for locale, text in (("ru", "Все уроки"), ("ky", "")):
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        po = f'msgid ""\nmsgstr ""\n"Language: {locale}\\n"\n\nmsgid "All lessons"\nmsgstr "{text}"\n'
        (folder / "ura.po").write_text(po, encoding="utf-8")
        with (folder / "ura.po").open("rb") as src, (folder / "ura.mo").open("wb") as out:
            write_mo(out, read_po(src))
    assert Catalogs(tmp_path).get("ky").gettext("All lessons") == "Все уроки"


@pytest.mark.parametrize(
    ("code", "locale"),
    [("ru-RU", "ru"), ("sr-Latn", "sr"), ("uz", "uz"), ("de", "en"), (None, "en"), ("", "en")],
)
def test_negotiate(code: str | None, locale: str) -> None:
    assert negotiate(code) == locale


@pytest.mark.parametrize("po", sorted(LOCALE_DIR.glob("*/LC_MESSAGES/ura.po")), ids=str)
def test_translations_keep_placeholders(po: Path) -> None:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in filter(None, strings):
            assert set(PLACEHOLDER.findall(string)) == wanted, (po, ids[0])


def test_every_supported_locale_has_a_translator(catalogs: Catalogs) -> None:
    assert {catalogs.get(loc).locale for loc in SUPPORTED_LOCALES} == set(SUPPORTED_LOCALES)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_locale_formats_plurals_dates_and_numbers(catalogs: Catalogs, locale: str) -> None:
    tr = catalogs.get(locale)
    forms = {
        n: tr.ngettext("{n} quiz question answered.", "{n} quiz questions answered.", n)
        for n in (1, 2, 5, 21)
    }
    assert all(tr.number(n) in text for n, text in forms.items())
    if locale == "ru":  # one, few, many: 1 вопрос, 2 вопроса, 5 вопросов
        assert len({text.replace(tr.number(n), "#") for n, text in forms.items()}) == 3
    if locale in ("ru", "sr"):
        with (LOCALE_DIR / locale / "LC_MESSAGES" / "ura.po").open("rb") as handle:
            assert read_po(handle).num_plurals == 3
    when = tr.date(date(2026, 12, 7))
    assert "2026" in when
    if locale in ("sr", "uz"):  # written in Latin letters, as the rest of their UI
        assert not re.search("[\u0400-\u04ff]", when + tr.gettext("Choose your language:"))
