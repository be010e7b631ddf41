"""Screen a typed message for distress against the moderators' phrase lists.

Transparent by construction: a verdict names the phrase (as written in the list) and the file
it came from, so program staff can audit every decision with `ura referrals classify`.

The typed text is never stored or logged here: it lives in local variables for the length of
one `classify` call, no error message includes it, and nothing is cached between calls.

How a message is matched (referrals/SCREENING.md has the moderators' version):

- Both the phrases and the message go through `normalize` (one Latin skeleton for Cyrillic,
  Latin, diacritics, translit and doubled letters), and matching never crosses a sentence end.
- A phrase word matches a message word that is equal, or within one typo (Damerau-Levenshtein
  distance 1) when the word is long enough; `stem*` matches words starting with the stem;
  `..` lets up to three other words stand between two phrase words.
- Which lists apply to a message in locale L: every category of L's own list and of its
  fallback chain (ky/kk/uz/tg → ru → en; sq, sr → en), because people mix Russian and English
  in; plus the `crisis` phrases of every other list, because a man whose Telegram is set to
  English may still write in Kyrgyz, and a missed crisis costs the most. The `ignore` entries
  of every list apply: an ignore match cancels a category match when it covers one of
  that match's own words (words in a `..` gap do not count).
- Several matches: the most urgent category wins (`bot.help.categories` order), then the list
  closest to L, then the longest phrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.help.categories import CRISIS, NONE, priority
from bot.help.phrases import (
    FUZZY_PREFIX_MIN,
    Gap,
    Phrase,
    PhraseBook,
    Word,
    load_phrasebook,
    normalize,
    segments,
)
from bot.i18n.locales import SUPPORTED_LOCALES, fallback_chain, negotiate

__all__ = ["BANDS", "CLEAR", "NEED", "UNSURE", "Screener", "Verdict", "normalize"]

# The letters a skeleton is made of (y j x w q are folded away): the alphabet for typo variants.
_ALPHABET = "abcdefghiklmnoprstuvz"


# How sure screening is that he needs help: the help answer, one gentle question, or nothing.
NEED, UNSURE, CLEAR = "need", "unsure", "none"
BANDS = (NEED, UNSURE, CLEAR)


@dataclass(frozen=True)
class Verdict:
    """What screening decided about one message, and which list entry or model decided it.

    `band` follows from the category unless given: a phrase match is a clear need. Only the
    meaning model says `unsure` (its best guess stays in `category`, for audits)."""

    category: str  # one of bot.help.categories.CATEGORIES
    urgent: bool  # True for crisis
    matched: str | None  # the phrase as written in the list (None for "none" and the model)
    source: str | None  # the list's file, e.g. "ru.yaml", or "model"
    band: str = ""  # NEED, UNSURE or CLEAR
    probability: float | None = None  # the model's probability of a need, when it decided

    def __post_init__(self) -> None:
        if not self.band:
            object.__setattr__(self, "band", CLEAR if self.category == NONE else NEED)
        assert self.band in BANDS, self.band


NOTHING = Verdict(category=NONE, urgent=False, matched=None, source=None)


@dataclass(frozen=True)
class _Compiled:
    """A phrase with its words replaced by word ids; a gap of n words is stored as -n."""

    phrase: Phrase
    source: str
    rank: int  # 0 = the message's own list, then the fallback chain, then the other lists
    steps: tuple[int, ...]


@dataclass(frozen=True)
class _View:
    """The phrases that apply to one locale, indexed by the id of their first word."""

    phrases: dict[int, tuple[_Compiled, ...]]
    ignore: dict[int, tuple[_Compiled, ...]]


def _deletions(word: str) -> set[str]:
    """The word and every string one deletion away (the symmetric-delete index)."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _variants(word: str) -> set[str]:
    """Every string within one edit (delete, swap, replace, insert) of `word`."""
    out = _deletions(word)
    out.update(word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1))
    for i in range(len(word) + 1):
        for c in _ALPHABET:
            out.add(word[:i] + c + word[i:])
            if i < len(word):
                out.add(word[:i] + c + word[i + 1 :])
    return out


def _within_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance of `a` and `b` is at most 1."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :] or (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i + 1 :] == b[i:] if la > lb else a[i:] == b[i + 1 :]


class _Words:
    """Registry of every distinct phrase word, with the indexes that find them in a message."""

    def __init__(self) -> None:
        self.ids: dict[Word, int] = {}
        self.words: list[Word] = []
        self.exact: dict[str, list[int]] = {}
        self.deletes: dict[str, list[int]] = {}
        self.prefixes: dict[str, list[int]] = {}
        self.shortest = 1 << 30
        self.longest = 0

    def add(self, word: Word) -> int:
        """The id of `word`, indexing it the first time it is seen."""
        if word in self.ids:
            return self.ids[word]
        wid = self.ids[word] = len(self.words)
        self.words.append(word)
        if word.prefix:
            # A typo variant never shortens the stem below the fuzzy minimum: "наглот*" less
            # one letter is "nagot*"/"naglo*", and "naglo" is an everyday Serbian word.
            keys = {word.text}
            if word.fuzzy:
                keys |= {v for v in _variants(word.text) if len(v) >= FUZZY_PREFIX_MIN}
            for key in keys:
                self.prefixes.setdefault(key, []).append(wid)
                self.shortest = min(self.shortest, len(key))
                self.longest = max(self.longest, len(key))
        else:
            self.exact.setdefault(word.text, []).append(wid)
            if word.fuzzy:
                for key in _deletions(word.text):
                    self.deletes.setdefault(key, []).append(wid)
        return wid

    def lookup(self, token: str) -> frozenset[int]:
        """The ids of every phrase word that `token` (a message word) matches."""
        found = set(self.exact.get(token, ()))
        if self.deletes:
            for key in _deletions(token):
                for wid in self.deletes.get(key, ()):
                    if wid not in found and _within_one(token, self.words[wid].text):
                        found.add(wid)
        for k in range(self.shortest, min(len(token), self.longest) + 1):
            found.update(self.prefixes.get(token[:k], ()))
        return frozenset(found)


