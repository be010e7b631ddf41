"""Publishing lessons into the database, and the published catalog as a read model.

The database is the source of truth at run time: staff tools publish into it, and every bot
process serves what it holds. A process keeps the catalog in memory with its version (the
newest publication) and re-reads it when a newer one appears, so a publish reaches every
process without a restart.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.db.models import Lesson as LessonRow
from bot.db.models import Track as TrackRow
from bot.db.models import utcnow
from bot.db.staff_models import LessonVersion
from bot.db.uow import UnitOfWork
from bot.learning.model import Catalog, Lesson, LessonText, QuizOption, Track, TrackText


@dataclass(frozen=True)
class PublishReport:
    """How many tracks and lessons a publish added, changed or left alone."""

    added: int
    updated: int
    unchanged: int
    version: int = 0
    skipped: bool = False  # these exact files were published before
    changed: tuple[str, ...] = ()  # keys of the lessons that got a new version


def _hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def track_body(track: Track) -> dict[str, Any]:
    """A track's texts as JSON-ready data."""
    return {"texts": {loc: asdict(text) for loc, text in track.texts.items()}}


def lesson_body(lesson: Lesson) -> dict[str, Any]:
    """A lesson's structure and texts as JSON-ready data."""
    body: dict[str, Any] = {
        "tags": list(lesson.tags),
        "texts": {loc: asdict(text) for loc, text in lesson.texts.items()},
    }
    if lesson.heavy:  # only when set, so every other lesson keeps its content hash
        body["heavy"] = True
    return body


def _lesson_text(data: dict[str, Any]) -> LessonText:
    return LessonText(
        locale=data["locale"],
        status=data["status"],
        title=data["title"],
        cards=tuple(data["cards"]),
        think=data["think"],
        question=data["question"],
        options=tuple(QuizOption(**option) for option in data["options"]),
        act=data["act"],
    )


def files_hash(catalog: Catalog) -> str:
    """One hash for a whole set of lesson files: what a deployment ships."""
    return _hash(
        {
            "tracks": [
                [track.key, track.order, track_body(track)]
                + [[ls.key, ls.order, lesson_body(ls)] for ls in track.lessons]
                for track in catalog.tracks
            ]
        }
    )


async def publish(
    uow: UnitOfWork,
    catalog: Catalog,
    *,
    source: str = "files",
    created_by: int | None = None,
    once: bool = True,
    digest: str | None = None,
) -> PublishReport:
    """Publish `catalog` as the new version. With `once` (deployments' files) the same files
    published again (by a restart, or by a second process starting at the same moment)
    change nothing; a moderator's upload always publishes (`once=False`). Each lesson whose
    content changed gets a new `lesson_versions` row, which new starts get. `digest` names
    the set (default: a hash of its content; deployments pass `files_digest`)."""
    digest = digest or files_hash(catalog)
    if once and await uow.content.was_published(source, digest):
        return PublishReport(0, 0, 0, version=await uow.content.version(), skipped=True)
    await uow.content.lock_publishing()
    if once and await uow.content.was_published(source, digest):  # another process just did
        return PublishReport(0, 0, 0, version=await uow.content.version(), skipped=True)
    report = await _write(uow, catalog, created_by)
    version = await uow.content.record_publication(source, digest)
    return PublishReport(
        report.added, report.updated, report.unchanged, version=version, changed=report.changed
    )


async def _new_version(uow: UnitOfWork, row: LessonRow, track: str, by: int | None) -> None:
    """Record the row's new body as the lesson's next version and point the row at it."""
    number = await uow.content.last_version_number(row.key) + 1
    version = LessonVersion(
        lesson_key=row.key,
        version=number,
        track_key=track,
        body=row.body,
        content_hash=row.content_hash,
        created_by=by,
    )
    await uow.content.add(version)
    row.version_id = version.id


async def _write(uow: UnitOfWork, catalog: Catalog, by: int | None = None) -> PublishReport:
    """Insert or update every track and lesson whose content hash changed."""
    tracks = {row.key: row for row in await uow.content.tracks()}
    lessons = {row.key: row for row in await uow.content.lessons()}
    added = updated = unchanged = 0
    changed: list[str] = []
    for track in catalog.tracks:
        rows: list[tuple[TrackRow | LessonRow, dict[str, Any]]] = []
        body = track_body(track)
        row = tracks.get(track.key)
        if row is None:
            row = TrackRow(key=track.key, position=track.order, content_hash="", body={})
            await uow.content.add(row)
        rows.append((row, body))
        for lesson in track.lessons:
            lrow = lessons.get(lesson.key)
            if lrow is None:
                lrow = LessonRow(
                    key=lesson.key, track_id=row.id, position=0, content_hash="", body={}
                )
                await uow.content.add(lrow)
            lrow.track_id, lrow.position = row.id, lesson.order
            rows.append((lrow, lesson_body(lesson)))
        row.position = track.order
        for target, new_body in rows:
            digest = _hash(new_body)
            if target.content_hash == digest:
                unchanged += 1
                if isinstance(target, LessonRow) and target.version_id is None:
                    await _new_version(uow, target, track.key, by)
                continue
            added, updated = (
                (added + 1, updated) if not target.content_hash else (added, updated + 1)
            )
            target.content_hash, target.body, target.updated_at = digest, new_body, utcnow()
            if isinstance(target, LessonRow):
                await _new_version(uow, target, track.key, by)
                changed.append(target.key)
    return PublishReport(added, updated, unchanged, changed=tuple(changed))


