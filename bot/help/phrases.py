"""Read `referrals/phrases/<locale>.yaml` into a `PhraseBook`, with errors naming file, line, field.

The phrase lists are data a moderator reviews, not code. This module also owns `normalize`,
the one function that turns both the phrases and a typed message into the same Latin
"skeleton"; keeping it next to the loader guarantees that a phrase is compiled exactly the way
a message is read. `bot.help.screening` re-exports it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

# item_lines: the loader's own locator, so entries and errors agree on line numbers.
from bot.files import ContentError, ContentInvalid, YamlReader, item_lines
from bot.help.categories import HELP_CATEGORIES
from bot.i18n.locales import SUPPORTED_LOCALES

__all__ = [
    "FUZZY_PREFIX_MIN",
    "FUZZY_WORD_MIN",
    "GAP_WORDS",
    "IGNORE",
    "PREFIX_MIN",
    "Gap",
    "Phrase",
    "PhraseBook",
    "PhraseList",
    "PhraseSyntaxError",
    "Step",
    "Word",
    "load_phrasebook",
    "normalize",
    "parse_phrase",
    "segments",
]

GAP_WORDS = 3  # `..` stands for up to this many other words
PREFIX_MIN = 3  # a wildcard stem must keep at least this many skeleton letters
FUZZY_WORD_MIN = 6  # words this long (skeleton) also match with one typo
FUZZY_PREFIX_MIN = 6  # wildcard stems this long also match with one typo
IGNORE = "ignore"  # the pseudo-category of `ignore:` entries

# --- normalisation -----------------------------------------------------------------------

# Apostrophes vanish inside words: o'zimni, oʻlgim, don't, umeret' (ь typed as ').
_APOSTROPHES = "'’‘ʻʼʽ`´ʹ"

# Every Cyrillic letter of ru/sr/ky/kk/uz/tg to plain Latin; the digraphs are folded below.
# ь and ъ carry no letter; ё becomes yo like the Latin spelling (see the io fold below).
# Tajik ҷ meets ч: on a Russian keyboard that is how it is typed ("чамъ" for "ҷамъ").
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Serbian
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz",
    # Kazakh, Kyrgyz, Uzbek, Tajik
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
    "і": "i", "ў": "o", "ҳ": "h", "ҷ": "ch", "ӣ": "i", "ӯ": "u", "ҹ": "ch", "ҝ": "k",
    # Ukrainian and Belarusian letters that turn up in Russian typing
    "є": "e", "ї": "i", "ґ": "g",
}  # fmt: skip
# Latin letters that NFKD does not take apart.
_LATIN = {"đ": "dj", "ð": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o",
          "ı": "i", "ə": "a", "ŋ": "n", "ħ": "h"}  # fmt: skip
_FIRST_PASS = str.maketrans({**dict.fromkeys(_APOSTROPHES, ""), **_CYRILLIC, **_LATIN})
# Spelling variants that should meet: sh/š/ш, ch/č/ć/ч, zh/ž/ж, kh/x/х/ҳ, gh/ғ, ts+vowel/ц.
_DIGRAPHS = re.compile(r"shch|sch|sh|ch|zh|kh|gh|ts(?=[aeiouy])")
_DIGRAPH_TO = {"shch": "s", "sch": "s", "sh": "s", "ch": "c", "zh": "z", "kh": "h",
               "gh": "g", "ts": "c"}  # fmt: skip
# y, j and i are one sound in translit (я=ya=ja=ia, й=y=j=i); x=kh, w=v, q=қ=k.
_SECOND_PASS = str.maketrans({"y": "i", "j": "i", "x": "h", "w": "v", "q": "k"})
_REPEATS = re.compile(r"(.)\1+")
# Sentence ends: matching never reaches across them (a decimal point is not one).
_SENTENCE_END = re.compile(r"[!?;…\n\r]+|\.(?!\d)")
_WORD = re.compile(r"[^\W_]+")


def _skeleton_chars(text: str) -> str:
    """Lowercase Latin skeleton of `text`, punctuation kept (for sentence breaks)."""
    text = unicodedata.normalize("NFC", text).lower().translate(_FIRST_PASS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _DIGRAPHS.sub(lambda m: _DIGRAPH_TO[m.group()], text)
    text = _REPEATS.sub(r"\1", text.translate(_SECOND_PASS))
    # yo/jo/ё all end up as "io": fold it to "e", as Russians write всё as все, while
    # Uzbek and Tajik keep ё = yo (ёрдам = yordam, ҳаёт = hayot) and must still meet.
    return _REPEATS.sub(r"\1", text.replace("io", "e"))


def segments(text: str) -> list[list[str]]:
    """The skeleton words of `text`, one list per sentence."""
    found = (_WORD.findall(part) for part in _SENTENCE_END.split(_skeleton_chars(text)))
    return [words for words in found if words]


def normalize(text: str) -> str:
    """The skeleton of `text`: what phrases and messages are compared on.

    Lowercase; Cyrillic transliterated; diacritics and apostrophes dropped; spelling
    variants folded (sh/š/ш → s, ch/č/ć/ч → c, zh/ž/ж → z, kh/x/х → h, y/j/й → i, q/қ → k,
    w → v, yo/ё → e); repeated letters collapsed; words separated by single spaces.
    """
    return " ".join(word for words in segments(text) for word in words)


# --- phrase syntax -----------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """One word of a phrase, as a skeleton; `prefix` for `stem*`, `fuzzy` when typos count."""

    text: str
    prefix: bool = False
    fuzzy: bool = False


@dataclass(frozen=True)
class Gap:
    """`..` in a phrase: up to `GAP_WORDS` other words may stand here."""

    max_words: int = GAP_WORDS


Step = Word | Gap


class PhraseSyntaxError(ValueError):
    """A phrase that cannot be compiled; the message says what to change."""


def _words(raw: str) -> Iterator[Word]:
    """Compile one whitespace-separated token (`word`, `stem*`, `=word`) into skeleton words."""
    exact = raw.startswith("=")
    body = raw[1:] if exact else raw
    prefix = body.endswith("*")
    body = body[:-1] if prefix else body
    if "*" in body or (prefix and not body):
        raise PhraseSyntaxError(f"bad wildcard in {raw!r}: write * once, at the end of a word")
    if "=" in body:
        raise PhraseSyntaxError(f"bad exact marker in {raw!r}: write = once, before a word")
    if ".." in body:
        raise PhraseSyntaxError(f"bad gap in {raw!r}: write .. as a word of its own")
    parts = normalize(body).split()
    if not parts:
        raise PhraseSyntaxError(f"{raw!r} has no letters or digits")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        is_prefix = prefix and last
        if is_prefix and len(part) < PREFIX_MIN:
            raise PhraseSyntaxError(
                f"bad wildcard in {raw!r}: the stem {part!r} is shorter than {PREFIX_MIN}"
                " letters and would match too many words"
            )
        threshold = FUZZY_PREFIX_MIN if is_prefix else FUZZY_WORD_MIN
        yield Word(part, prefix=is_prefix, fuzzy=not exact and len(part) >= threshold)


def parse_phrase(text: str, words: dict[str, tuple[Word, ...]] | None = None) -> tuple[Step, ...]:
    """Compile a phrase as written in a list into its steps; raise `PhraseSyntaxError`.

    `words` remembers each token's words across the phrases of one load (most tokens recur,
    and normalizing them is most of the load); it only ever holds list text, never a message.
    """
    words = {} if words is None else words
    steps: list[Step] = []
    for raw in text.split():
        if raw == "..":
            if not steps or isinstance(steps[-1], Gap):
                raise PhraseSyntaxError("bad gap: .. must stand between two words")
            steps.append(Gap())
        elif raw.strip(".") == "":
            raise PhraseSyntaxError(f"bad gap {raw!r}: write exactly two dots")
        else:
            if raw not in words:
                words[raw] = tuple(_words(raw))
            steps.extend(words[raw])
    if not steps:
        raise PhraseSyntaxError("empty phrase")
    if isinstance(steps[-1], Gap):
        raise PhraseSyntaxError("bad gap: .. must stand between two words")
    return tuple(steps)


# --- the book ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """One compiled list entry; `text` is kept exactly as written, for the audit."""

    text: str
    category: str  # a help category, or IGNORE
    steps: tuple[Step, ...]
    line: int


@dataclass(frozen=True)
class PhraseList:
    """One language's file: its phrases by category and its `ignore` entries."""

    locale: str
    source: str  # the file name, e.g. "ru.yaml"
    phrases: tuple[Phrase, ...]
    ignore: tuple[Phrase, ...]


