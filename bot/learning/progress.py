"""The learner's own overview: tracks, lessons done, where he stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.uow import UnitOfWork
from bot.learning.catalog import Published


@dataclass(frozen=True)
class LessonStatus:
    """One lesson's state for this learner."""

    key: str
    title: str
    started: bool
    done: bool
    title_locale: str = ""  # the language of `title`: another one when this lesson falls back


@dataclass(frozen=True)
class TrackStatus:
    """One track with each lesson's state."""

    key: str
    title: str
    description: str
    lessons: tuple[LessonStatus, ...]
    title_locale: str = ""  # the language of `title` and `description`

    @property
    def done(self) -> int:
        """Lessons completed in this track."""
        return sum(lesson.done for lesson in self.lessons)


@dataclass(frozen=True)
class Overview:
    """Everything /lessons and /progress show."""

    tracks: tuple[TrackStatus, ...]
    quiz_answered: int
    last_completed_at: datetime | None

    @property
    def done(self) -> int:
        """Lessons completed overall."""
        return sum(track.done for track in self.tracks)

    @property
    def total(self) -> int:
        """Lessons available overall."""
        return sum(len(track.lessons) for track in self.tracks)


async def overview(uow: UnitOfWork, published: Published, *, user_id: int, locale: str) -> Overview:
    """This learner's progress across the whole catalog."""
    ids, catalog = published.lesson_ids, published.catalog
    rows = {row.lesson_id: row for row in await uow.progress.for_user(user_id)}
    answers = await uow.progress.answers_for_user(user_id)
    tracks = []
    for track in catalog.tracks:
        text = track.text_for(locale)
        lessons = []
        for lesson in (ls for ls in track.lessons if ls.offered_in(locale)):
            row = rows.get(ids.get(lesson.key, -1))
            shown = lesson.text_for(locale)
            lessons.append(
                LessonStatus(
                    key=lesson.key,
                    title=shown.title,
                    started=row is not None,
                    done=row is not None and row.completed_at is not None,
                    title_locale=shown.locale,
                )
            )
        if lessons:  # a track with nothing in his languages is not offered
            tracks.append(
                TrackStatus(track.key, text.title, text.description, tuple(lessons), text.locale)
            )
    completed = [row.completed_at for row in rows.values() if row.completed_at is not None]
    return Overview(
        tracks=tuple(tracks),
        quiz_answered=len(answers),
        last_completed_at=max(completed) if completed else None,
    )