async def set_status(uow: UnitOfWork, key: str, status: str, *, digest: str) -> bool:
    """Unpublish or republish a lesson as a new catalog version (so every process follows);
    False when the lesson is unknown or already in that state."""
    row = next((r for r in await uow.content.lessons() if r.key == key), None)
    if row is None or row.status == status:
        return False
    await uow.content.lock_publishing()
    row.status = status
    await uow.content.record_publication("upload", digest)
    return True


@dataclass(frozen=True)
class Published:
    """The catalog at one version (published lessons only: what learners are offered), with
    the row id of every lesson, unpublished ones too (progress refers to them)."""

    catalog: Catalog
    version: int
    lesson_ids: Mapping[str, int] = field(default_factory=dict)
    lesson_keys: Mapping[int, str] = field(default_factory=dict)
    unpublished: Mapping[str, Lesson] = field(default_factory=dict)

    def any_lesson(self, key: str) -> Lesson | None:
        """The current version of a lesson, published or not."""
        return self.catalog.lesson(key) or self.unpublished.get(key)


OLD_VERSIONS_KEPT = 256  # old lesson versions kept in memory for learners part-way through


class CatalogStore:
    """The read model: the published catalog this process serves.

    It asks the database for the newest version at most every `check_every` seconds (one
    cheap query) and reloads when it is behind. Older lesson versions, which learners who
    started them still finish, are read by id on demand and kept in a bounded cache.
    """

    def __init__(
        self,
        published: Published,
        *,
        check_every: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._published = published
        self._check_every = check_every
        self._clock = clock
        self._checked_at = clock()
        self._versions: OrderedDict[int, Lesson] = OrderedDict()

    @property
    def published(self) -> Published:
        """What this process serves now (possibly a few seconds behind)."""
        return self._published

    def recent(self) -> Published | None:
        """The catalog if it was checked against the database within `check_every`; None
        when a look is due (the caller then takes a path with a unit of work, which looks)."""
        due = self._clock() - self._checked_at >= self._check_every
        return None if due else self._published

    async def fresh(self, uow: UnitOfWork) -> Published:
        """The catalog, re-read first if a newer version was published since the last look."""
        now = self._clock()
        if now - self._checked_at >= self._check_every:
            self._checked_at = now
            if await uow.content.version() != self._published.version:
                self._published = await load(uow)
        return self._published

    async def lesson_version(self, uow: UnitOfWork, version_id: int) -> Lesson | None:
        """One version of a lesson by id (versions never change once written)."""
        if version_id in self._versions:
            self._versions.move_to_end(version_id)
            return self._versions[version_id]
        row = await uow.content.version_row(version_id)
        if row is None:
            return None
        current = self._published.any_lesson(row.lesson_key)
        lesson = _lesson(row.lesson_key, row.track_key, current.order if current else 0, row)
        self._versions[version_id] = lesson
        while len(self._versions) > OLD_VERSIONS_KEPT:
            self._versions.popitem(last=False)
        return lesson


def _lesson(key: str, track: str, order: int, row: LessonRow | LessonVersion) -> Lesson:
    """A lesson value from a lesson row or a version row (both hold the body and hash)."""
    if isinstance(row, LessonVersion):
        version_id, number = row.id, row.version
    else:
        version_id, number = row.version_id or 0, 0
    return Lesson(
        key=key,
        track=track,
        order=order,
        tags=tuple(row.body["tags"]),
        texts={loc: _lesson_text(t) for loc, t in row.body["texts"].items()},
        heavy=bool(row.body.get("heavy", False)),
        version=row.content_hash,
        version_id=version_id,
        number=number,
    )


async def load(uow: UnitOfWork) -> Published:
    """The published catalog, rebuilt from the database rows, with its version."""
    version = await uow.content.version()
    lessons_by_track: dict[int, list[Lesson]] = {}
    unpublished: dict[str, Lesson] = {}
    track_rows = await uow.content.tracks()
    keys = {row.id: row.key for row in track_rows}
    lesson_rows = await uow.content.lessons()
    numbers = await uow.content.version_numbers()
    for row in lesson_rows:
        lesson = _lesson(row.key, keys[row.track_id], row.position, row)
        lesson = replace(lesson, number=numbers.get(row.version_id or 0, 0))
        if row.status == "published":
            lessons_by_track.setdefault(row.track_id, []).append(lesson)
        else:
            unpublished[row.key] = lesson
    tracks = tuple(
        Track(
            key=row.key,
            order=row.position,
            texts={loc: TrackText(**t) for loc, t in row.body["texts"].items()},
            lessons=tuple(sorted(lessons_by_track.get(row.id, []), key=lambda ls: ls.order)),
        )
        for row in track_rows
    )
    return Published(
        catalog=Catalog(tracks=tracks),
        version=version,
        lesson_ids={row.key: row.id for row in lesson_rows},
        lesson_keys={row.id: row.key for row in lesson_rows},
        unpublished=unpublished,
    )
