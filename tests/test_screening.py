"""Screening of typed messages: normalisation, matching, the phrase files, the audit CLI."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.files import ContentInvalid
from bot.help.categories import CATEGORIES, HELP_CATEGORIES, NONE
from bot.help.evaluation import (
    MAX_FALSE_POSITIVES,
    MIN_CRISIS_RECALL,
    MIN_RECALL,
    evaluate,
    read_labelled,
)
from bot.help.screening import Screener, Verdict, normalize
from bot.i18n.locales import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ROOT / "referrals" / "phrases"
LABELLED = ROOT / "referrals" / "labelled.jsonl"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_dir(PHRASES)


def tiny(tmp_path: Path, body: str, locale: str = "en") -> Screener:
    """A screener on one small phrase file, to pin down one matching rule at a time."""
    (tmp_path / f"{locale}.yaml").write_text(f"locale: {locale}\n{body}", encoding="utf-8")
    return Screener.from_dir(tmp_path)


# --- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        # Serbian: Cyrillic, Latin, Latin without diacritics
        ["Хоћу да умрем", "hoću da umrem", "hocu da umrem"],
        ["Ђорђе, жена, шта", "Đorđe, žena, šta", "Djordje, zena, sta"],
        # Uzbek: Cyrillic, Latin with each apostrophe people type, and without
        [
            "ўзимни ўлдиргим келяпти",
            "o'zimni o'ldirgim kelyapti",
            "oʻzimni oʻldirgim kelyapti",
            "o‘zimni o‘ldirgim kelyapti",
            "ozimni oldirgim kelyapti",
        ],
        ["ғазаб", "g'azab", "ghazab"],
        # Russian typed in Latin, the usual ways
        ["Хочу умереть", "hochu umeret'", "xochu umeret", "HOCHU UMERET!!!", "хочу умерееееть"],
        ["убить себя", "ubit sebya", "ubit sebja", "ubit' sebia"],
        ["жить, щас, цель", "zhit, shchas, tsel", "zhit, schas, cel"],
        ["всё", "все"],
        # Albanian without ë and ç
        ["vetëvrasje, çfarë", "vetevrasje, cfare"],
        # Kazakh and Kyrgyz letters
        ["өлгім келеді", "ölgim keledi", "olgim keledi"],
        ["қолымды", "qolymdy", "kolymdy"],
        ["жаңы", "zhany", "zhani"],  # not "jany": j is й/ј everywhere else (SCREENING.md)
        # ё is "yo" in Uzbek and Tajik, and "е" in most Russian typing
        ["ҳаёт, ӯ, ӣ", "hayot, u, i"],
        # Tajik ҷ typed on a Russian keyboard is ч (SCREENING.md: Latin "j" does not meet it)
        ["ҷамъ, ин ҷо, ҷинсӣ", "чамъ, ин чо, чинси"],
        ["ёрдам", "yordam"],
        ["бьёт её", "бьет ее", "b'yot eyo"],
    ],
)
def test_spellings_of_one_text_share_a_skeleton(variants: list[str]) -> None:
    skeletons = {normalize(v) for v in variants}
    assert len(skeletons) == 1, skeletons


def test_skeleton_is_lowercase_words_separated_by_single_spaces() -> None:
    assert normalize("  Hello,   WORLD!!  3-0 ") == "helo vorld 3 0"
    assert normalize("") == ""
    assert normalize("💀🙏 ...") == ""


# --- matching rules, on tiny phrase files ---------------------------------------------------


def test_gap_stands_for_up_to_three_words(tmp_path: Path) -> None:
    s = tiny(tmp_path, "categories:\n  crisis:\n    - dont .. want to live\n")
    assert s.classify("dont want to live", "en").category == "crisis"
    assert s.classify("dont really truly honestly want to live", "en").category == "crisis"
    assert s.classify("dont one two three four want to live", "en").category == NONE


def test_wildcard_matches_word_starts(tmp_path: Path) -> None:
    s = tiny(tmp_path, "categories:\n  mental_health:\n    - depress*\n")
    for text in ("depressed", "DEPRESSION", "depresiv"):
        assert s.classify(text, "en").category == "mental_health"
    assert s.classify("undepressed", "en").category == NONE


def test_one_typo_is_tolerated_in_long_words_only(tmp_path: Path) -> None:
    s = tiny(tmp_path, "categories:\n  crisis:\n    - kill myself\n    - =overdose\n")
    assert s.classify("kill mysefl", "en").category == "crisis"  # swapped letters
    assert s.classify("kill myslf", "en").category == "crisis"  # a letter missing
    assert s.classify("kill mysself", "en").category == "crisis"  # doubled: folded anyway
    assert s.classify("kill herself", "en").category == NONE  # two edits
    assert s.classify("overdoze", "en").category == NONE  # `=` turns tolerance off


def test_matching_stops_at_a_sentence_end(tmp_path: Path) -> None:
    s = tiny(tmp_path, "categories:\n  crisis:\n    - want to .. die\n")
    assert s.classify("i want to die", "en").category == "crisis"
    assert s.classify("i want to go. die hard is on tv", "en").category == NONE


def test_ignore_cancels_only_the_match_it_overlaps(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        "categories:\n  crisis:\n    - want to die\n  support:\n    - need help\n"
        "ignore:\n  - die laughing\n  - help .. lesson*\n",
    )
    assert s.classify("i want to die laughing", "en").category == NONE
    assert s.classify("need help choosing a lesson", "en").category == NONE
    assert s.classify("need help choosing a lesson. i want to die", "en").category == "crisis"


def test_an_ignore_inside_a_gap_does_not_cancel_the_words_around_it(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        "categories:\n  crisis:\n    - want .. to die\n"
        "ignore:\n  - some water\n  - want to die laughing\n",
    )
    # The ignore covers only gap words: the crisis words stand.
    assert s.classify("i want some water and to die", "en").category == "crisis"
    # An ignore covering the phrase's own words still cancels it.
    assert s.classify("i want to die laughing", "en").category == NONE


def test_most_urgent_category_wins_and_the_phrase_is_reported(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        "categories:\n  support:\n    - need someone\n  substance:\n    - drinking\n"
        "  crisis:\n    - end it all\n",
    )
    verdict = s.classify("drinking again, need someone, i want to end it all", "en")
    assert verdict == Verdict(
        category="crisis", urgent=True, matched="end it all", source="en.yaml"
    )
    assert s.classify("need someone", "en") == Verdict("support", False, "need someone", "en.yaml")
    assert s.classify("hello", "en") == Verdict(NONE, False, None, None)


# --- the real lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "that lesson was killer"),
        ("en", "my phone is dying"),
        ("en", "im dying to see the match"),
        ("en", "this traffic is killing me"),
        ("en", "we beat them 3-0"),
        ("en", "help me choose a lesson"),
        ("en", "wanna hang out?"),
        ("en", "i beat my high score"),
        ("ru", "убил время"),
        ("ru", "батарея садится"),
        ("ru", "умираю со смеху"),
        ("ru", "пацаны, он ведь прав"),
        ("ru", "можно попросить помощи с уроком? нужна помощь с тестом"),
        ("sr", "ubio sam se od smeha"),
        ("sr", "umirem od smeha"),
        ("sr", "druga lekcija je bolja"),
        ("sr", "zavisi od tebe"),
        ("sr", "nemoj naglo da prekineš"),
        ("sq", "vdiqa gazit"),
        ("sq", "më vdiq telefoni"),
        ("sq", "rroga e saj"),
        ("ky", "күлүп өлдүм"),
        ("ky", "апам мени сабак окубаганым үчүн урушту"),
        ("kk", "күлкіден өлдім"),
        ("kk", "анам маған ұрсып тастады"),
        ("uz", "kulib o'ldim"),
        ("uz", "hamma narsaga yordam beraman"),
        ("tg", "аз ханда мурдам"),
        ("tg", "ӯ мефаҳмад, ки ин танҳо бозӣ аст"),
        ("tg", "ман бурдан мехоҳам"),
    ],
)
def test_everyday_idioms_do_not_trigger(screener: Screener, lang: str, text: str) -> None:
    verdict = screener.classify(text, lang)
    assert verdict.category == NONE, verdict


@pytest.mark.parametrize(
    ("lang", "text", "category"),
    [
        ("ru", "hochu umeret bratan", "crisis"),
        ("ky", "вообще жашагым келбейт уже", "crisis"),  # Russian mixed into Kyrgyz
        ("uz", "хочу умереть уже", "crisis"),  # Russian typed by an Uzbek user
        ("sr", "хоћу да се убијем", "crisis"),  # Serbian in Cyrillic
        ("sr", "hocu da se ubijem", "crisis"),  # ... and in Latin without diacritics
        ("en", "өлгүм келет", "crisis"),  # crisis lists of every language always apply
        ("kk", "i want to kill myself", "crisis"),  # English mixed in
        ("en", "my dad beats me when he drinks", "violence_victim"),
        ("sq", "babi me rrah", "violence_victim"),
        ("sq", "kam ankth, zemra më rreh shpejt", "mental_health"),  # "rreh" here is the heart
    ],
)
def test_messages_are_caught_across_scripts(
    screener: Screener, lang: str, text: str, category: str
) -> None:
    assert screener.classify(text, lang).category == category


def test_only_crisis_crosses_into_unrelated_languages(screener: Screener) -> None:
    """Russian is in the ky chain, not in the sq one; crisis phrases apply everywhere."""
    assert screener.classify("мне одиноко", "ky").category == "mental_health"
    assert screener.classify("мне одиноко", "sq").category == NONE
    assert screener.classify("хочу умереть", "sq").category == "crisis"


def test_classify_never_logs(screener: Screener, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        screener.classify("i want to kill myself", "en")
        screener.classify("x" * 100, "xx")  # unknown locale: English rules, no error
        assert screener.classify("мне одиноко", "ru-RU").category == "mental_health"
    assert caplog.records == []


def test_a_long_message_is_screened_quickly(screener: Screener) -> None:
    """A sanity bound, not a benchmark: the brief asks for well under 10 ms."""
    filler = "we played football after school and the match was great fun honestly. "
    message = (filler * 80)[:4970] + " хочу умереть"
    assert len(message) > 4980
    screener.classify(message, "ru")
    start = time.perf_counter()
    verdict = screener.classify(message, "ru")
    assert time.perf_counter() - start < 0.25
    assert verdict.category == "crisis"


# --- the labelled set and the thresholds --------------------------------------------------


def test_labelled_set_is_large_varied_and_mostly_negative() -> None:
    examples = read_labelled(LABELLED)
    assert len(examples) >= 240
    per_lang = Counter(e.lang for e in examples)
    assert set(per_lang) == set(SUPPORTED_LOCALES)
    assert min(per_lang.values()) >= 30
    assert sum(e.category == NONE for e in examples) * 2 >= len(examples)
    assert {e.category for e in examples} == set(CATEGORIES)
    for lang in SUPPORTED_LOCALES:
        assert {e.category for e in examples if e.lang == lang} >= set(HELP_CATEGORIES), lang


def test_screening_meets_the_thresholds_in_every_language(screener: Screener) -> None:
    result = evaluate(screener, read_labelled(LABELLED))
    for score in result.languages:
        assert score.recall is not None and score.recall >= MIN_RECALL, score
        crisis = score.crisis_exact_recall  # read as a crisis, the stricter figure
        assert crisis is not None and crisis >= MIN_CRISIS_RECALL, score
        fpr = score.false_positive_rate
        assert fpr is not None and fpr <= MAX_FALSE_POSITIVES, score
    assert result.passed


# (file, recall, crisis read as crisis, false positives): figures last measured, as floors. See
# "Figures" in referrals/SCREENING.md. heldout.jsonl was never tuned on; heldout-1.jsonl is
# spent (later rounds were briefed from its misses) and stays as a regression check.
HELD_OUT = [
    ("heldout.jsonl", 0.66, 0.65, 0.05),
    ("heldout-1.jsonl", 0.88, 0.71, 0.01),
]


@pytest.mark.parametrize(("name", "recall", "crisis", "fp"), HELD_OUT)
def test_held_out_sets_are_balanced_and_do_not_regress(
    screener: Screener, name: str, recall: float, crisis: float, fp: float
) -> None:
    """A phrase change that loses ground on text nobody tuned on fails here. Raising a floor
    is fine; lowering one needs a reason in the commit."""
    examples = read_labelled(ROOT / "referrals" / name)
    per_lang = Counter(e.lang for e in examples)
    assert set(per_lang) == set(SUPPORTED_LOCALES) and min(per_lang.values()) >= 24
    assert sum(e.category == NONE for e in examples) * 2 == len(examples)
    overall = evaluate(screener, examples).overall
    assert overall.recall is not None and overall.recall >= recall, overall
    assert overall.crisis_exact_recall is not None and overall.crisis_exact_recall >= crisis, (
        overall
    )
    assert overall.false_positive_rate is not None and overall.false_positive_rate <= fp


# --- phrase file errors -------------------------------------------------------------------

BROKEN = """\
locale: ru
categories:
  crisis:
    - хочу умереть
    - ""
    - *бад
    - у*мереть
    - су*
    - .. жить
    - не хочу .. .. жить
    - хочу умерееть
  worries:
    - что-то
