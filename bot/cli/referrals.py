"""`ura referrals …`: validate the directory, and audit the screening (classify, evaluate)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import content_or_exit
from bot.config import Settings

if TYPE_CHECKING:  # imported lazily at run time, so `ura --help` stays fast
    from bot.help.evaluation import Evaluation
    from bot.help.reader import MeaningReader
    from bot.help.screening import Screener, Verdict

app = typer.Typer(
    help="Help and referrals: the directory and the screening audit.", no_args_is_help=True
)


DirectoryDir = Annotated[
    Path | None,
    typer.Option("--dir", help="The directory folder (default: URA_REFERRALS_DIR/directory)."),
]
Today = Annotated[
    str | None,
    typer.Option("--today", metavar="YYYY-MM-DD", help="Check as of this date (default: today)."),
]


@app.command("check")
def referrals_check(directory: DirectoryDir = None, today: Today = None) -> None:
    """Validate the referral directory; list gaps and entries that need re-verifying.

    Exits 1 only for errors: stale entries are a coordinator's to-do list, not a failure.
    """
    from datetime import date

    from bot.help.categories import HELP_CATEGORIES
    from bot.help.directory import load_directory

    settings = Settings()
    root = directory or settings.referrals_dir / "directory"
    try:
        as_of = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise typer.BadParameter(
            f"{today!r} is not a date like 2026-11-24", param_hint="--today"
        ) from None
    found = content_or_exit(lambda: load_directory(root, today=as_of), root)
    for country in found.countries:
        missing = [c for c in HELP_CATEGORIES if not found.services_for(country.code, c)]
        emergency = ", ".join(s.phone or "" for s in found.emergency(country.code))
        typer.echo(
            f"{country.code} {country.name_for('en')}: {len(country.services)} services"
            f" (emergency {emergency}); no service yet for: {', '.join(missing) or '-'}"
        )
    stale = found.stale(today=as_of, max_age_days=settings.referral_max_age_days)
    for service in stale:
        if service.verified_on is None:
            typer.echo(f"UNVERIFIED {service.key}: never verified, source {service.source}")
        else:
            age = (as_of - service.verified_on).days
            typer.echo(
                f"STALE {service.key}: verified {service.verified_on} ({age} days ago),"
                f" source {service.source}"
            )
    typer.echo(
        f"The directory is valid; {len(stale)} entr{'y' if len(stale) == 1 else 'ies'} to"
        f" re-verify (never verified or older than {settings.referral_max_age_days} days)."
    )


PhrasesDir = Annotated[
    Path | None,
    typer.Option("--phrases", help="The phrase lists folder (default: URA_REFERRALS_DIR/phrases)."),
]


def _load_screener(phrases: Path | None) -> Screener:
    """The screener on the given (or configured) phrase lists; exit 1 listing every error."""
    from bot.help.screening import Screener

    root = phrases or Settings().referrals_dir / "phrases"
    return content_or_exit(lambda: Screener.from_dir(root), root)


ModelDir = Annotated[
    Path | None,
    typer.Option("--model", help="The meaning model folder (default: URA_REFERRALS_DIR/model)."),
]
ListsOnly = Annotated[
    bool, typer.Option("--lists-only", help="Screen with the phrase lists alone, no model.")
]


def _load_reader(model: Path | None, lists_only: bool) -> MeaningReader | None:
    """The meaning model, unless --lists-only; exit 1 with one line if it cannot be read."""
    if lists_only:
        return None
    from bot.help.model import MeaningModel, ModelInvalid
    from bot.help.reader import MeaningReader

    folder = model or Settings().referrals_dir / "model"
    try:
        return MeaningReader(MeaningModel.load(folder))
    except ModelInvalid as exc:
        typer.echo(f"the screening model cannot be read: {exc}", err=True)
        raise typer.Exit(code=1) from None


def _verdict_json(verdict: Verdict, **extra: object) -> str:
    """One output line: the category, whether it is urgent, the phrase (or "model") that
    decided it, the band, and the model's probability of a need when it decided."""
    import json

    return json.dumps(
        {
            **extra,
            "category": verdict.category,
            "urgent": verdict.urgent,
            "matched": verdict.matched,
            "source": verdict.source,
            "band": verdict.band,
            "probability": verdict.probability,
        },
        ensure_ascii=False,
    )


