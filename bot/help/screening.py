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

from collections.abc import Iterable, Iterator, Sequence
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
    source: str  # the list's file, e.g. "ru.yaml"
    locale: str  # the list's locale: how close it is to a message's locale ranks it
    steps: tuple[int, ...]


def _deletions(word: str) -> Iterator[str]:
    """The word and every string one deletion away (the symmetric-delete keys): two words
    within one edit (Damerau) always share one of them. A key may repeat (a doubled letter;
    rare, since normalizing folds them)."""
    yield word
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


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
    """Registry of every distinct phrase word, with the indexes that find them in a message.

    Typos are found by symmetric delete for whole words and stems alike: each key is the word
    or the word less one letter, and a candidate is confirmed with `_within_one`. (Indexing
    every one-edit variant of each stem instead made 130,000 keys and most of start-up.)
    """

    def __init__(self) -> None:
        self.ids: dict[Word, int] = {}
        self.words: list[Word] = []
        self.exact: dict[str, list[int]] = {}
        self.deletes: dict[str, list[int]] = {}
        self.prefixes: dict[str, list[int]] = {}
        self.prefix_deletes: dict[str, list[int]] = {}
        self.prefix_lengths: set[int] = set()  # stem lengths, as written
        self.fuzzy_lengths: set[int] = set()  # lengths a typed stem with one typo may have

    def add(self, word: Word) -> int:
        """The id of `word`, indexing it the first time it is seen."""
        if word in self.ids:
            return self.ids[word]
        wid = self.ids[word] = len(self.words)
        self.words.append(word)
        text = word.text
        if word.prefix:
            self.prefixes.setdefault(text, []).append(wid)
            self.prefix_lengths.add(len(text))
            if word.fuzzy:
                for key in set(_deletions(text)):
                    self.prefix_deletes.setdefault(key, []).append(wid)
                # A typo never shortens the stem below the fuzzy minimum: "наглот*" less one
                # letter is "naglo*", and "naglo" is an everyday Serbian word.
                self.fuzzy_lengths.update(
                    range(max(len(text) - 1, FUZZY_PREFIX_MIN), len(text) + 2)
                )
        else:
            self.exact.setdefault(text, []).append(wid)
            if word.fuzzy:
                for key in set(_deletions(text)):
                    self.deletes.setdefault(key, []).append(wid)
        return wid

    def lookup(self, token: str) -> frozenset[int]:
        """The ids of every phrase word that `token` (a message word) matches."""
        found = set(self.exact.get(token, ()))
        self._near(token, self.deletes, found)
        for k in self.prefix_lengths:
            if k <= len(token):
                found.update(self.prefixes.get(token[:k], ()))
        for k in self.fuzzy_lengths:
            if k <= len(token):
                self._near(token[:k], self.prefix_deletes, found)
        return frozenset(found)

    def _near(self, text: str, index: dict[str, list[int]], found: set[int]) -> None:
        """Add the words of a symmetric-delete `index` within one edit of `text`."""
        if not index:
            return
        get, words = index.get, self.words
        for key in _deletions(text):  # no set built: this is a long message's hot path
            for wid in get(key, ()):
                if wid not in found and _within_one(text, words[wid].text):
                    found.add(wid)


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
    """Classifies messages against a `PhraseBook`; compile once, then call `classify`.

    One index serves every locale: which lists apply, and how close each is, is a small
    table per locale read at match time (a copy of the index per locale cost start-up)."""

    def __init__(self, book: PhraseBook) -> None:
        self._words = _Words()
        phrases: list[_Compiled] = []
        ignored: list[_Compiled] = []
        for locale, phrase_list in book.lists.items():
            source = phrase_list.source
            phrases += [self._compile(p, source, locale) for p in phrase_list.phrases]
            ignored += [self._compile(p, source, locale) for p in phrase_list.ignore]
        self._phrases, self._ignore = _by_first(phrases), _by_first(ignored)
        # locale → {list locale: rank}: other lists rank after the chain, with crisis only.
        self._ranks = {locale: _ranks(locale, book.lists) for locale in SUPPORTED_LOCALES}

    def _compile(self, phrase: Phrase, source: str, locale: str) -> _Compiled:
        """Replace each phrase word by its id; a gap of n words becomes -n."""
        steps = tuple(
            -step.max_words if isinstance(step, Gap) else self._words.add(step)
            for step in phrase.steps
        )
        return _Compiled(phrase, source, locale, steps)

    @classmethod
    def from_dir(cls, root: Path) -> Screener:
        """Load and compile the phrase files in `root`; raises `ContentInvalid`."""
        return cls(load_phrasebook(root))

    def classify(self, text: str, locale: str) -> Verdict:
        """The most urgent help category the message matches, or `none`."""
        ranks = self._ranks.get(locale) or self._ranks[negotiate(locale)]  # "ru-RU" → ru
        outside = max(ranks.values(), default=-1) + 1  # after every list of the chain
        memo: dict[str, frozenset[int]] = {}
        best: tuple[tuple[int, int, int], _Compiled] | None = None
        for words in segments(text):
            ids = [
                memo[w] if w in memo else memo.setdefault(w, self._words.lookup(w)) for w in words
            ]
            hits = [
                (compiled, found, ranks.get(compiled.locale, outside))
                for compiled, found in _find(self._phrases, ids)
                if compiled.locale in ranks or compiled.phrase.category == CRISIS
            ]
            if not hits:
                continue
            # An ignore match cancels a hit when its span holds one of the hit's own words.
            spans = [(found[0], found[-1]) for _, found in _find(self._ignore, ids)]
            for compiled, found, rank in hits:
                if any(first <= p <= last for first, last in spans for p in found):
                    continue
                key = (priority(compiled.phrase.category), rank, -len(compiled.steps))
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


def _ranks(locale: str, lists: Iterable[str]) -> dict[str, int]:
    """The lists of `locale`'s fallback chain that exist, each with its place in the chain."""
    chain = fallback_chain(locale)
    return {other: chain.index(other) for other in lists if other in chain}


def _by_first(items: Iterable[_Compiled]) -> dict[int, tuple[_Compiled, ...]]:
    """Index phrases by the id of their first word (a phrase never starts with a gap)."""
    index: dict[int, list[_Compiled]] = {}
    for item in items:
        index.setdefault(item.steps[0], []).append(item)
    return {wid: tuple(group) for wid, group in index.items()}
