"""Moderators publish lessons: upload → validate → preview → publish (or discard), and the
lesson admin (versions, languages, unpublish / republish, reviews, download).

An upload is checked with the loader `ura lessons check` uses, in a temporary folder built
from the published lessons plus the uploaded files, so a translation is held to its
published source. The pending upload lives in the `uploads` table, never in memory, and
every decision re-reads it: a second press changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

import yaml
from sqlalchemy import select

from bot.db.models import utcnow
from bot.db.staff_models import LessonReview, Upload
from bot.db.uow import UnitOfWork
from bot.files import ContentInvalid
from bot.learning import catalog as lesson_catalog
from bot.learning.catalog import Published
from bot.learning.loader import LESSON_NAME, TRACK_NAME, dump_track, load_catalog
from bot.learning.model import Catalog, Lesson, Track
from bot.staff import uploads
from bot.staff.roles import audit

KIND = "lessons"
NO_TRACK = "no_track"
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")


# ------------------------------------------------------------------------ unpacking


def _track_of(name: str, text: str) -> str:
    """Which track one file belongs to: a lesson's `track`, a track file's `id`."""
    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError:
        raise uploads.UploadRejected(uploads.NOT_YAML, path=name[:80]) from None
    field = "id" if name.startswith("track.") else "track"
    key = body.get(field) if isinstance(body, dict) else None
    if not isinstance(key, str) or not _KEY.match(key):
        raise uploads.UploadRejected(NO_TRACK, path=name[:80])
    return key


def _lesson_name(name: str) -> bool:
    return bool(LESSON_NAME.match(name) or TRACK_NAME.match(name))


def unpack(filename: str, data: bytes, limits: uploads.Limits) -> dict[str, str]:
    """The lesson files a document holds, as `<track>/<name>` → text: one lesson or track
    file, or a zip of one track folder. Anything hostile is refused with one reason."""
    uploads.check_size(len(data), limits)
    name = PurePosixPath(filename).name
    if name.lower().endswith(".zip"):
        found = uploads.read_zip(data, limits)
        tracks = {PurePosixPath(path).parts[0] for path in found}
        for path in found:
            if len(PurePosixPath(path).parts) != 2:
                raise uploads.UploadRejected(uploads.UNSAFE_PATH, path=path[:80])
        if len(tracks) > 1:
            raise uploads.UploadRejected(uploads.SEVERAL_TRACKS, tracks=", ".join(sorted(tracks)))
        for path in found:
            if not path.endswith(".yaml"):
                raise uploads.UploadRejected(uploads.NOT_YAML, path=path[:80])
        if not found:
            raise uploads.UploadRejected(uploads.EMPTY)
        return {path: uploads.decode_text(path, content) for path, content in found.items()}
    if not name.endswith((".yaml", ".yml")):
        raise uploads.UploadRejected(uploads.NOT_YAML, path=name[:80])
    if not _lesson_name(name):
        raise uploads.UploadRejected(uploads.WRONG_TYPE, name=name[:80])
    text = uploads.decode_text(name, data)
    return {f"{_track_of(name, text)}/{name}": text}


# ------------------------------------------------------------------------ validating


@dataclass(frozen=True)
class Checked:
    """An upload after the check: the errors, or the whole catalog it would publish."""

    errors: tuple[str, ...]
    catalog: Catalog | None = None
    lessons: tuple[Lesson, ...] = ()  # the uploaded lessons, as they would be published
    locales: tuple[str, ...] = ()  # the languages the upload has


def everything(published: Published) -> Catalog:
    """The published catalog with the unpublished lessons put back in their tracks."""
    tracks = []
    for track in published.catalog.tracks:
        extra = [ls for ls in published.unpublished.values() if ls.track == track.key]
        lessons = sorted((*track.lessons, *extra), key=lambda ls: ls.order)
        tracks.append(replace(track, lessons=tuple(lessons)))
    return Catalog(tracks=tuple(tracks))


def _stems(files: dict[str, str]) -> dict[str, str]:
    """Lesson id → the stem the upload gives its files, so the published files of the same
    lesson are written under that name (the loader pairs languages by file stem)."""
    stems: dict[str, str] = {}
    for path, text in files.items():
        match = LESSON_NAME.match(PurePosixPath(path).name)
        if not match:
            continue
        try:
            body = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(body, dict) and isinstance(body.get("id"), str):
            stems[body["id"]] = match["stem"]
    return stems


def check(current: Catalog, files: dict[str, str]) -> Checked:
    """Validate the upload together with the published lessons, as `ura lessons check`."""
    stems = _stems(files)
    with tempfile.TemporaryDirectory(prefix="ura-upload-") as tmp:
        root = Path(tmp)
        merged = {path: text for t in current.tracks for path, text in dump_track(t, stems).items()}
        merged.update(files)
        for path, text in merged.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        try:
            catalog = load_catalog(root)
        except ContentInvalid as exc:
            return Checked(errors=tuple(_relative(str(e), root) for e in exc.errors))
    lessons = tuple(
        lesson
        for track in catalog.tracks
        for lesson in track.lessons
        if lesson.key in stems or any(p.startswith(f"{track.key}/track.") for p in files)
    )
    locales = {loc for path in files for loc in _locale(path)}
    return Checked((), catalog, lessons, tuple(sorted(locales)))


def _relative(line: str, root: Path) -> str:
    return line.replace(f"{root}/", "")


def _locale(path: str) -> tuple[str, ...]:
    name = PurePosixPath(path).name
    match = LESSON_NAME.match(name) or TRACK_NAME.match(name)
    return (match["locale"],) if match else ()


# ------------------------------------------------------------------------ deciding


async def store(uow: UnitOfWork, *, by: int, files: dict[str, str]) -> int:
    """Keep a checked upload until Publish or Discard; returns its id."""
    row = Upload(kind=KIND, uploaded_by=by, files=files, status="pending")
    uow.session.add(row)
    await uow.session.flush()
    return row.id


async def pending(uow: UnitOfWork, upload_id: int) -> dict[str, str] | None:
    """A pending lesson upload's files (None once decided, or not a lesson upload)."""
    row = await uow.session.get(Upload, upload_id, populate_existing=True)
    if row is None or row.kind != KIND or row.status != "pending":
        return None
    return dict(row.files)