@app.command("classify")
def referrals_classify(
    text: Annotated[str | None, typer.Argument(help="The message to screen.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="The user's language.")] = "en",
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", allow_dash=True, help='Lines of {"lang": ..., "text": ...}; "-" for stdin.'
        ),
    ] = None,
    phrases: PhrasesDir = None,
    model: ModelDir = None,
    lists_only: ListsOnly = False,
) -> None:
    """Screen TEXT (or every line of --jsonl) and print one JSON line per message.

    For auditing the screening: the output names the matched phrase and its file, or
    "source": "model" with its probability, but never repeats the text. Exits 1 if a
    --jsonl line could not be read.
    """
    import json
    from contextlib import nullcontext

    from bot.help.evaluation import parse_line
    from bot.help.reader import screen_many
    from bot.i18n.locales import SUPPORTED_LOCALES

    if (text is None) == (jsonl is None):
        raise typer.BadParameter("give either TEXT or --jsonl FILE")
    if lang not in SUPPORTED_LOCALES:
        raise typer.BadParameter(f"use one of {', '.join(SUPPORTED_LOCALES)}", param_hint="--lang")
    screener, reader = _load_screener(phrases), _load_reader(model, lists_only)
    if text is not None:
        typer.echo(_verdict_json(screen_many(screener, reader, [(text, lang)])[0]))
        return
    assert jsonl is not None
    stdin = typer.get_text_stream("stdin")
    rows, out = [], {}
    with nullcontext(stdin) if str(jsonl) == "-" else jsonl.open(encoding="utf-8") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                rows.append((number, parse_line(raw, need_category=False)))
            except ValueError as exc:  # the message never includes the text
                out[number] = json.dumps({"line": number, "error": str(exc)})
    failed = bool(out)
    verdicts = screen_many(screener, reader, [(row["text"], row["lang"]) for _, row in rows])
    for (number, row), verdict in zip(rows, verdicts, strict=True):
        out[number] = _verdict_json(verdict, line=number, lang=row["lang"])
    for number in sorted(out):  # in the input's order
        typer.echo(out[number])
    if failed:
        raise typer.Exit(code=1)


@app.command("evaluate")
def referrals_evaluate(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Labelled JSON lines (default: URA_REFERRALS_DIR/labelled.jsonl)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    phrases: PhrasesDir = None,
    model: ModelDir = None,
    lists_only: ListsOnly = False,
) -> None:
    """Score the screening per language on a labelled set; exit 1 below the thresholds.

    Thresholds: recall >= 0.95, crisis recall >= 0.98, false positives <= 0.05 in every language.
    """
    import json

    from bot.help.evaluation import (
        LabelledInvalid,
        evaluate,
        read_labelled,
        to_json,
    )

    screener, reader = _load_screener(phrases), _load_reader(model, lists_only)
    path = file or Settings().referrals_dir / "labelled.jsonl"
    try:
        examples = read_labelled(path)
    except (LabelledInvalid, OSError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None
    result = evaluate(screener, examples, reader)
    if as_json:
        typer.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2))
    else:
        for line in format_table(result):
            typer.echo(line)
    if not result.passed:
        raise typer.Exit(code=1)


@app.command("train")
def referrals_train(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the model here (default: URA_REFERRALS_DIR/model)."),
    ] = None,
) -> None:
    """Fit the meaning model on labelled.jsonl and training/*.jsonl (needs the train extra).

    Reproducible: fixed folds and seed; the thresholds come from the training data's own
    out-of-fold predictions, never from a held-out set. Commit the two files it writes.
    """
    import json

    from bot.help.evaluation import LabelledInvalid

    try:
        from bot.help.training import train
    except ImportError:  # pragma: no cover - depends on the install
        typer.echo("training needs scikit-learn: pip install 'ura[train]'", err=True)
        raise typer.Exit(code=1) from None
    root = Settings().referrals_dir
    try:
        meta = train(root, out or root / "model")
    except (LabelledInvalid, OSError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None
    typer.echo(json.dumps({k: meta[k] for k in ("thresholds", "training_sha256", "examples")}))
    for lang, figures in meta["out_of_fold"].items():
        typer.echo(f"{lang}: {json.dumps(figures)}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_table(evaluation: Evaluation) -> Iterator[str]:
    """The evaluation as a plain-text table, then the misses, for moderators."""
    # `crisis`: crisis messages given a help answer (every one shows the emergency numbers);
    # `as-cri`: those read as a crisis (the answer that opens with the numbers).
    yield (
        f"{'lang':<5} {'pos':>4} {'recall':>7} {'crisis':>7} {'as-cri':>7} {'neg':>4}"
        f" {'fp':>6}  status"
    )
    for score in (*evaluation.languages, evaluation.overall):
        failures = score.failures()
        status = "" if score.lang == "all" else ("ok" if not failures else "; ".join(failures))
        yield (
            f"{score.lang:<5} {score.positives:>4} {_pct(score.recall):>7}"
            f" {_pct(score.crisis_recall):>7} {_pct(score.crisis_exact_recall):>7}"
            f" {score.negatives:>4}"
            f" {_pct(score.false_positive_rate):>6}  {status}"
        )
    if evaluation.misses:
        yield ""
        yield f"{len(evaluation.misses)} miss(es):"
        for miss in evaluation.misses:
            via = f" via {miss.matched!r}" if miss.matched else ""
            yield f"  line {miss.line} [{miss.lang}] {miss.expected} -> {miss.got}{via}: {miss.text}"
