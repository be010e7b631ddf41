"""Score the screening against a labelled set: per-language recall and false positives.

Pure and typed, so the `ura referrals evaluate` command and the tests share one definition of
the figures and of the thresholds the screening must meet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.help.categories import CATEGORIES, CRISIS, NONE
from bot.help.reader import MeaningReader, screen_many
from bot.help.screening import NEED, UNSURE, Screener, Verdict
from bot.i18n.locales import SUPPORTED_LOCALES

MIN_RECALL = 0.95
MIN_CRISIS_RECALL = 0.98
MAX_FALSE_POSITIVES = 0.05


class LabelledInvalid(ValueError):
    """A labelled file with a bad line; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    line: int
    lang: str
    text: str
    category: str


@dataclass(frozen=True)
class Miss:
    """A labelled example the screening got wrong (labelled data, safe to show)."""

    line: int
    lang: str
    text: str
    expected: str
    got: str
    matched: str | None


@dataclass(frozen=True)
class Score:
    """Counts for one language (or all of them) and the rates derived from them.

    A positive is recalled when he gets a help answer (a clear need, in any help category):
    that is what reaches him. A crisis message is recalled when he gets any help answer:
    every one shows the emergency numbers (`views.help.gentle_offer`); `crisis_exact`
    counts those read as a crisis, whose answer opens with the numbers and the crisis lines.
    `exact` counts positives given their labelled category, and `asked` the messages (of
    any label) that got the unsure band's gentle question.
    """

    lang: str
    positives: int = 0
    recalled: int = 0
    crisis: int = 0
    crisis_recalled: int = 0
    negatives: int = 0
    false_positives: int = 0
    exact: int = 0
    asked: int = 0
    crisis_exact: int = 0

    @property
    def recall(self) -> float | None:
        """Share of positives given a help answer (None without positives)."""
        return self.recalled / self.positives if self.positives else None

    @property
    def exact_recall(self) -> float | None:
        """Share of positives given their labelled category."""
        return self.exact / self.positives if self.positives else None

    @property
    def crisis_recall(self) -> float | None:
        """Share of crisis messages given a help answer (each shows the emergency numbers)."""
        return self.crisis_recalled / self.crisis if self.crisis else None

    @property
    def crisis_exact_recall(self) -> float | None:
        """Share of crisis messages read as a crisis."""
        return self.crisis_exact / self.crisis if self.crisis else None

    @property
    def false_positive_rate(self) -> float | None:
        """Share of negatives that were given any help category."""
        return self.false_positives / self.negatives if self.negatives else None

    def failures(self) -> list[str]:
        """Which thresholds this score misses, in words; empty when it passes."""
        out = []
        if self.recall is not None and self.recall < MIN_RECALL:
            out.append(f"recall {self.recall:.3f} < {MIN_RECALL}")
        if self.crisis_recall is not None and self.crisis_recall < MIN_CRISIS_RECALL:
            out.append(f"crisis recall {self.crisis_recall:.3f} < {MIN_CRISIS_RECALL}")
        fpr = self.false_positive_rate
        if fpr is not None and fpr > MAX_FALSE_POSITIVES:
            out.append(f"false positives {fpr:.3f} > {MAX_FALSE_POSITIVES}")
        return out


@dataclass(frozen=True)
class Evaluation:
    """Scores per language and overall, with every miss."""

    languages: tuple[Score, ...]
    overall: Score
    misses: tuple[Miss, ...]

    @property
    def passed(self) -> bool:
        """True when every language meets every threshold."""
        return not any(score.failures() for score in self.languages)


def parse_line(raw: str, *, need_category: bool) -> dict[str, str]:
    """One JSON line as `{"lang", "text"[, "category"]}`; `ValueError` names the problem.

    Error messages never include the text, which may be a real person's message.
    """
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("expected an object with lang and text")
    fields = ("lang", "text", "category") if need_category else ("lang", "text")
    for field in fields:
        if not isinstance(data.get(field), str):
            raise ValueError(f"field {field!r} missing or not a string")
    if data["lang"] not in SUPPORTED_LOCALES:
        raise ValueError(
            f"unknown lang {data['lang']!r}; use one of {', '.join(SUPPORTED_LOCALES)}"
        )
    if need_category and data["category"] not in CATEGORIES:
        raise ValueError(f"unknown category {data['category']!r}")
    return {field: data[field] for field in fields}


def read_labelled(path: Path) -> list[Example]:
    """Read a labelled JSON-lines file; `LabelledInvalid` names the first bad line."""
    examples = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = parse_line(raw, need_category=True)
        except ValueError as exc:
            raise LabelledInvalid(f"{path}:{number}: {exc}") from None
        examples.append(Example(number, row["lang"], row["text"], row["category"]))
    return examples


def _tally(lang: str, results: Iterable[tuple[Example, Verdict]]) -> Score:
    pos = rec = cri = cri_rec = cri_exact = neg = fp = exact = asked = 0
    for example, verdict in results:
        helped = verdict.band == NEED and verdict.category != NONE
        asked += verdict.band == UNSURE
        if example.category == NONE:
            neg += 1
            fp += helped
        else:
            pos += 1
            rec += helped
            exact += helped and verdict.category == example.category
            if example.category == CRISIS:
                cri += 1
                cri_rec += helped
                cri_exact += helped and verdict.category == CRISIS
    return Score(lang, pos, rec, cri, cri_rec, neg, fp, exact, asked, cri_exact)


def evaluate(
    screener: Screener, examples: Sequence[Example], reader: MeaningReader | None = None
) -> Evaluation:
    """Classify every example (the lists, then the model where given) and score each
    language and the whole set."""
    results: list[tuple[Example, Verdict]] = []
    misses: list[Miss] = []
    verdicts = screen_many(screener, reader, [(e.text, e.lang) for e in examples])
    for example, verdict in zip(examples, verdicts, strict=True):
        results.append((example, verdict))
        if verdict.category != example.category or verdict.band == UNSURE:
            misses.append(
                Miss(
                    example.line,
                    example.lang,
                    example.text,
                    example.category,
                    verdict.category if verdict.band != UNSURE else f"unsure:{verdict.category}",
                    verdict.matched or verdict.source,
                )
            )
    langs = [loc for loc in SUPPORTED_LOCALES if any(e.lang == loc for e in examples)]
    languages = tuple(_tally(loc, (r for r in results if r[0].lang == loc)) for loc in langs)
    return Evaluation(languages, _tally("all", results), tuple(misses))


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as plain data for `--json`."""

    def score(s: Score) -> dict[str, Any]:
        return {
            "lang": s.lang,
            "positives": s.positives,
            "recall": s.recall,
            "exact_recall": s.exact_recall,
            "crisis": s.crisis,
            "crisis_recall": s.crisis_recall,
            "crisis_exact_recall": s.crisis_exact_recall,
            "negatives": s.negatives,
            "false_positive_rate": s.false_positive_rate,
            "asked": s.asked,
            "failures": s.failures(),
        }

    return {
        "passed": evaluation.passed,
        "languages": [score(s) for s in evaluation.languages],
        "overall": score(evaluation.overall),
        "misses": [asdict(m) for m in evaluation.misses],
    }
