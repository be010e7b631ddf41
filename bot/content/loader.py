"""Read `lessons/` into a `Catalog`, collecting every error with its file, line and field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.model import Catalog, Lesson, LessonText, QuizOption, Track, TrackText
from bot.content.schema import LessonFile, TrackFile
from bot.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES

LESSON_NAME = re.compile(r"^(?P<stem>\d{2}-[a-z0-9-]+)\.(?P<locale>[a-zA-Z_-]+)\.yaml$")
TRACK_NAME = re.compile(r"^track\.(?P<locale>[a-zA-Z_-]+)\.yaml$")

M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader where it is installed (several times faster), the pure one otherwise.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ContentError:
    """One problem in one file, located well enough for a moderator to fix it."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentInvalid(Exception):
    """Raised with every error found, so a moderator fixes them all in one pass."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = tuple(errors)


def _format_loc(loc: Sequence[str | int]) -> str:
    """('quiz', 'options', 1, 'feedback') → 'quiz.options[1].feedback'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int:
    """The 1-based line of the deepest YAML node on the path (the parent when a key is missing)."""
    line = (node.start_mark.line + 1) if node is not None else 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                return line
            key_node = next(k for k, v in node.value if k.value == part)
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            child = node.value[part]
            line = child.start_mark.line + 1
        else:
            return line
        node = child
    return line


@dataclass
class _Parsed:
    """A parsed file: its validated model and its YAML node tree (for line numbers)."""

    path: Path
    locale: str
    node: yaml.Node | None


