"""Directory texts per language: the loader names every missing or misplaced one by file,
line and field; the reader's text is picked without switching script."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.help.directory import load_directory
from bot.help.directory_texts import directory_chain, is_neutral, pick_text, required_locales
from bot.i18n.locales import SUPPORTED_LOCALES
from tests.test_directory import REAL, TODAY, edit, errors, line_of


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the real directory, to break one thing at a time."""
    target = tmp_path / "directory"
    shutil.copytree(REAL, target)
    return target


def test_every_real_service_has_its_countrys_languages() -> None:
    for country in load_directory(REAL, today=TODAY).countries:
        for service in country.services:
            for code in required_locales(country.code):
                assert code in service.names and code in service.about, (service.key, code)


def test_every_emergency_line_is_labelled_in_every_ui_language() -> None:
    """He may be anywhere: "Police 192" is read in his language wherever he is, never in
    English or another script."""
    for country in load_directory(REAL, today=TODAY).countries:
        for service in country.services:
            if service.emergency:
                for code in SUPPORTED_LOCALES:
                    assert code in service.names, (service.key, code)


def test_a_missing_name_in_a_ui_language(copy: Path) -> None:
    path = copy / "kg.yaml"
    text = edit(path, "      ky: Милиция 102\n", "")
    [found] = errors(copy)
    line = line_of(text, "id: kg-police-102") + 1
    assert found == f'{path}:{line}: services[1].name: no "ky" text'


def test_a_missing_about_and_name_in_each_language(copy: Path) -> None:
    path = copy / "xk.yaml"
    edit(path, "      sr: Hitna medicinska pomoć.\n", "")
    edit(path, "      sq: Ndihma e shpejtë 194\n", "")
    found = errors(copy)
    assert [f.split(": ", 1)[1] for f in found] == [
        'services[2].name: no "sq" text',
        'services[2].about: no "sr" text',
    ]


def test_a_missing_russian_text_in_central_asia(copy: Path) -> None:
    path = copy / "tj.yaml"
    edit(path, "      ru: Скорая помощь 103\n", "")
    [found] = errors(copy)
    assert found.startswith(f"{path}:") and found.endswith('services[2].name: no "ru" text')


def test_a_name_must_be_written_per_language(copy: Path) -> None:
    path = copy / "al.yaml"
    text = edit(
        path, "    name:\n      en: Aksion Plus\n      sq: Aksion Plus\n", "    name: Aksion Plus\n"
    )
    [found] = errors(copy)
    assert found.startswith(f"{path}:{line_of(text, 'name: Aksion Plus')}: services[6].name: ")
    assert "write the name in each language" in found


def test_hours_with_words_need_each_language(copy: Path) -> None:
    path = copy / "rs.yaml"
    text = edit(
        path,
        "    hours:\n      en: every day 14:00–23:00\n      sr: svaki dan 14:00–23:00\n",
        '    hours: "every day 14:00–23:00"\n',
    )
    [found] = errors(copy)
    line = line_of(text, 'hours: "every')
    assert found.startswith(f"{path}:{line}: services[3].hours: ")
    assert "has words in it" in found


def test_hours_in_english_only_are_refused_where_serbian_is_read(copy: Path) -> None:
    path = copy / "rs.yaml"
    edit(path, "      sr: svaki dan 14:00–23:00\n", "")
    [found] = errors(copy)
    assert found.endswith('services[3].hours: no "sr" text')


def test_neutral_hours_may_be_one_text(copy: Path) -> None:
    path = copy / "xk.yaml"
    edit(path, 'hours: "18:00–22:00"', "hours: {en: '18:00–22:00'}")
    assert load_directory(copy, today=TODAY)


def test_an_unknown_language_key(copy: Path) -> None:
    path = copy / "uz.yaml"
    edit(path, "      uz: Politsiya 102\n", "      uz: Politsiya 102\n      oz: Politsiya 102\n")
    [found] = errors(copy)
    assert "services[1].name: " in found and "unknown locale(s) ['oz']" in found


@pytest.mark.parametrize(
    ("locale", "chain"),
    [
        ("uz", ("uz", "en")),  # Latin Uzbek never falls back to Cyrillic Russian
        ("ky", ("ky", "ru", "en")),
        ("tg", ("tg", "ru", "en")),
        ("sr", ("sr", "en")),
        ("ru", ("ru", "en")),
        ("en", ("en",)),
    ],
)
def test_directory_chain_keeps_the_script(locale: str, chain: tuple[str, ...]) -> None:
    assert directory_chain(locale) == chain


def test_pick_and_neutral() -> None:
    texts = {"en": "Police 102", "ru": "Полиция 102"}
    assert pick_text(texts, "uz") == "Police 102"
    assert pick_text(texts, "kk") == "Полиция 102"
    assert is_neutral("24/7") and is_neutral("0–24") and not is_neutral("Mon–Fri 09:00")
