"""Lesson checks a reviewer would make: no contacts in a lesson, one script per menu, unique
ids (naming both files), and a translation's quiz keeps its correct option."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.learning.lint import second_script
from tests.test_content import edit, errors_for, first_lesson


@pytest.mark.parametrize(
    "inserted",
    ["Call 044 123 456 if it gets bad.", "Write to +383 38 123 4567.", "See https://example.org"],
)
def test_a_phone_number_or_link_in_a_lesson_is_refused(lessons: Path, inserted: str) -> None:
    path = first_lesson(lessons, "sq")
    line = edit(path, "cards:\n  - |-\n    ", f"cards:\n  - |-\n    {inserted} ")
    [error] = errors_for(lessons)
    assert (error.path, error.field) == (path, "cards[0]")
    assert line <= error.line <= line + 2
    assert "referral directory" in error.message


def test_numbers_that_are_not_phones_pass(lessons: Path) -> None:
    path = first_lesson(lessons)
    edit(
        path,
        "cards:\n  - |-\n    ",
        "cards:\n  - |-\n    In 2019, 1,000,000 men; 40 euros at 3 a.m. ",
    )
    from bot.learning.loader import load_catalog

    assert load_catalog(lessons).track("fatherhood") is not None


def test_a_second_script_in_a_menu_label_is_refused(lessons: Path) -> None:
    path = first_lesson(lessons, "uz")
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    line = edit(path, title, title + " Папа")
    [error] = errors_for(lessons)
    assert (error.path, error.line, error.field) == (path, line, "title")
    assert "Cyrillic letters in a 'uz' menu label" in error.message


def test_scripts_per_language() -> None:
    assert second_script("Злость и стресс", "ru") is None
    assert second_script("Злость и stress", "ru") == "Latin"
    assert second_script("Gʻazab va stress", "uz") is None
    assert second_script("Bes i стрес", "sr") == "both Latin and Cyrillic"
    assert second_script("Бес и стрес", "sr") is None


def test_a_duplicate_lesson_id_names_both_files(lessons: Path) -> None:
    first = first_lesson(lessons, "ky")
    copy = first.with_name("07-copy.ky.yaml")
    copy.write_text(first.read_text(encoding="utf-8").replace("order: 1", "order: 7"), "utf-8")
    messages = [e for e in errors_for(lessons) if e.field == "id"]
    assert any(e.path == copy and str(first) in e.message for e in messages), messages


def test_a_translation_whose_quiz_has_another_correct_option_is_refused(lessons: Path) -> None:
    path = first_lesson(lessons, "tg")
    text = path.read_text(encoding="utf-8")
    options = text[text.index("options:") :]
    swapped = options.replace("correct: true", "", 1).replace(
        "feedback:", "correct: true\n      feedback:", 2
    )
    path.write_text(text[: text.index("options:")] + swapped, encoding="utf-8")
    errors = errors_for(lessons)
    assert any(e.path == path and e.field == "quiz.options" for e in errors), errors