class YamlReader:
    """Parses files one by one, recording errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []

    def error(self, path: Path, node: yaml.Node | None, loc: Sequence[str | int], msg: str) -> None:
        self.errors.append(ContentError(path, line_of(node, loc), _format_loc(loc), msg))

    def file_error(self, path: Path, field: str, msg: str) -> None:
        """A problem with a file as a whole (its name, or a file that is missing): line 1."""
        self.errors.append(ContentError(path, 1, field, msg))

    def parse(self, path: Path, model: type[M]) -> tuple[M, yaml.Node] | None:
        """Validate one YAML file against `model`; None (with errors recorded) if it is bad."""
        try:
            loader = _LOADER(path.read_text(encoding="utf-8"))
            try:  # parse once: the node tree gives line numbers, the data comes from it
                node = loader.get_single_node()
                data: Any = None if node is None else loader.construct_document(node)
            finally:
                loader.dispose()
        except UnicodeDecodeError as exc:
            self.file_error(path, "(file)", f"not UTF-8: {exc.reason}")
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            self.errors.append(ContentError(path, line, "(yaml)", str(exc.problem or exc)))
            return None
        if not isinstance(data, dict) or node is None:
            self.file_error(path, "(file)", "expected a mapping of fields")
            return None
        try:
            return model.model_validate(data), node
        except ValidationError as exc:
            for err in exc.errors():
                loc = [p for p in err["loc"] if isinstance(p, str | int)]
                self.error(path, node, loc, err["msg"])
            return None


def _check_locale(reader: YamlReader, path: Path, locale: str) -> bool:
    if locale in SUPPORTED_LOCALES:
        return True
    reader.file_error(path, "locale", f"unknown locale {locale!r}; use one of {SUPPORTED_LOCALES}")
    return False


def _lesson_text(locale: str, f: LessonFile) -> LessonText:
    return LessonText(
        locale=locale,
        status=f.status,
        title=f.title,
        cards=tuple(f.cards),
        think=f.think,
        question=f.quiz.question,
        options=tuple(QuizOption(o.text, o.correct, o.feedback) for o in f.quiz.options),
        act=f.act,
    )


def _structure(f: LessonFile) -> dict[str, object]:
    """What a translation must keep from its source: everything but the texts and status."""
    return {
        "id": f.id,
        "track": f.track,
        "order": f.order,
        "cards": len(f.cards),
        "quiz.options": len(f.quiz.options),
        "quiz.correct": [o.correct for o in f.quiz.options],
        "tags": sorted(f.tags),
    }


def _check_translation(
    reader: YamlReader, path: Path, node: yaml.Node, f: LessonFile, source: LessonFile
) -> None:
    mine, theirs = _structure(f), _structure(source)
    for key, value in mine.items():
        if value != theirs[key]:
            loc = ["quiz", "options"] if key.startswith("quiz.") else [key]
            reader.error(
                path, node, loc, f"differs from the English source: {value!r} != {theirs[key]!r}"
            )


def _load_track(reader: YamlReader, folder: Path) -> Track | None:
    """One track folder: its track files and lesson files in every locale."""
    track_texts: dict[str, TrackText] = {}
    order = 0
    for path in sorted(folder.glob("track.*.yaml")):
        match = TRACK_NAME.match(path.name)
        if not match or not _check_locale(reader, path, match["locale"]):
            continue
        parsed_track = reader.parse(path, TrackFile)
        if parsed_track is None:
            continue
        tf, tnode = parsed_track
        if tf.id != folder.name:
            reader.error(path, tnode, ["id"], f"must be the folder name {folder.name!r}")
        order = tf.order if match["locale"] == DEFAULT_LOCALE else order
        track_texts[match["locale"]] = TrackText(
            match["locale"], tf.status, tf.title, tf.description
        )

    by_stem: dict[str, dict[str, tuple[LessonFile, yaml.Node, Path]]] = {}
    sources: set[str] = set()  # stems with an English file, valid or not
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("track."):
            continue
        match = LESSON_NAME.match(path.name)
        if not match:
            reader.file_error(path, "(file name)", "expected NN-slug.<locale>.yaml")
            continue
        if not _check_locale(reader, path, match["locale"]):
            continue
        if match["locale"] == DEFAULT_LOCALE:
            sources.add(match["stem"])
        parsed_lesson = reader.parse(path, LessonFile)
        if parsed_lesson is None:
            continue
        lf, node = parsed_lesson
        if lf.track != folder.name:
            reader.error(
                path, node, ["track"], f"unknown track {lf.track!r}: the file is in {folder.name!r}"
            )
            continue
        by_stem.setdefault(match["stem"], {})[match["locale"]] = (lf, node, path)

    if DEFAULT_LOCALE not in track_texts:
        reader.file_error(folder / "track.en.yaml", "(file)", "every track needs track.en.yaml")
        return None

    lessons: list[Lesson] = []
    for stem, files in sorted(by_stem.items()):
        if DEFAULT_LOCALE not in files:
            if stem in sources:
                continue  # the English file has errors of its own; they were reported
            some_path = next(iter(files.values()))[2]
            reader.file_error(some_path, "(file)", f"no English source {stem}.en.yaml")
            continue
        source = files[DEFAULT_LOCALE][0]
        for locale, (translation, tr_node, tr_path) in files.items():
            if locale != DEFAULT_LOCALE:
                _check_translation(reader, tr_path, tr_node, translation, source)
        lessons.append(
            Lesson(
                key=source.id,
                track=folder.name,
                order=source.order,
                tags=tuple(source.tags),
                texts={loc: _lesson_text(loc, lf) for loc, (lf, _, _) in files.items()},
            )
        )
    lessons.sort(key=lambda ls: ls.order)
    return Track(key=folder.name, order=order, texts=track_texts, lessons=tuple(lessons))


def _check_unique(reader: YamlReader, tracks: list[Track], root: Path) -> None:
    seen: dict[str, str] = {}
    for track in tracks:
        orders = [ls.order for ls in track.lessons]
        if len(set(orders)) != len(orders):
            reader.file_error(root / track.key, "order", f"lesson orders repeat: {orders}")
        for lesson in track.lessons:
            if lesson.key in seen:
                where = seen[lesson.key]
                reader.file_error(
                    root / track.key, "id", f"lesson id {lesson.key!r} also in {where}"
                )
            seen[lesson.key] = track.key


def load_catalog(root: Path) -> Catalog:
    """Load and validate every track under `root`; raise `ContentInvalid` listing all errors."""
    reader = YamlReader()
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, 1, "(folder)", "lessons folder not found")])
    tracks = [
        track
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if (track := _load_track(reader, folder)) is not None
    ]
    _check_unique(reader, tracks, root)
    if not tracks and not reader.errors:
        reader.file_error(root, "(folder)", "no tracks found")
    if reader.errors:
        raise ContentInvalid(reader.errors)
    tracks.sort(key=lambda t: (t.order, t.key))
    return Catalog(tracks=tuple(tracks))
