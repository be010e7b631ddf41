"""Translation coverage and catalog checks: what translators and CI look at.

UI strings are counted from the gettext catalogs: a string is *drafted* when it has a
translation and *reviewed* when that translation is not marked `fuzzy` (the flag Poedit,
Weblate and Lokalize show as "needs review"). Lessons are counted from the lesson files the
same way, with `status: draft | reviewed`. English is the source and counts as reviewed.
"""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.content.model import Catalog
from bot.i18n import DOMAIN, LOCALE_DIR
from bot.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES


@dataclass(frozen=True)
class LocaleCoverage:
    """Shares from 0 to 1 for one locale, and how many tracks it has whole."""

    ui: float
    ui_reviewed: float
    lessons: float
    lessons_reviewed: float
    complete_tracks: int


@dataclass(frozen=True)
class Coverage:
    """Every locale's coverage of the UI and of the curriculum."""

    tracks: int
    lessons: int
    locales: dict[str, LocaleCoverage]

    def as_json(self) -> dict[str, object]:
        """The shape `ura i18n coverage --json` prints."""
        return {
            "tracks": self.tracks,
            "lessons": self.lessons,
            "locales": {loc: asdict(cov) for loc, cov in self.locales.items()},
        }


def _read(path: Path) -> PoCatalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple of texts (one per plural form)."""
    items = value if isinstance(value, tuple | list) else (value,)
    return tuple(item if isinstance(item, str) else "" for item in items)


def _ids(message: Message) -> tuple[str, ...]:
    return _texts(message.id)


def _strings(message: Message) -> tuple[str, ...]:
    return _texts(message.string)


def _translated(message: Message) -> bool:
    return all(_strings(message))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def ui_shares(locale: str, locale_dir: Path = LOCALE_DIR) -> tuple[float, float]:
    """(drafted, reviewed) shares of the template's strings in one locale's catalog."""
    template = _read(locale_dir / f"{DOMAIN}.pot")
    wanted = {_ids(m) for m in template if m.id}
    if locale == DEFAULT_LOCALE:
        return 1.0, 1.0
    path = locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return 0.0, 0.0
    catalog = _read(path)
    done = [m for m in catalog if m.id and _ids(m) in wanted and _translated(m)]
    reviewed = [m for m in done if not m.fuzzy]
    return _share(len(done), len(wanted)), _share(len(reviewed), len(wanted))


def measure(catalog: Catalog, locale_dir: Path = LOCALE_DIR) -> Coverage:
    """Coverage of the UI catalogs and of the lesson catalog, per supported locale."""
    lessons = [lesson for track in catalog.tracks for lesson in track.lessons]
    locales: dict[str, LocaleCoverage] = {}
    for locale in SUPPORTED_LOCALES:
        texts = [lesson.texts[locale] for lesson in lessons if locale in lesson.texts]
        complete = sum(
            1
            for track in catalog.tracks
            if locale in track.texts and all(locale in ls.texts for ls in track.lessons)
        )
        ui, ui_reviewed = ui_shares(locale, locale_dir)
        locales[locale] = LocaleCoverage(
            ui=ui,
            ui_reviewed=ui_reviewed,
            lessons=_share(len(texts), len(lessons)),
            lessons_reviewed=_share(sum(t.status == "reviewed" for t in texts), len(lessons)),
            complete_tracks=complete,
        )
    return Coverage(tracks=len(catalog.tracks), lessons=len(lessons), locales=locales)


def _fields(text: str) -> set[str]:
    """The named `{placeholders}` of a str.format template."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:  # an unbalanced brace: str.format would fail at run time
        return {f"<broken: {exc}>"}


def placeholder_errors(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Every translation whose placeholders differ from its msgid's: `file:line: problem`.

    A translator who renames `{title}` would make `str.format` raise for every user of that
    language, so CI fails on it instead.
    """
    errors: list[str] = []
    for path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        for message in _read(path):
            if not message.id:
                continue
            expected = set().union(*(_fields(i) for i in _ids(message)))
            for form, text in enumerate(_strings(message)):
                if text and _fields(text) != expected:
                    where = f"[{form}]" if message.pluralizable else ""
                    errors.append(
                        f"{path}:{message.lineno}: msgstr{where} has "
                        f"{sorted(_fields(text))}, msgid has {sorted(expected)}"
                    )
    return errors
