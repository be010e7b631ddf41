"""The meaning model beside the phrase lists: the committed model matches the committed
training data, its features are stable across processes, the lists keep the last word
where a phrase fires, and the command line says when the model decided."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from bot.help.categories import CRISIS, NONE
from bot.help.model import (
    EMBED_DIM,
    SOURCE,
    MeaningModel,
    ModelInvalid,
    combine,
    ngrams,
)
from bot.help.reader import MeaningReader, screen_many
from bot.help.screening import CLEAR, NEED, NOTHING, UNSURE, Screener, Verdict
from bot.help.training import data_hash, training_files
from tests.processes import ROOT, environment

REFERRALS = ROOT / "referrals"
MODEL = REFERRALS / "model"


@pytest.fixture(scope="module")
def model() -> MeaningModel:
    return MeaningModel.load(MODEL)


def test_the_committed_model_was_trained_on_the_committed_data(model: MeaningModel) -> None:
    """Change a training file and this fails until `ura referrals train` is run again."""
    assert model.meta["training_sha256"] == data_hash(training_files(REFERRALS))
    assert model.meta["training_files"] == [
        str(p.relative_to(REFERRALS)) for p in training_files(REFERRALS)
    ]
    t = model.thresholds
    assert 0 < t.unsure <= t.need < 1 and 0 < t.crisis < 1
    assert set(model.meta["out_of_fold"]) == {"en", "sq", "sr", "ru", "ky", "kk", "uz", "tg"}


def test_ngrams_are_the_same_in_every_process_and_script() -> None:
    here = ngrams("Хочу умереть")
    code = "from bot.help.model import ngrams; print(sorted(ngrams('Хочу умереть').items()))"
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(PYTHONHASHSEED="123"),
        check=True,
    ).stdout
    assert there.strip() == str(sorted(here.items()))
    assert ngrams("hochu umeret") == here  # one skeleton for both scripts
    assert abs(sum(v * v for v in here.values()) - 1) < 1e-6
    assert ngrams("") == {} and ngrams("!!!") == {}


def test_a_broken_model_folder_is_one_clear_error(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    with pytest.raises(ModelInvalid, match=r"screening\.json"):
        MeaningModel.load(folder)
    (folder / "screening.json").write_text(json.dumps({"classes": ["none"]}), encoding="utf-8")
    with pytest.raises(ModelInvalid):
        MeaningModel.load(folder)


def _model_says(category: str, band: str) -> Verdict:
    return Verdict(category, category == CRISIS, None, SOURCE, band, 0.5)


def test_the_lists_keep_the_last_word_except_that_the_model_may_raise_to_crisis() -> None:
    listed = Verdict("mental_health", False, "depressed", "en.yaml")
    assert combine(listed, None) is listed
    assert combine(listed, _model_says("support", NEED)) is listed
    assert combine(listed, _model_says(NONE, CLEAR)) is listed
    raised = _model_says(CRISIS, NEED)
    assert combine(listed, raised) is raised
    assert combine(NOTHING, _model_says("health", UNSURE)).band == UNSURE
    assert combine(NOTHING, _model_says(NONE, CLEAR)).band == CLEAR


def test_probabilities_and_bands(model: MeaningModel) -> None:
    probs = model.probabilities(np.zeros(EMBED_DIM, dtype=np.float32), ngrams("hello"))
    assert set(probs) == set(model.classes) and abs(sum(probs.values()) - 1) < 1e-5
    assert model.verdict({**{c: 0.0 for c in model.classes}, NONE: 1.0}).band == CLEAR
    crisis = model.verdict({**{c: 0.0 for c in model.classes}, CRISIS: 1.0})
    assert (crisis.category, crisis.band, crisis.urgent, crisis.source) == (
        CRISIS,
        NEED,
        True,
        SOURCE,
    )


def test_the_model_reads_meaning_the_lists_do_not_see(model: MeaningModel) -> None:
    """Plain messages, clearly one way or the other; the figures are in SCREENING.md."""
    screener = Screener.from_dir(REFERRALS / "phrases")
    reader = MeaningReader(model)
    calm = ["what time is the match tonight", "I finished the second lesson, it was good"]
    verdicts = screen_many(screener, reader, [(text, "en") for text in calm])
    assert all(v.band == CLEAR for v in verdicts), verdicts
    reader.close()


def classify(*args: str) -> dict[str, object]:
    """`ura referrals classify --lang en ARGS…` in its own process: its one JSON line."""
    out = subprocess.run(
        [sys.executable, "-m", "bot", "referrals", "classify", "--lang", "en", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(),
        timeout=120,
        check=True,
    )
    found: dict[str, object] = json.loads(out.stdout)
    return found


def test_classify_says_when_the_model_decided() -> None:
    line = classify("see you at football tomorrow")
    assert {"category", "urgent", "matched", "source", "band", "probability"} <= set(line)
    assert line["source"] == SOURCE and line["band"] == CLEAR
    assert isinstance(line["probability"], float)
    lists = classify("--lists-only", "see you at football tomorrow")
    assert lists["source"] is None


# (file, recall, crisis read as crisis, false positives) of lists + the committed model
# (referrals/SCREENING.md, "Figures"), kept as floors: a retrain that loses ground fails
# here. Each set was scored once as written. heldout-2 to heldout-6 were spent in turn and
# are training data now (referrals/training/spent-*); heldout-7 and heldout-8 were spent on
# the round-7 model, heldout-9 on the round-9 one; the round-10 model was kept on
# heldout-10, scored once, and then measured on the spent sets too.
HELD_OUT = [
    ("heldout.jsonl", 0.98, 0.99, 0.09),
    ("heldout-7.jsonl", 0.95, 0.88, 0.08),
    ("heldout-8.jsonl", 0.91, 0.84, 0.09),
    ("heldout-9.jsonl", 0.92, 0.83, 0.06),
    ("heldout-10.jsonl", 0.91, 0.83, 0.05),
    ("heldout-11.jsonl", 0.92, 0.83, 0.09),
]


@pytest.mark.parametrize(("name", "recall", "crisis", "fp"), HELD_OUT)
def test_held_out_figures_with_the_model_do_not_regress(
    model: MeaningModel, name: str, recall: float, crisis: float, fp: float
) -> None:
    from bot.help.evaluation import evaluate, read_labelled

    screener = Screener.from_dir(REFERRALS / "phrases")
    reader = MeaningReader(model)
    overall = evaluate(screener, read_labelled(REFERRALS / name), reader).overall
    reader.close()
    assert overall.recall is not None and overall.recall >= recall, overall
    assert overall.crisis_exact_recall is not None and overall.crisis_exact_recall >= crisis, (
        overall
    )
    assert overall.false_positive_rate is not None and overall.false_positive_rate <= fp
