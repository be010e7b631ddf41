"""The curriculum as immutable values: what the player shows, independent of files or rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, fallback_chain


@dataclass(frozen=True)
class QuizOption:
    """One answer button and what the bot says when it is chosen."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class LessonText:
    """A lesson in one language; a lesson is always shown whole in one of these."""

    locale: str
    status: str
    title: str
    cards: tuple[str, ...]
    think: str
    question: str
    options: tuple[QuizOption, ...]
    act: str


@dataclass(frozen=True)
class Lesson:
    """A lesson in every language it has; structure is the same in all of them."""

    key: str
    track: str
    order: int
    tags: tuple[str, ...]
    texts: dict[str, LessonText] = field(hash=False)
    heavy: bool = False  # suicide, violence, loss: the closing screen offers help once more
    version: str = field(default="", compare=False)  # content hash once published
    version_id: int = field(default=0, compare=False)  # its lesson_versions row, once published
    number: int = field(default=0, compare=False)  # 1, 2, … per lesson, once published

    @property
    def source_locale(self) -> str:
        """English when the lesson has it, else the first supported language it has (a new
        lesson may be published in one language only)."""
        if DEFAULT_LOCALE in self.texts:
            return DEFAULT_LOCALE
        return next((loc for loc in SUPPORTED_LOCALES if loc in self.texts), next(iter(self.texts)))

    @property
    def source(self) -> LessonText:
        """The source text (English when there is one); every language has its structure."""
        return self.texts[self.source_locale]

    def offered_in(self, locale: str) -> bool:
        """Is it offered to a learner of `locale`: in it, or along its fallback chain? A lesson
        in Russian only is never shown to an Albanian speaker in a language he did not pick."""
        return any(loc in self.texts for loc in (locale, *fallback_chain(locale)))

    def text_for(self, locale: str) -> LessonText:
        """The first language in the fallback chain that has this lesson."""
        for candidate in (locale, *fallback_chain(locale)):
            if candidate in self.texts:
                return self.texts[candidate]
        return self.source

    @property
    def card_count(self) -> int:
        """Cards are the same in every language, so any text tells."""
        return len(self.source.cards)


@dataclass(frozen=True)
class TrackText:
    """A track's title and description in one language."""

    locale: str
    status: str
    title: str
    description: str


@dataclass(frozen=True)
class Track:
    """An ordered sequence of lessons on one theme."""

    key: str
    order: int
    texts: dict[str, TrackText] = field(hash=False)
    lessons: tuple[Lesson, ...] = ()

    def text_for(self, locale: str) -> TrackText:
        """The title in the first language of the fallback chain that has one."""
        for candidate in (locale, *fallback_chain(locale)):
            if candidate in self.texts:
                return self.texts[candidate]
        return self.texts[DEFAULT_LOCALE]


@dataclass(frozen=True)
class Catalog:
    """Every track and lesson, with lookups by key."""

    tracks: tuple[Track, ...]

    def track(self, key: str) -> Track | None:
        """The track with this key, if any."""
        return next((t for t in self.tracks if t.key == key), None)

    def lesson(self, key: str) -> Lesson | None:
        """The lesson with this key, if any."""
        return next((ls for t in self.tracks for ls in t.lessons if ls.key == key), None)

    def next_lesson(self, key: str, locale: str | None = None) -> Lesson | None:
        """The lesson after this one in its track (offered in `locale`), or None at the end."""
        lesson = self.lesson(key)
        track = self.track(lesson.track) if lesson else None
        if lesson is None or track is None:
            return None
        keys = [ls.key for ls in track.lessons]
        later = track.lessons[keys.index(key) + 1 :]
        return next((ls for ls in later if locale is None or ls.offered_in(locale)), None)