@dataclass(frozen=True)
class Outcome:
    """What a Publish did: each lesson that got a new version, or the errors now found."""

    versions: tuple[tuple[str, int], ...] = ()
    errors: tuple[str, ...] = ()


async def publish_upload(
    uow: UnitOfWork, published: Published, *, upload_id: int, by: int
) -> Outcome | None:
    """Publish a pending upload as new versions (checked again against what is published
    now); None when it was already decided."""
    row = await uow.session.get(Upload, upload_id, with_for_update=True, populate_existing=True)
    if row is None or row.kind != KIND or row.status != "pending":
        return None
    checked = check(everything(published), dict(row.files))
    if checked.catalog is None:
        return Outcome(errors=checked.errors)
    report = await lesson_catalog.publish(
        uow, checked.catalog, source="upload", created_by=by, once=False
    )
    row.status = "published"
    versions = []
    for key in report.changed:
        versions.append((key, await uow.content.last_version_number(key)))
    names = ", ".join(f"{key} v{number}" for key, number in versions) or "no change"
    await audit(uow, actor=by, action="publish", subject=f"upload {upload_id}: {names}")
    return Outcome(versions=tuple(versions))


async def discard(uow: UnitOfWork, *, upload_id: int, by: int) -> bool:
    """Discard a pending upload; False when it was already decided."""
    row = await uow.session.get(Upload, upload_id, with_for_update=True, populate_existing=True)
    if row is None or row.kind != KIND or row.status != "pending":
        return False
    row.status = "discarded"
    await audit(uow, actor=by, action="discard", subject=f"upload {upload_id}")
    return True


# ------------------------------------------------------------------------ the admin


@dataclass(frozen=True)
class LessonInfo:
    """One lesson in /lessons_admin."""

    key: str
    track: str
    title: str
    number: int  # its current version
    published: bool
    languages: tuple[tuple[str, bool], ...]  # (locale, reviewed)


async def reviewed_now(uow: UnitOfWork) -> set[tuple[str, str]]:
    """(lesson key, locale) pairs whose current version has a review row."""
    from bot.db.models import Lesson as LessonRow

    stmt = select(LessonRow.key, LessonReview.locale).join(
        LessonReview, LessonReview.version_id == LessonRow.version_id
    )
    return {(key, loc) for key, loc in (await uow.session.execute(stmt)).tuples()}


async def lessons_info(uow: UnitOfWork, published: Published) -> tuple[LessonInfo, ...]:
    """Every lesson with its version, its languages (draft / reviewed) and its status."""
    reviews = await reviewed_now(uow)
    out = []
    for track in everything(published).tracks:
        for lesson in track.lessons:
            languages = tuple(
                (loc, text.status == "reviewed" or (lesson.key, loc) in reviews)
                for loc, text in sorted(lesson.texts.items())
            )
            out.append(
                LessonInfo(
                    key=lesson.key,
                    track=track.key,
                    title=lesson.source.title,
                    number=lesson.number,
                    published=lesson.key not in published.unpublished,
                    languages=languages,
                )
            )
    return tuple(out)


async def set_published(uow: UnitOfWork, *, key: str, publish: bool, by: int) -> bool:
    """Unpublish or republish a lesson (a new catalog version every process follows)."""
    status = "published" if publish else "unpublished"
    stamp = f"{status}:{key}:{utcnow().isoformat()}"
    digest = hashlib.sha256(stamp.encode()).hexdigest()
    if not await lesson_catalog.set_status(uow, key, status, digest=digest):
        return False
    await audit(uow, actor=by, action="republish" if publish else "unpublish", subject=key)
    return True


async def review(
    uow: UnitOfWork, published: Published, *, key: str, locale: str, by: int
) -> datetime | None:
    """A native speaker marks one language of the current version reviewed; None when the
    lesson or language is unknown or it was already marked."""
    lesson = published.any_lesson(key)
    if lesson is None or locale not in lesson.texts or not lesson.version_id:
        return None
    row = LessonReview(version_id=lesson.version_id, locale=locale, reviewed_by=by)
    if not await uow.progress.insert_if_absent(row):
        return None
    await audit(uow, actor=by, action="review", subject=f"{key} v{lesson.number} {locale}")
    return row.reviewed_at


def track_zip(published: Published, track_key: str) -> bytes | None:
    """The current files of a track (published and unpublished lessons) as a zip."""
    track: Track | None = everything(published).track(track_key)
    if track is None:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in sorted(dump_track(track).items()):
            archive.writestr(path, text)
    return buffer.getvalue()