def _match_from(
    steps: tuple[int, ...], k: int, pos: int, ids: Sequence[frozenset[int]]
) -> tuple[int, ...] | None:
    """Match `steps[k:]` from message word `pos`: the positions of the matched words, or None.

    Gap words are not in the result, so an ignore entry that covers only the words in a gap
    ("хочу выпить воды и умереть") cannot cancel the match around it.
    """
    if k == len(steps):
        return ()
    step = steps[k]
    if step < 0:  # a gap: the next word may come up to -step words later
        want = steps[k + 1]
        for p in range(pos, min(pos - step + 1, len(ids))):
            if want in ids[p]:
                rest = _match_from(steps, k + 2, p + 1, ids)
                if rest is not None:
                    return (p, *rest)
        return None
    if pos >= len(ids) or step not in ids[pos]:
        return None
    rest = _match_from(steps, k + 1, pos + 1, ids)
    return None if rest is None else (pos, *rest)


def _find(
    index: dict[int, tuple[_Compiled, ...]], ids: Sequence[frozenset[int]]
) -> Iterable[tuple[_Compiled, tuple[int, ...]]]:
    """Every (phrase, positions of its words) of `index` found in one sentence."""
    for start, here in enumerate(ids):
        for wid in here:
            for compiled in index.get(wid, ()):
                rest = _match_from(compiled.steps, 1, start + 1, ids)
                if rest is not None:
                    yield compiled, (start, *rest)


class Screener:
    """Classifies messages against a `PhraseBook`; compile once, then call `classify`."""

    def __init__(self, book: PhraseBook) -> None:
        self._words = _Words()
        compiled: dict[str, list[_Compiled]] = {}
        ignored: list[_Compiled] = []
        for locale, phrase_list in book.lists.items():
            compiled[locale] = [self._compile(p, phrase_list.source) for p in phrase_list.phrases]
            ignored += [self._compile(p, phrase_list.source) for p in phrase_list.ignore]
        self._views = {
            locale: self._view(locale, compiled, ignored) for locale in SUPPORTED_LOCALES
        }

    def _compile(self, phrase: Phrase, source: str) -> _Compiled:
        """Replace each phrase word by its id; a gap of n words becomes -n."""
        steps = tuple(
            -step.max_words if isinstance(step, Gap) else self._words.add(step)
            for step in phrase.steps
        )
        return _Compiled(phrase, source, 0, steps)

    @staticmethod
    def _view(locale: str, compiled: dict[str, list[_Compiled]], ignored: list[_Compiled]) -> _View:
        """The phrases that apply to `locale`, ranked by how close their list is to it."""
        chain = fallback_chain(locale)
        chosen: list[_Compiled] = []
        for other, items in compiled.items():
            if other in chain:
                rank = chain.index(other)
                chosen += [_Compiled(c.phrase, c.source, rank, c.steps) for c in items]
            else:
                rank = len(chain)
                chosen += [
                    _Compiled(c.phrase, c.source, rank, c.steps)
                    for c in items
                    if c.phrase.category == CRISIS
                ]
        return _View(phrases=_by_first(chosen), ignore=_by_first(ignored))

    @classmethod
    def from_dir(cls, root: Path) -> Screener:
        """Load and compile the phrase files in `root`; raises `ContentInvalid`."""
        return cls(load_phrasebook(root))

    def classify(self, text: str, locale: str) -> Verdict:
        """The most urgent help category the message matches, or `none`."""
        view = self._views.get(locale) or self._views[negotiate(locale)]  # "ru-RU" → ru
        memo: dict[str, frozenset[int]] = {}
        best: tuple[tuple[int, int, int], _Compiled] | None = None
        for words in segments(text):
            ids = [
                memo[w] if w in memo else memo.setdefault(w, self._words.lookup(w)) for w in words
            ]
            hits = list(_find(view.phrases, ids))
            if not hits:
                continue
            # An ignore match cancels a hit when its span holds one of the hit's own words.
            spans = [(found[0], found[-1]) for _, found in _find(view.ignore, ids)]
            for compiled, found in hits:
                if any(first <= p <= last for first, last in spans for p in found):
                    continue
                key = (priority(compiled.phrase.category), compiled.rank, -len(compiled.steps))
                if best is None or key < best[0]:
                    best = (key, compiled)
        if best is None:
            return NOTHING
        phrase = best[1].phrase
        return Verdict(
            category=phrase.category,
            urgent=phrase.category == CRISIS,
            matched=phrase.text,
            source=best[1].source,
        )


def _by_first(items: Iterable[_Compiled]) -> dict[int, tuple[_Compiled, ...]]:
    """Index phrases by the id of their first word (a phrase never starts with a gap)."""
    index: dict[int, list[_Compiled]] = {}
    for item in items:
        index.setdefault(item.steps[0], []).append(item)
    return {wid: tuple(group) for wid, group in index.items()}
