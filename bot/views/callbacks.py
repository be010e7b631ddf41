"""The callback-data codec. Button data is hostile input: short, versioned, strictly parsed.

Format `v1:<kind>:<args>`; every field is validated here and the service re-checks state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.help.categories import HELP_CATEGORIES
from bot.i18n.locales import SUPPORTED_LOCALES

VERSION = "v1"
MAX_BYTES = 64


@dataclass(frozen=True)
class OpenMenu:
    """Show the list of tracks."""


@dataclass(frozen=True)
class OpenTrack:
    """Show one track's lessons."""

    track: str


@dataclass(frozen=True)
class OpenLesson:
    """Start or resume a lesson."""

    lesson: str


@dataclass(frozen=True)
class Next:
    """'Next' pressed while the lesson was at `step`."""

    lesson: str
    step: int


@dataclass(frozen=True)
class Answer:
    """A quiz option pressed."""

    lesson: str
    option: int


@dataclass(frozen=True)
class SetLocale:
    """A language chosen in the picker."""

    locale: str


@dataclass(frozen=True)
class PickLocale:
    """Show the language picker."""


@dataclass(frozen=True)
class Erase:
    """/delete confirmed: erase everything about the presser."""


@dataclass(frozen=True)
class OpenHelp:
    """'Talk to someone': the help menu (from a lesson, its needs come first)."""

    lesson: str | None = None


@dataclass(frozen=True)
class ShowHelp:
    """The services for one need."""

    category: str


@dataclass(frozen=True)
class PickCountry:
    """Show the country question (from settings, or before showing services)."""

    category: str | None = None


@dataclass(frozen=True)
class SetCountry:
    """A country chosen; `category` is the need whose services wait for the answer."""

    country: str
    category: str | None = None


@dataclass(frozen=True)
class OpenSettings:
    """Show the settings: language and country."""


@dataclass(frozen=True)
class Dismiss:
    """'No, thanks' to the offer of help."""


@dataclass(frozen=True)
class Feedback:
    """'Was this useful?' answered at the end of a lesson: useful, not_really or skip."""

    lesson: str
    answer: str


# One letter per feedback answer keeps the data short.
_FEEDBACK_LETTERS = {"useful": "u", "not_really": "n", "skip": "s"}
_FEEDBACK_OF = {letter: answer for answer, letter in _FEEDBACK_LETTERS.items()}


@dataclass(frozen=True)
class Staff:
    """A staff tool's button: `tool` names the tool's action, `arg` its one argument.

    Staff buttons share one shape so each tool keeps its own actions; the tool re-checks
    the presser's role before anything else, and a learner's forged press changes nothing.
    """

    tool: str
    arg: str = ""


@dataclass(frozen=True)
class Reminder:
    """A button of the messages Ura starts and their settings: `action` (stop, a check-in
    answer, a rhythm, an hour, a zone, quiet hours, silent, a pause) and its one argument.
    The handler checks the argument against what it offers."""

    action: str
    arg: str = ""


Action = (
    Staff
    | Reminder
    | OpenMenu
    | OpenTrack
    | OpenLesson
    | Next
    | Answer
    | SetLocale
    | PickLocale
    | Erase
    | OpenHelp
    | ShowHelp
    | PickCountry
    | SetCountry
    | OpenSettings
    | Dismiss
    | Feedback
)

