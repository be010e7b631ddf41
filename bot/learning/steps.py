"""A lesson's steps and the screen of one step: cards → THINK! → quiz → feedback → ACT!
→ done. Plain values the player returns and the views render."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.learning.model import LessonText


class Stage(StrEnum):
    """What a step shows."""

    CARD = "card"
    THINK = "think"
    QUIZ = "quiz"
    FEEDBACK = "feedback"
    ACT = "act"
    DONE = "done"


_AFTER_CARDS = (Stage.THINK, Stage.QUIZ, Stage.FEEDBACK, Stage.ACT, Stage.DONE)


def stage_of(step: int, card_count: int) -> Stage:
    """Steps 0..n-1 are cards, then one step for each later stage."""
    return Stage.CARD if step < card_count else _AFTER_CARDS[step - card_count]


def step_of(stage: Stage, card_count: int) -> int:
    """The first step of a stage."""
    return 0 if stage is Stage.CARD else card_count + _AFTER_CARDS.index(stage)


@dataclass(frozen=True)
class NextLesson:
    """The lesson offered after finishing one."""

    key: str
    title: str


@dataclass(frozen=True)
class Screen:
    """Everything a view needs to show one step of a lesson, in one language."""

    lesson_key: str
    step: int
    stage: Stage
    text: LessonText
    requested_locale: str
    chosen: int | None = None
    next_lesson: NextLesson | None = None
    changed: bool = True
    just_completed: bool = False
    heavy: bool = False  # a heavy topic: the closing screen offers help once more

    @property
    def card_count(self) -> int:
        """How many cards the lesson has."""
        return len(self.text.cards)

    @property
    def fell_back(self) -> bool:
        """True when the lesson is shown in another language than the learner's."""
        return self.text.locale != self.requested_locale
