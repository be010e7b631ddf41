"""Publishing lesson files into the database and loading the catalog back from it.

The database is the source of truth at run time, so later staff tools can publish from
Telegram and several bot processes see the same lessons.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from bot.db.models import Lesson as LessonRow
from bot.db.models import Track as TrackRow
from bot.db.models import utcnow
from bot.db.uow import UnitOfWork
from bot.learning.model import Catalog, Lesson, LessonText, QuizOption, Track, TrackText


@dataclass(frozen=True)
class PublishReport:
    """How many tracks and lessons a publish added, changed or left alone."""

    added: int
    updated: int
    unchanged: int


def _hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def track_body(track: Track) -> dict[str, Any]:
    """A track's texts as JSON-ready data."""
    return {"texts": {loc: asdict(text) for loc, text in track.texts.items()}}


def lesson_body(lesson: Lesson) -> dict[str, Any]:
    """A lesson's structure and texts as JSON-ready data."""
    return {
        "tags": list(lesson.tags),
        "texts": {loc: asdict(text) for loc, text in lesson.texts.items()},
    }


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


async def publish(uow: UnitOfWork, catalog: Catalog) -> PublishReport:
    """Insert or update every track and lesson whose content hash changed."""
    tracks = {row.key: row for row in await uow.content.tracks()}
    lessons = {row.key: row for row in await uow.content.lessons()}
    added = updated = unchanged = 0
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
                continue
            added, updated = (
                (added + 1, updated) if not target.content_hash else (added, updated + 1)
            )
            target.content_hash, target.body, target.updated_at = digest, new_body, utcnow()
    return PublishReport(added=added, updated=updated, unchanged=unchanged)


async def load(uow: UnitOfWork) -> Catalog:
    """The published catalog, rebuilt from the database rows."""
    lessons_by_track: dict[int, list[Lesson]] = {}
    track_rows = await uow.content.tracks()
    keys = {row.id: row.key for row in track_rows}
    for row in await uow.content.lessons():
        lessons_by_track.setdefault(row.track_id, []).append(
            Lesson(
                key=row.key,
                track=keys[row.track_id],
                order=row.position,
                tags=tuple(row.body["tags"]),
                texts={loc: _lesson_text(t) for loc, t in row.body["texts"].items()},
                version=row.content_hash,
            )
        )
    tracks = tuple(
        Track(
            key=row.key,
            order=row.position,
            texts={loc: TrackText(**t) for loc, t in row.body["texts"].items()},
            lessons=tuple(sorted(lessons_by_track.get(row.id, []), key=lambda ls: ls.order)),
        )
        for row in track_rows
    )
    return Catalog(tracks=tracks)