_KEY = r"[a-z0-9][a-z0-9-]{0,31}"
_CATEGORY = r"[a-z_]{1,24}"
# Buttons without arguments: the kind letter alone ("m:") says everything.
_NO_ARGS: dict[str, Action] = {
    "m": OpenMenu(),
    "p": PickLocale(),
    "x": Erase(),
    "s": OpenSettings(),
    "d": Dismiss(),
}
_KIND_OF: dict[Action, str] = {action: kind for kind, action in _NO_ARGS.items()}
_PATTERNS: dict[str, re.Pattern[str]] = {
    **{kind: re.compile(r"") for kind in _NO_ARGS},
    "t": re.compile(rf"(?P<key>{_KEY})"),
    "o": re.compile(rf"(?P<key>{_KEY})"),
    "n": re.compile(rf"(?P<key>{_KEY}):(?P<num>\d{{1,3}})"),
    "q": re.compile(rf"(?P<key>{_KEY}):(?P<num>\d)"),
    "l": re.compile(r"(?P<key>[a-z]{2})"),
    "h": re.compile(rf"(?P<key>{_KEY})?"),
    "c": re.compile(rf"(?P<cat>{_CATEGORY})"),
    "g": re.compile(rf"(?P<cat>{_CATEGORY})?"),
    "k": re.compile(rf"(?P<key>[a-z]{{2}})(?::(?P<cat>{_CATEGORY}))?"),
    "f": re.compile(rf"(?P<key>{_KEY}):(?P<answer>[uns])"),
    "S": re.compile(r"(?P<tool>[a-z][a-z_]{0,11}):(?P<arg>[A-Za-z0-9_.:=-]{0,44})"),
    "r": re.compile(r"(?P<tool>[a-z]{1,8}):(?P<arg>[a-z0-9]{0,8})"),
}


def encode(action: Action) -> str:
    """Action → callback data (at most 64 bytes, Telegram's limit)."""
    match action:
        case Staff(tool, arg):
            data = f"S:{tool}:{arg}"
        case Reminder(what, arg):
            data = f"r:{what}:{arg}"
        case Feedback(lesson, answer):
            data = f"f:{lesson}:{_FEEDBACK_LETTERS[answer]}"
        case OpenMenu() | PickLocale() | Erase() | OpenSettings() | Dismiss():
            data = f"{_KIND_OF[action]}:"
        case OpenTrack(track):
            data = f"t:{track}"
        case OpenLesson(lesson):
            data = f"o:{lesson}"
        case Next(lesson, step):
            data = f"n:{lesson}:{step}"
        case Answer(lesson, option):
            data = f"q:{lesson}:{option}"
        case SetLocale(locale):
            data = f"l:{locale}"
        case OpenHelp(lesson):
            data = f"h:{lesson or ''}"
        case ShowHelp(category):
            data = f"c:{category}"
        case PickCountry(category):
            data = f"g:{category or ''}"
        case SetCountry(country, category):
            data = f"k:{country}" + (f":{category}" if category else "")
    encoded = f"{VERSION}:{data}"
    if len(encoded.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {encoded!r}")
    return encoded


def decode(data: str | None) -> Action | None:
    """Callback data → action, or None for anything malformed, unknown or forged."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != VERSION or parts[1] not in _PATTERNS:
        return None
    kind, rest = parts[1], parts[2]
    match = _PATTERNS[kind].fullmatch(rest)
    if match is None:
        return None
    groups = match.groupdict()
    if kind == "S":
        return Staff(groups["tool"], groups["arg"])
    if kind == "r":
        return Reminder(groups["tool"], groups["arg"])
    if kind == "f":
        return Feedback(groups["key"], _FEEDBACK_OF[groups["answer"]])
    key, num, cat = groups.get("key"), groups.get("num"), groups.get("cat")
    if kind in _NO_ARGS:
        return _NO_ARGS[kind]
    if cat is not None and cat not in HELP_CATEGORIES:
        return None
    if kind == "h":
        return OpenHelp(key)
    if kind == "c":
        return ShowHelp(cat) if cat else None
    if kind == "g":
        return PickCountry(cat)
    assert key is not None
    if kind == "k":
        return SetCountry(key, cat)
    if kind == "t":
        return OpenTrack(key)
    if kind == "o":
        return OpenLesson(key)
    if kind == "l":
        return SetLocale(key) if key in SUPPORTED_LOCALES else None
    assert num is not None
    return Next(key, int(num)) if kind == "n" else Answer(key, int(num))