ignore:
  - умираю со смеху
  - всё достало
  - все достало
"""


def test_phrase_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "ru.yaml"
    # `*бад` is a YAML alias; quote it so the file parses and the wildcard check can run
    path.write_text(BROKEN.replace("- *бад", '- "*"'), encoding="utf-8")
    with pytest.raises(ContentInvalid) as caught:
        Screener.from_dir(tmp_path)
    found = {(e.path.name, e.line, e.field): e.message for e in caught.value.errors}
    assert set(found) == {
        ("ru.yaml", 5, "categories.crisis[1]"),
        ("ru.yaml", 6, "categories.crisis[2]"),
        ("ru.yaml", 7, "categories.crisis[3]"),
        ("ru.yaml", 8, "categories.crisis[4]"),
        ("ru.yaml", 9, "categories.crisis[5]"),
        ("ru.yaml", 10, "categories.crisis[6]"),
        ("ru.yaml", 11, "categories.crisis[7]"),
        ("ru.yaml", 12, "categories.worries"),
        ("ru.yaml", 17, "ignore[2]"),
    }, found
    assert "empty phrase" in found[("ru.yaml", 5, "categories.crisis[1]")]
    assert "bad wildcard" in found[("ru.yaml", 6, "categories.crisis[2]")]
    assert "bad wildcard" in found[("ru.yaml", 7, "categories.crisis[3]")]
    assert "shorter than" in found[("ru.yaml", 8, "categories.crisis[4]")]
    assert "bad gap" in found[("ru.yaml", 9, "categories.crisis[5]")]
    assert "bad gap" in found[("ru.yaml", 10, "categories.crisis[6]")]
    assert "duplicate" in found[("ru.yaml", 11, "categories.crisis[7]")]  # doubled letter
    assert "line 4" in found[("ru.yaml", 11, "categories.crisis[7]")]
    assert "unknown category 'worries'" in found[("ru.yaml", 12, "categories.worries")]
    assert "duplicate" in found[("ru.yaml", 17, "ignore[2]")]  # ё written as е
    assert str(path) in str(caught.value)


def test_unknown_locales_and_bad_yaml_are_reported(tmp_path: Path) -> None:
    (tmp_path / "xx.yaml").write_text("locale: xx\ncategories: {}\n", encoding="utf-8")
    (tmp_path / "ru.yaml").write_text("locale: kk\ncategories: {}\n", encoding="utf-8")
    (tmp_path / "en.yaml").write_text("locale: en\ncategories:\n  crisis: [a\n", encoding="utf-8")
    (tmp_path / "sr.yaml").write_text(
        "locale: sr\ncategories:\n  crisis:\n    - 42\nextra: 1\n", encoding="utf-8"
    )
    with pytest.raises(ContentInvalid) as caught:
        Screener.from_dir(tmp_path)
    found = {(e.path.name, e.line, e.field) for e in caught.value.errors}
    assert ("xx.yaml", 1, "(file name)") in found
    assert ("ru.yaml", 1, "locale") in found
    assert any(name == "en.yaml" and field == "(yaml)" for name, _, field in found)
    assert ("sr.yaml", 4, "categories.crisis[0]") in found
    assert ("sr.yaml", 5, "extra") in found


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentInvalid, match="not found"):
        Screener.from_dir(tmp_path / "nope")


# --- the audit commands -------------------------------------------------------------------

runner = CliRunner()


def test_classify_one_message() -> None:
    secret = "ne hochu zhit bolshe"
    result = runner.invoke(
        app, ["referrals", "classify", "--phrases", str(PHRASES), "--lang", "ru", secret]
    )
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line == {
        "category": "crisis",
        "urgent": True,
        "matched": "не хоч* .. жить",
        "source": "ru.yaml",
        "band": "need",
        "probability": None,  # a crisis phrase answers at once: the model is not asked
    }
    assert secret not in result.output


def test_classify_jsonl_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    rows = [
        {"lang": "sr", "text": "ubio sam se od smeha"},
        {"lang": "ky", "text": "өлгүм келет"},
        {"lang": "en", "text": "i need someone to talk to"},
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    (tmp_path / "in.jsonl").write_text(data, encoding="utf-8")
    from_file = runner.invoke(
        app,
        [
            "referrals",
            "classify",
            "--lists-only",
            "--phrases",
            str(PHRASES),
            "--jsonl",
            str(tmp_path / "in.jsonl"),
        ],
    )
    from_stdin = runner.invoke(
        app,
        ["referrals", "classify", "--lists-only", "--phrases", str(PHRASES), "--jsonl", "-"],
        input=data,
    )
    for result in (from_file, from_stdin):
        assert result.exit_code == 0, result.output
        out = [json.loads(line) for line in result.output.splitlines()]
        assert [o["category"] for o in out] == ["none", "crisis", "support"]
        assert [o["line"] for o in out] == [1, 2, 3]
        assert out[1]["urgent"] is True and out[1]["matched"] == "өлгүм кел*"
        assert "өлгүм келет" not in result.output


def test_classify_jsonl_reports_bad_lines_without_echoing_them() -> None:
    data = '{"lang": "ru", "text": "хочу умереть"}\nnot json at all\n{"lang": "zz", "text": "x"}\n'
    result = runner.invoke(
        app, ["referrals", "classify", "--phrases", str(PHRASES), "--jsonl", "-"], input=data
    )
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.output.splitlines()]
    assert out[0]["category"] == "crisis"
    assert out[1]["line"] == 2 and "not JSON" in out[1]["error"]
    assert out[2]["line"] == 3 and "unknown lang" in out[2]["error"]
    assert "not json at all" not in result.output


def evaluate_lists(labelled: Path, *more: str) -> Any:
    """`ura referrals evaluate` with the phrase lists alone, on `labelled`."""
    command = ["referrals", "evaluate", "--lists-only", "--phrases", str(PHRASES)]
    return runner.invoke(app, [*command, "--file", str(labelled), *more])


def test_evaluate_passes_on_the_labelled_set() -> None:
    result = evaluate_lists(LABELLED, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["passed"] is True
    assert {s["lang"] for s in report["languages"]} == set(SUPPORTED_LOCALES)


def test_evaluate_fails_below_the_thresholds(tmp_path: Path) -> None:
    labelled = tmp_path / "hard.jsonl"
    # A line no phrase list can catch, labelled crisis: the scoring must fail the run.
    labelled.write_text(
        '{"lang": "en", "text": "the weather is nice today", "category": "crisis"}\n'
        '{"lang": "en", "text": "lol", "category": "none"}\n',
        encoding="utf-8",
    )
    result = evaluate_lists(labelled)
    assert result.exit_code == 1
    assert "crisis recall 0.000 < 0.98" in result.output
    assert "line 1 [en] crisis -> none" in result.output
