"""Read `lessons/` into a `Catalog`, collecting every error with its file, line and field."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from bot.files import ContentError, ContentInvalid, YamlReader
from bot.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from bot.learning import lint
from bot.learning.model import Catalog, Lesson, LessonText, QuizOption, Track, TrackText
from bot.learning.schema import LessonFile, TrackFile

LESSON_NAME = re.compile(r"^(?P<stem>\d{2}-[a-z0-9-]+)\.(?P<locale>[a-zA-Z_-]+)\.yaml$")
TRACK_NAME = re.compile(r"^track\.(?P<locale>[a-zA-Z_-]+)\.yaml$")


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
    reader: YamlReader,
    path: Path,
    node: yaml.Node,
    f: LessonFile,
    source: LessonFile,
    source_locale: str = DEFAULT_LOCALE,
) -> None:
    mine, theirs = _structure(f), _structure(source)
    name = "English" if source_locale == DEFAULT_LOCALE else f"{source_locale!r}"
    for key, value in mine.items():
        if value != theirs[key]:
            loc = ["quiz", "options"] if key.startswith("quiz.") else [key]
            reader.error(
                path, node, loc, f"differs from the {name} source: {value!r} != {theirs[key]!r}"
            )
    if f.heavy is not None and f.heavy != bool(source.heavy):  # omitted: inherited
        reader.error(
            path,
            node,
            ["heavy"],
            f"differs from the {name} source: {f.heavy!r} != {source.heavy!r}",
        )


def _load_track(reader: YamlReader, folder: Path, ids: dict[tuple[str, str], Path]) -> Track | None:
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
        lint.check_track(reader, path, tnode, tf, match["locale"])
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
        lint.check_lesson(reader, path, node, lf, match["locale"])
        first = ids.setdefault((lf.id, match["locale"]), path)
        if first != path:
            reader.error(path, node, ["id"], f"duplicate lesson id {lf.id!r}: also in {first}")
            continue
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
        if DEFAULT_LOCALE not in files and stem in sources:
            continue  # the English file has errors of its own; they were reported
        # English is the source; a new lesson without it is offered in its own languages only.
        source_locale = next(loc for loc in (DEFAULT_LOCALE, *SUPPORTED_LOCALES) if loc in files)
        source = files[source_locale][0]
        for locale, (translation, tr_node, tr_path) in files.items():
            if locale != source_locale:
                _check_translation(reader, tr_path, tr_node, translation, source, source_locale)
        lessons.append(
            Lesson(
                key=source.id,
                track=folder.name,
                order=source.order,
                tags=tuple(source.tags),
                texts={loc: _lesson_text(loc, lf) for loc, (lf, _, _) in files.items()},
                heavy=bool(source.heavy),
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


def files_digest(root: Path) -> str:
    """A digest of the lesson files as bytes, and of the code that checks and reads them.

    Start-up asks whether this exact set was published before: if so, the files were checked
    then by this same code, and reading and checking 200 files again (half a second) is
    skipped. Any change to a file, or to the checks, reads them all again.
    """
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    code = [here / name for name in ("loader.py", "schema.py", "lint.py", "model.py")]
    files = sorted(p for p in root.rglob("*.yaml") if not p.name.startswith("."))
    for path in [*code, *files]:
        name = path.name if path in code else str(path.relative_to(root))
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_catalog(root: Path) -> Catalog:
    """Load and validate every track under `root`; raise `ContentInvalid` listing all errors."""
    reader, ids = YamlReader(), dict[tuple[str, str], Path]()
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, 1, "(folder)", "lessons folder not found")])
    tracks = [
        track
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if (track := _load_track(reader, folder, ids)) is not None
    ]
    _check_unique(reader, tracks, root)
    if not tracks and not reader.errors:
        reader.file_error(root, "(folder)", "no tracks found")
    reader.raise_if_any()
    tracks.sort(key=lambda t: (t.order, t.key))
    return Catalog(tracks=tuple(tracks))


def _lesson_yaml(lesson: Lesson, locale: str) -> dict[str, object]:
    text = lesson.texts[locale]
    return {
        "id": lesson.key,
        "track": lesson.track,
        "order": lesson.order,
        "status": text.status,
        "title": text.title,
        "cards": list(text.cards),
        "think": text.think,
        "quiz": {
            "question": text.question,
            "options": [
                {"text": o.text, "correct": o.correct, "feedback": o.feedback} for o in text.options
            ],
        },
        "act": text.act,
        "tags": list(lesson.tags),
        **({"heavy": True} if lesson.heavy else {}),
    }


def dump_track(track: Track, stems: dict[str, str] | None = None) -> dict[str, str]:
    """A track as the files `load_catalog` reads (`<track>/<name>` → YAML): what a moderator
    downloads, and the published side of an upload's check. A lesson's file name is
    `NN-<id>` unless `stems` names it otherwise."""

    def dump(body: dict[str, object]) -> str:
        return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)

    files = {
        f"{track.key}/track.{loc}.yaml": dump(
            {
                "id": track.key,
                "order": track.order,
                "status": text.status,
                "title": text.title,
                "description": text.description,
            }
        )
        for loc, text in track.texts.items()
    }
    for lesson in track.lessons:
        stem = (stems or {}).get(lesson.key, f"{lesson.order:02d}-{lesson.key}")
        for loc in lesson.texts:
            files[f"{track.key}/{stem}.{loc}.yaml"] = dump(_lesson_yaml(lesson, loc))
    return files
