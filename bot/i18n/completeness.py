"""Translation coverage and catalog checks: what translators and CI look at.

UI strings are counted from the gettext catalogs: a string is *drafted* when it has a
translation and *reviewed* when that translation is not marked `fuzzy` (the flag Poedit,
Weblate and Lokalize show as "needs review"). Lessons are counted from the lesson files the
same way, with `status: draft | reviewed`. English is the source and counts as reviewed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.i18n.catalogs import DOMAIN
from bot.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from bot.learning.model import Catalog


@dataclass(frozen=True)
class LocaleCompleteness:
    """Shares from 0 to 1 for one locale, and how many tracks it has whole."""

    ui: float
    ui_reviewed: float
    lessons: float
    lessons_reviewed: float
    complete_tracks: int


@dataclass(frozen=True)
class Completeness:
    """Every locale's coverage of the UI and of the curriculum."""

    tracks: int
    lessons: int
    locales: dict[str, LocaleCompleteness]

    def as_json(self) -> dict[str, object]:
        """The shape `ura i18n coverage --json` prints."""
        return {
            "tracks": self.tracks,
            "lessons": self.lessons,
            "locales": {loc: asdict(cov) for loc, cov in self.locales.items()},
        }


def read_catalog(path: Path) -> PoCatalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple of texts (one per plural form)."""
    items = value if isinstance(value, tuple | list) else (value,)
    return tuple(item if isinstance(item, str) else "" for item in items)


def msgids(message: Message) -> tuple[str, ...]:
    return _texts(message.id)


def msgstrs(message: Message) -> tuple[str, ...]:
    return _texts(message.string)


def _translated(message: Message) -> bool:
    return all(msgstrs(message))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def ui_shares(locale: str, locale_dir: Path) -> tuple[float, float]:
    """(drafted, reviewed) shares of the template's strings in one locale's catalog."""
    template = read_catalog(locale_dir / f"{DOMAIN}.pot")
    wanted = {msgids(m) for m in template if m.id}
    if locale == DEFAULT_LOCALE:
        return 1.0, 1.0
    path = locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return 0.0, 0.0
    catalog = read_catalog(path)
    done = [m for m in catalog if m.id and msgids(m) in wanted and _translated(m)]
    reviewed = [m for m in done if not m.fuzzy]
    return _share(len(done), len(wanted)), _share(len(reviewed), len(wanted))


def measure(
    catalog: Catalog,
    locale_dir: Path,
    reviewed: frozenset[tuple[str, str]] = frozenset(),
) -> Completeness:
    """Completeness of the UI catalogs and of the lesson catalog, per supported locale. A
    lesson language counts as reviewed when its file says so or when `reviewed` holds
    (lesson key, locale): a native speaker marked the current version in the bot."""
    lessons = [lesson for track in catalog.tracks for lesson in track.lessons]
    locales: dict[str, LocaleCompleteness] = {}
    for locale in SUPPORTED_LOCALES:
        texts = [lesson.texts[locale] for lesson in lessons if locale in lesson.texts]
        marked = sum(
            1
            for lesson in lessons
            if locale in lesson.texts
            and lesson.texts[locale].status != "reviewed"
            and (lesson.key, locale) in reviewed
        )
        complete = sum(
            1
            for track in catalog.tracks
            if locale in track.texts and all(locale in ls.texts for ls in track.lessons)
        )
        ui, ui_reviewed = ui_shares(locale, locale_dir)
        locales[locale] = LocaleCompleteness(
            ui=ui,
            ui_reviewed=ui_reviewed,
            lessons=_share(len(texts), len(lessons)),
            lessons_reviewed=_share(
                sum(t.status == "reviewed" for t in texts) + marked, len(lessons)
            ),
            complete_tracks=complete,
        )
    return Completeness(tracks=len(catalog.tracks), lessons=len(lessons), locales=locales)
