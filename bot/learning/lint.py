"""What a reviewer would catch in a lesson file that the schema cannot: contact details in
the text, and a menu label (title, quiz button) in a second script.

Phone numbers and addresses must only ever come from the curated referral directory, so a
lesson may name no number, link or e-mail at all. And a young man whose Telegram is in
Latin-script Uzbek must not meet a Cyrillic button, nor a Kyrgyz reader a Latin one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from bot.files import YamlReader
from bot.learning.schema import LessonFile, TrackFile

# Seven or more digits joined by spaces, dashes, dots, slashes or brackets: a phone number
# (a year, "40 euros", "1,000" or "3 a.m." is not).
PHONE = re.compile(r"(?<![\w,])\+?\(?\d(?:[\s\-./()]{0,2}\d){6,}(?![\w,])")
LINK = re.compile(
    r"(?i)\b(?:https?://|www\.|t\.me/|[\w.-]+@[\w-]+\.\w{2,}|[\w-]+\.(?:com|org|net|info|kz|kg|uz|tj|ru|rs|al|mk|me|ba|tr|de)\b/?)"
)
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
# The script of each language's menus; Serbian may be written in either, but one at a time.
SCRIPT = {
    "en": "latin",
    "sq": "latin",
    "uz": "latin",
    "ru": "cyrillic",
    "ky": "cyrillic",
    "kk": "cyrillic",
    "tg": "cyrillic",
    "sr": "either",
}


def _texts(f: LessonFile) -> Iterator[tuple[list[str | int], str]]:
    yield ["title"], f.title
    for number, card in enumerate(f.cards):
        yield ["cards", number], card
    yield ["think"], f.think
    yield ["quiz", "question"], f.quiz.question
    for number, option in enumerate(f.quiz.options):
        yield ["quiz", "options", number, "text"], option.text
        yield ["quiz", "options", number, "feedback"], option.feedback
    yield ["act"], f.act


def _labels(f: LessonFile) -> Iterator[tuple[list[str | int], str]]:
    """What a menu or a button shows of a lesson: its title and its quiz's buttons."""
    return ((loc, text) for loc, text in _texts(f) if loc[0] == "title" or loc[-1] == "text")


def second_script(text: str, locale: str) -> str | None:
    """The script `text` should not contain in `locale`'s menus, if it does."""
    script = SCRIPT.get(locale, "either")
    has_cyrillic, has_latin = bool(CYRILLIC.search(text)), bool(LATIN.search(text))
    if script == "latin" and has_cyrillic:
        return "Cyrillic"
    if script == "cyrillic" and has_latin:
        return "Latin"
    if script == "either" and has_cyrillic and has_latin:
        return "both Latin and Cyrillic"
    return None


def check_lesson(
    reader: YamlReader, path: Path, node: yaml.Node, f: LessonFile, locale: str
) -> None:
    """Contact details anywhere in the lesson; a second script in its menu labels."""
    for loc, text in _texts(f):
        for pattern, what in ((PHONE, "a phone number"), (LINK, "a link or address")):
            found = pattern.search(text)
            if found:
                reader.error(
                    path,
                    node,
                    loc,
                    f"{what} ({found.group().strip()!r}): lessons name no contacts; help "
                    "services come only from the referral directory",
                )
    for loc, text in _labels(f):
        script = second_script(text, locale)
        if script:
            reader.error(path, node, loc, f"{script} letters in a {locale!r} menu label")


def check_track(reader: YamlReader, path: Path, node: yaml.Node, f: TrackFile, locale: str) -> None:
    """A track's title is a menu label too."""
    script = second_script(f.title, locale)
    if script:
        reader.error(path, node, ["title"], f"{script} letters in a {locale!r} menu label")