@dataclass(frozen=True)
class PhraseBook:
    """Every language's list, keyed by locale."""

    lists: Mapping[str, PhraseList]


class PhraseFile(BaseModel):
    """The shape of one phrase file (see referrals/SCREENING.md)."""

    model_config = ConfigDict(extra="forbid")

    locale: str
    categories: dict[str, list[str]]
    ignore: list[str] = []


def _compile_list(reader: YamlReader, path: Path, node: yaml.Node, f: PhraseFile) -> PhraseList:
    """Compile every entry, recording unknown categories, bad syntax and duplicates."""
    seen: dict[tuple[Step, ...], str] = {}
    words: dict[str, tuple[Word, ...]] = {}
    phrases: list[Phrase] = []
    ignore: list[Phrase] = []
    entries: list[tuple[str, list[str | int], str, int]] = []
    for category, texts in f.categories.items():
        if category not in HELP_CATEGORIES:
            reader.error(
                path,
                node,
                ["categories", category],
                f"unknown category {category!r}; use one of {', '.join(HELP_CATEGORIES)}",
            )
            continue
        lines = item_lines(node, ["categories", category])
        entries += [
            (category, ["categories", category, i], t, line)
            for i, (t, line) in enumerate(zip(texts, lines, strict=True))
        ]
    lines = item_lines(node, ["ignore"])
    entries += [
        (IGNORE, ["ignore", i], t, line)
        for i, (t, line) in enumerate(zip(f.ignore, lines, strict=True))
    ]

    for category, loc, text, line in entries:
        try:
            steps = parse_phrase(text, words)
        except PhraseSyntaxError as exc:
            reader.error(path, node, loc, str(exc))
            continue
        if steps in seen:
            reader.error(path, node, loc, f"duplicate phrase {text!r}: same as {seen[steps]}")
            continue
        seen[steps] = f"line {line} ({loc[0]}{'.' + str(loc[1]) if len(loc) == 3 else ''})"
        target = ignore if category == IGNORE else phrases
        target.append(Phrase(text=text, category=category, steps=steps, line=line))
    return PhraseList(f.locale, path.name, tuple(phrases), tuple(ignore))


def load_phrasebook(root: Path) -> PhraseBook:
    """Load and validate every `<locale>.yaml` under `root`; raise `ContentInvalid` with all errors."""
    reader = YamlReader()
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, 1, "(folder)", "phrases folder not found")])
    lists: dict[str, PhraseList] = {}
    for path in sorted(root.glob("*.yaml")):
        if path.stem not in SUPPORTED_LOCALES:
            reader.file_error(
                path,
                "(file name)",
                f"unknown locale {path.stem!r}; name the file <locale>.yaml, one of"
                f" {', '.join(SUPPORTED_LOCALES)}",
            )
            continue
        parsed = reader.parse(path, PhraseFile)
        if parsed is None:
            continue
        f, node = parsed
        if f.locale != path.stem:
            reader.error(
                path,
                node,
                ["locale"],
                f"unknown locale {f.locale!r}"
                if f.locale not in SUPPORTED_LOCALES
                else f"locale {f.locale!r} does not match the file name {path.name!r}",
            )
            continue
        lists[f.locale] = _compile_list(reader, path, node, f)
    if not lists and not reader.errors:
        reader.file_error(root, "(folder)", "no <locale>.yaml files found")
    reader.raise_if_any()
    return PhraseBook(lists=lists)
