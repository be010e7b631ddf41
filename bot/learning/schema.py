"""Pydantic schemas of the lesson files: the single statement of what a valid file holds."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_CARD_CHARS = 600
MAX_BUTTON_CHARS = 60
MAX_TEXT_CHARS = 1000

TAGS = frozenset(
    {
        "fatherhood",
        "mental_health",
        "anger",
        "gender_equality",
        "relationships",
        "health",
        "substance",
        "support",
        "violence_victim",
        "violence_perpetrator",
        "crisis",
    }
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,23}$")]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)
]
Card = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CARD_CHARS)
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BUTTON_CHARS)
]
Status = Literal["reviewed", "draft"]


class _Strict(BaseModel):
    """Unknown fields are mistakes (a typo in a key must not silently drop text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TrackFile(_Strict):
    """`lessons/<track>/track.<locale>.yaml`."""

    id: Key
    order: int = Field(ge=1)
    status: Status
    title: Label
    description: Text


class OptionFile(_Strict):
    """One quiz option."""

    text: Label
    correct: bool = False
    feedback: Text


class QuizFile(_Strict):
    """The quiz: one question, 2–4 options, exactly one of them correct."""

    question: Text
    options: list[OptionFile] = Field(min_length=2, max_length=4)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[OptionFile]) -> list[OptionFile]:
        """A quiz without a right answer, or with several, cannot give honest feedback."""
        if sum(option.correct for option in options) != 1:
            raise ValueError("exactly one option must have `correct: true`")
        return options


class LessonFile(_Strict):
    """`lessons/<track>/<NN>-<slug>.<locale>.yaml`."""

    id: Key
    track: Key
    order: int = Field(ge=1)
    status: Status
    title: Label
    cards: list[Card] = Field(min_length=3, max_length=5)
    think: Text
    quiz: QuizFile
    act: Text
    tags: list[str] = Field(min_length=1)
    # A heavy topic (suicide, violence, loss): its closing screen offers help once more.
    # Translations inherit it from their source; they may repeat it, but not change it.
    heavy: bool | None = None

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, tags: list[str]) -> list[str]:
        """Tags link lessons to referral categories, so only known ones are allowed."""
        unknown = sorted(set(tags) - TAGS)
        if unknown:
            raise ValueError(f"unknown tag(s) {unknown}; allowed: {sorted(TAGS)}")
        return tags
