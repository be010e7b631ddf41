"""Lesson files: the real curriculum loads; broken files are named by file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.files import ContentError, ContentInvalid
from bot.learning.loader import load_catalog

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def test_curriculum_is_valid() -> None:
    catalog = load_catalog(LESSONS)
    track = catalog.track("fatherhood")
    assert track is not None and len(track.lessons) >= 3
    for lesson in track.lessons:
        assert {"en", "ru"} <= set(lesson.texts)
        assert all(len(card) <= 600 for text in lesson.texts.values() for card in text.cards)


def errors_for(root: Path) -> list[ContentError]:
    with pytest.raises(ContentInvalid) as caught:
        load_catalog(root)
    return list(caught.value.errors)


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def first_lesson(root: Path, locale: str = "en") -> Path:
    return sorted((root / "fatherhood").glob(f"01-*.{locale}.yaml"))[0]


def test_missing_quiz_answer(lessons: Path) -> None:
    path = first_lesson(lessons)
    line = edit(path, "correct: true", "correct: false")
    [error] = errors_for(lessons)
    assert (error.path, error.field) == (path, "quiz.options")
    assert "exactly one option" in error.message
    assert error.line < line  # points at the options list that lacks an answer


def test_missing_feedback(lessons: Path) -> None:
    path = first_lesson(lessons)
    line = edit(path, "feedback:", "feedbak:")
    errors = errors_for(lessons)
    fields = {(e.field, e.line) for e in errors if e.path == path}
    assert any(f.endswith("feedbak") and ln == line for f, ln in fields)
    assert any(f.endswith(".feedback") for f, _ in fields)


def test_over_long_card(lessons: Path) -> None:
    path = first_lesson(lessons)
    text = path.read_text(encoding="utf-8")
    start = text.index("cards:\n  - ") + len("cards:\n")
    line = text[:start].count("\n") + 1
    path.write_text(text[:start] + f"  - {'word ' * 150}\n" + text[start:], encoding="utf-8")
    errors = errors_for(lessons)
    card = next(e for e in errors if e.field == "cards[0]")
    assert (card.path, card.line) == (path, line)
    assert "600" in card.message


def test_unknown_track(lessons: Path) -> None:
    path = first_lesson(lessons)
    line = edit(path, "track: fatherhood", "track: fatherhod")
    [error] = errors_for(lessons)
    assert (error.path, error.line, error.field) == (path, line, "track")
    assert "unknown track" in error.message


def test_unknown_locale(lessons: Path) -> None:
    source = first_lesson(lessons)
    bad = source.with_name(source.name.replace(".en.", ".xx."))
    shutil.copy(source, bad)
    [error] = errors_for(lessons)
    assert (error.path, error.line, error.field) == (bad, 1, "locale")


def test_translation_with_different_structure(lessons: Path) -> None:
    path = first_lesson(lessons, "ru")
    text = path.read_text(encoding="utf-8")
    # Drop the last card of the Russian file: the English source has one more.
    cards_end = text.index("think:")
    last_card = text.rindex("\n  - ", 0, cards_end)
    path.write_text(text[:last_card] + "\n" + text[cards_end:], encoding="utf-8")
    [error] = errors_for(lessons)
    assert (error.path, error.field) == (path, "cards")
    assert error.line == text[: text.index("cards:")].count("\n") + 1
    assert "English source" in error.message


def test_yaml_syntax_error(lessons: Path) -> None:
    path = first_lesson(lessons)
    line = edit(path, "title: ", "title: [unclosed ")
    [error] = errors_for(lessons)
    assert error.path == path and error.field == "(yaml)" and error.line >= line


def test_unknown_tag_and_bad_id(lessons: Path) -> None:
    path = first_lesson(lessons)
    id_line = edit(path, "id: dad-leave", "id: Dad Leave!")
    errors = {(e.field, e.line) for e in errors_for(lessons)}
    assert ("id", id_line) in errors


def test_error_text_is_file_line_field(lessons: Path) -> None:
    path = first_lesson(lessons)
    line = edit(path, "track: fatherhood", "track: nope")
    [error] = errors_for(lessons)
    assert str(error).startswith(f"{path}:{line}: track: ")


def test_heavy_is_inherited_and_a_translation_cannot_change_it(lessons: Path) -> None:
    heavy = sorted((lessons / "fatherhood").glob("03-*.en.yaml"))[0]
    assert "heavy: true" in heavy.read_text(encoding="utf-8")
    catalog = load_catalog(lessons)
    track = catalog.track("fatherhood")
    assert track is not None
    assert [ls.heavy for ls in track.lessons][:3] == [False, False, True]  # ru etc. inherit
    translation = heavy.with_name(heavy.name.replace(".en.", ".ru."))
    line = edit(translation, "tags:", "heavy: false\ntags:")
    [error] = errors_for(lessons)
    assert (error.path, error.line, error.field) == (translation, line, "heavy")
    assert "English source" in error.message
