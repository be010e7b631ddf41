"""The lesson player: cards → THINK! → quiz → feedback → ACT! → done, resumable forever.

A learner's place is one integer `step` per lesson. Every button press carries the step it
was shown at, so a double tap or an old button finds the step moved on and changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.analytics import Analytics
from bot.db.models import Event, Progress, QuizAnswer, utcnow
from bot.db.staff_models import LessonVersion
from bot.db.steps import Steps
from bot.db.uow import UnitOfWork
from bot.learning.catalog import CatalogStore, Published
from bot.learning.model import Lesson
from bot.learning.progress import Overview, overview
from bot.learning.steps import NextLesson, Screen, Stage, stage_of, step_of

# The answers to "Was this useful?" at the end of a lesson, kept per lesson version.
FEEDBACK_ANSWERS = ("useful", "not_really", "skip")


class LessonPlayer:
    """Moves learners through lessons; every method is safe to call twice."""

    def __init__(self, store: CatalogStore, analytics: Analytics) -> None:
        self._store = store
        self._analytics = analytics
        self._published = store.published

    @property
    def store(self) -> CatalogStore:
        """The published catalog this player serves (staff tools publish through it)."""
        return self._store

    async def _fresh(self, uow: UnitOfWork) -> Published:
        self._published = await self._store.fresh(uow)
        return self._published

    async def overview(self, uow: UnitOfWork, *, user_id: int, locale: str) -> Overview:
        """His progress across the whole published catalog (/lessons, /progress)."""
        return await overview(uow, await self._fresh(uow), user_id=user_id, locale=locale)

    def _screen(
        self,
        lesson: Lesson,
        step: int,
        answer: QuizAnswer | None,
        locale: str,
        *,
        chosen: int | None = None,
        **kw: bool,
    ) -> Screen:
        stage = stage_of(step, lesson.card_count)
        catalog = self._published.catalog
        following = catalog.next_lesson(lesson.key, locale) if stage is Stage.DONE else None
        return Screen(
            lesson_key=lesson.key,
            step=step,
            stage=stage,
            text=lesson.text_for(locale),
            requested_locale=locale,
            heavy=lesson.heavy,
            chosen=chosen if chosen is not None else (answer.option if answer else None),
            next_lesson=NextLesson(following.key, following.text_for(locale).title)
            if following
            else None,
            **kw,
        )

    async def _load(
        self, uow: UnitOfWork, user_id: int, lesson_key: str
    ) -> tuple[Lesson, int, Progress | None] | None:
        """The lesson as this learner sees it: the version he started, if he is in it."""
        published = await self._fresh(uow)
        current = published.any_lesson(lesson_key)
        lesson_id = published.lesson_ids.get(lesson_key)
        if current is None or lesson_id is None:
            return None
        progress = await uow.progress.get(user_id, lesson_id)
        if progress is None:
            return current, lesson_id, None
        return await self._his_version(uow, current, progress), lesson_id, progress

    async def _his_version(self, uow: UnitOfWork, current: Lesson, progress: Progress) -> Lesson:
        """The version he started: he finishes it undisturbed (same cards, same quiz) even
        after a newer one was published. Without one on record, the current version, with
        his place kept within its bounds."""
        if progress.version_id is not None and progress.version_id != current.version_id:
            started = await self._store.lesson_version(uow, progress.version_id)
            if started is not None:
                return started
        if progress.version_id != (current.version_id or None):
            progress.step = min(progress.step, step_of(Stage.DONE, current.card_count))
            progress.version_id = current.version_id or None
            progress.content_hash = current.version
        return current

    async def _started(
        self, uow: UnitOfWork, user_id: int, lesson_key: str
    ) -> tuple[Lesson, int, Progress] | None:
        """Like `_load`, for lessons the learner has opened (a press on any other is forged)."""
        loaded = await self._load(uow, user_id, lesson_key)
        if loaded is None or loaded[2] is None:
            return None
        return loaded[0], loaded[1], loaded[2]

    async def open(
        self, uow: UnitOfWork, *, user_id: int, lesson_key: str, locale: str
    ) -> Screen | None:
        """Start or resume a lesson; a finished one opens again from its first card."""
        loaded = await self._load(uow, user_id, lesson_key)
        if loaded is None:
            return None
        lesson, lesson_id, progress = loaded
        offered = self._published.catalog.lesson(lesson_key)
        if progress is None:
            if offered is None or not offered.offered_in(locale):
                return None  # unpublished, or not in his languages: never started from here
            progress = Progress(
                user_id=user_id,
                lesson_id=lesson_id,
                step=0,
                content_hash=lesson.version,
                version_id=lesson.version_id or None,
            )
            if await uow.progress.insert_if_absent(progress):
                await self._analytics.record(
                    uow,
                    user_id,
                    "lesson_opened",
                    locale=locale,
                    track_key=lesson.track,
                    lesson_key=lesson.key,
                )
            else:
                progress = await uow.progress.get(user_id, lesson_id)
                assert progress is not None
        elif stage_of(progress.step, lesson.card_count) is Stage.DONE:
            if offered is None:
                return None  # unpublished since he finished it
            lesson = offered  # a replay starts the current version
            progress.step, progress.updated_at = 0, utcnow()
            progress.version_id, progress.content_hash = lesson.version_id or None, lesson.version
            await self._analytics.record(
                uow,
                user_id,
                "lesson_replayed",
                locale=locale,
                track_key=lesson.track,
                lesson_key=lesson.key,
            )
        user = await uow.users.get(user_id)
        if user is not None:
            user.current_lesson_id = lesson_id
        answer = await uow.progress.answer(user_id, lesson_id)
        return self._screen(lesson, progress.step, answer, locale)

    async def current(self, uow: UnitOfWork, *, user_id: int, locale: str) -> Screen | None:
        """Where the learner stopped, if he has a lesson open."""
        user = await uow.users.get(user_id)
        if user is None or user.current_lesson_id is None:
            return None
        key = (await self._fresh(uow)).lesson_keys.get(user.current_lesson_id)
        if key is None:
            return None
        started = await self._started(uow, user_id, key)
        if started is None:
            return None
        lesson, lesson_id, progress = started
        return self._screen(
            lesson, progress.step, await uow.progress.answer(user_id, lesson_id), locale
        )

    async def advance(
        self, uow: UnitOfWork, *, user_id: int, lesson_key: str, from_step: int, locale: str
    ) -> Screen | None:
        """'Next' pressed at `from_step`. None if the press is impossible (forged)."""
        started = await self._started(uow, user_id, lesson_key)
        if started is None:
            return None
        lesson, lesson_id, progress = started
        done = step_of(Stage.DONE, lesson.card_count)
        if not 0 <= from_step < done:
            return None
        stage = stage_of(progress.step, lesson.card_count)
        if from_step != progress.step or stage is Stage.QUIZ:
            answer = await uow.progress.answer(user_id, lesson_id)
            return self._screen(lesson, progress.step, answer, locale, changed=False)
        # "Next" never lands on the quiz's feedback, the one screen that shows his answer.
        answer = None
        progress.step, progress.updated_at = progress.step + 1, utcnow()
        if stage is Stage.FEEDBACK:
            progress.act_at = progress.act_at or progress.updated_at  # tomorrow's check-in
            await self._reached_act(uow, user_id, lesson, locale)
        just_completed = False
        if stage is Stage.ACT and progress.completed_at is None:
            progress.completed_at = progress.updated_at
            just_completed = True
            await self._analytics.record(
                uow,
                user_id,
                "lesson_completed",
                locale=locale,
                track_key=lesson.track,
                lesson_key=lesson.key,
            )
        return self._screen(lesson, progress.step, answer, locale, just_completed=just_completed)

    async def step_on(
        self, steps: Steps, *, user_id: int, lesson_key: str, from_step: int, locale: str
    ) -> Screen | None:
        """Most presses: "Next" on a card or THINK!, in the lesson's current version, as one
        statement with no unit of work (`bot.db.steps`). None when it wrote nothing: every
        other case (a stale or forged button, an older version, a stage with more to do, a
        catalog due a look) then takes `advance`."""
        published = self._store.recent()
        if published is None:
            return None
        self._published = published
        lesson = published.any_lesson(lesson_key)
        lesson_id = published.lesson_ids.get(lesson_key)
        if lesson is None or lesson_id is None:
            return None
        if not 0 <= from_step < step_of(Stage.QUIZ, lesson.card_count):  # a card or THINK!
            return None
        moved = await steps.step_on(
            user_id, lesson_id, from_step=from_step, version_id=lesson.version_id or None
        )
        return self._screen(lesson, from_step + 1, None, locale) if moved else None

    async def answer(
        self, uow: UnitOfWork, *, user_id: int, lesson_key: str, option: int, locale: str
    ) -> Screen | None:
        """A quiz option pressed. The first answer counts; a second tap changes nothing."""
        started = await self._started(uow, user_id, lesson_key)
        if started is None:
            return None
        lesson, lesson_id, progress = started
        if not 0 <= option < len(lesson.source.options):
            return None
        existing = await uow.progress.answer(user_id, lesson_id)
        quiz_step = step_of(Stage.QUIZ, lesson.card_count)
        if progress.step != quiz_step:
            return self._screen(lesson, progress.step, existing, locale, changed=False)
        if existing is not None:  # a replay of a finished lesson: his first answer stays counted
            progress.step, progress.updated_at = quiz_step + 1, utcnow()
            return self._screen(lesson, progress.step, existing, locale, chosen=option)
        correct = lesson.source.options[option].correct
        answer = QuizAnswer(user_id=user_id, lesson_id=lesson_id, option=option, correct=correct)
        if not await uow.progress.insert_if_absent(answer):
            existing = await uow.progress.answer(user_id, lesson_id)
            return self._screen(lesson, progress.step, existing, locale, changed=False)
        progress.step, progress.updated_at = quiz_step + 1, utcnow()
        await self._analytics.record(
            uow,
            user_id,
            "quiz_answered",
            locale=locale,
            track_key=lesson.track,
            lesson_key=lesson.key,
            value=str(option),  # stats count answers per option
        )
        return self._screen(lesson, progress.step, answer, locale)

    async def _reached_act(
        self, uow: UnitOfWork, user_id: int, lesson: Lesson, locale: str
    ) -> None:
        """Count that he reached the ACT! step, once per lesson (its key is the ref)."""
        await self._analytics.record(
            uow,
            user_id,
            "act_reached",
            ref=f"act:{lesson.key}",
            locale=locale,
            track_key=lesson.track,
            lesson_key=lesson.key,
        )

    async def feedback(
        self, uow: UnitOfWork, *, user_id: int, lesson_key: str, answer: str, locale: str
    ) -> Screen | None:
        """'Was this useful?' answered on the DONE screen: kept once per lesson version (a
        second tap changes nothing). None if he has not finished this lesson (forged)."""
        started = await self._started(uow, user_id, lesson_key)
        if started is None or answer not in FEEDBACK_ANSWERS:
            return None
        lesson, lesson_id, progress = started
        if stage_of(progress.step, lesson.card_count) is not Stage.DONE:
            return None
        version = None
        if progress.version_id is not None:
            version = await uow.session.scalar(
                select(LessonVersion.version).where(LessonVersion.id == progress.version_id)
            )
        event = Event(
            pseudonym=self._analytics.pseudonym(user_id),
            name="lesson_feedback",
            ref=f"fb:{lesson.key}:{version or 0}",
            locale=locale,
            track_key=lesson.track,
            lesson_key=lesson.key,
            value=answer,
            version=version,
        )
        await uow.events.insert_if_absent(event)
        answered = await uow.progress.answer(user_id, lesson_id)
        return self._screen(lesson, progress.step, answered, locale)

    async def reflect(
        self, uow: UnitOfWork, *, user_id: int, locale: str
    ) -> tuple[Screen | None, bool]:
        """He typed something. At a THINK! step that is his answer: move on (the text itself
        never reaches this layer). Returns the lesson's screen, and whether it moved on."""
        screen = await self.current(uow, user_id=user_id, locale=locale)
        if screen is None or screen.stage is not Stage.THINK:
            return screen, False
        moved = await self.advance(
            uow, user_id=user_id, lesson_key=screen.lesson_key, from_step=screen.step, locale=locale
        )
        return moved, moved is not None
