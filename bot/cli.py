"""The `ura` command (also `python -m bot`): run, db, lessons, chat."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.config import Settings, default_sqlite_url

if TYPE_CHECKING:  # imported lazily at run time, so `ura --help` stays fast
    from bot.services.screening import Screener, Verdict

# Opt in to PTB's timedelta durations now, instead of a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

T = TypeVar("T")

app = typer.Typer(
    help="Ura: peer-education micro-lessons on Telegram.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold the bot token
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
lessons_app = typer.Typer(help="Lesson files: check and publish.", no_args_is_help=True)
app.add_typer(db_app, name="db")
referrals_app = typer.Typer(
    help="Help and referrals: the directory and the screening audit.", no_args_is_help=True
)
app.add_typer(lessons_app, name="lessons")
app.add_typer(referrals_app, name="referrals")
i18n_app = typer.Typer(help="Translations: coverage and catalog checks.", no_args_is_help=True)
app.add_typer(i18n_app, name="i18n")

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so Ura cannot connect to Telegram.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps.
Then put the token in the environment or in a .env file:

    TELEGRAM_BOT_TOKEN=123456:ABC... make run

To try the bot right now without Telegram, chat with it in this terminal:

    .venv/bin/ura chat
"""


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, which contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _content_or_exit(action: Callable[[], T], where: Path | None = None) -> T:
    """Run `action`; a bad lesson, directory or phrase file prints `file:line: field: message`
    lines (not a traceback) and exits 1."""
    from bot.content.loader import ContentInvalid

    try:
        return action()
    except ContentInvalid as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        typer.echo(
            f"{len(exc.errors)} problem(s) found{f' in {where}' if where else ''}.", err=True
        )
        raise typer.Exit(code=1) from None


@app.command()
def run(
    migrate: Annotated[bool, typer.Option(help="Apply migrations first.")] = True,
) -> None:
    """Serve the bot with long polling (migrating the database first)."""
    settings = Settings()
    token = settings.telegram_bot_token
    if not token:
        typer.echo(NO_TOKEN, err=True)
        raise typer.Exit(code=2)
    _logging()
    from bot.db import migrate as migrations
    from bot.runner import serve

    if migrate:
        migrations.upgrade(settings.database_url)
    _content_or_exit(lambda: asyncio.run(serve(settings, token=token)))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the configured database up (to the newest revision by default)."""
    from bot.db import migrate as migrations

    migrations.upgrade(Settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Migrate the configured database down to REVISION ('base' removes every table)."""
    from bot.db import migrate as migrations

    migrations.downgrade(Settings().database_url, revision)


@db_app.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    from bot.db import migrate as migrations

    migrations.current(Settings().database_url)


@db_app.command("check")
def db_check() -> None:
    """Fail if the models have changes that no migration covers."""
    from bot.db import migrate as migrations

    migrations.check(Settings().database_url)


LessonsDir = Annotated[
    Path | None, typer.Option("--dir", help="The lessons folder (default: URA_LESSONS_DIR).")
]


@lessons_app.command("check")
def lessons_check(directory: LessonsDir = None) -> None:
    """Validate every lesson file; errors name the file, line and field."""
    from bot.content.loader import load_catalog

    root = directory or Settings().lessons_dir
    catalog = _content_or_exit(lambda: load_catalog(root), root)
    for track in catalog.tracks:
        locales = sorted({loc for lesson in track.lessons for loc in lesson.texts})
        typer.echo(f"{track.key}: {len(track.lessons)} lessons, languages: {', '.join(locales)}")
    typer.echo("All lesson files are valid.")


@lessons_app.command("publish")
def lessons_publish(directory: LessonsDir = None) -> None:
    """Check the lesson files and publish them into the configured database."""
    from bot.content.loader import load_catalog
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.db.uow import UnitOfWork
    from bot.services.catalog import publish

    settings = Settings()
    catalog = load_catalog(directory or settings.lessons_dir)

    async def _publish() -> None:
        engine = make_engine(settings.database_url)
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            report = await publish(uow, catalog)
        await engine.dispose()
        typer.echo(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}")

    asyncio.run(_publish())


@i18n_app.command("coverage")
def i18n_coverage(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    directory: LessonsDir = None,
) -> None:
    """Per locale, the share of UI strings and of lessons translated, drafted vs reviewed."""
    import json

    from bot.content.loader import load_catalog
    from bot.coverage import measure

    coverage = measure(load_catalog(directory or Settings().lessons_dir))
    if as_json:
        typer.echo(json.dumps(coverage.as_json(), indent=2))
        return
    typer.echo(f"{coverage.tracks} tracks, {coverage.lessons} lessons")
    typer.echo("locale   UI  reviewed  lessons  reviewed  whole tracks")
    for locale, c in coverage.locales.items():
        typer.echo(
            f"{locale:<6} {c.ui:>5.0%} {c.ui_reviewed:>9.0%} {c.lessons:>8.0%} "
            f"{c.lessons_reviewed:>9.0%} {c.complete_tracks:>13}"
        )


@i18n_app.command("check")
def i18n_check() -> None:
    """Fail if a translation's placeholders differ from its msgid's."""
    from bot.coverage import placeholder_errors

    errors = placeholder_errors()
    for error in errors:
        typer.echo(error, err=True)
    if errors:
        raise typer.Exit(code=1)
    typer.echo("placeholders: every translation matches its msgid")


# --- referrals: directory ---

DirectoryDir = Annotated[
    Path | None,
    typer.Option("--dir", help="The directory folder (default: URA_REFERRALS_DIR/directory)."),
]
Today = Annotated[
    str | None,
    typer.Option("--today", metavar="YYYY-MM-DD", help="Check as of this date (default: today)."),
]


@referrals_app.command("check")
def referrals_check(directory: DirectoryDir = None, today: Today = None) -> None:
    """Validate the referral directory; list gaps and entries that need re-verifying.

    Exits 1 only for errors: stale entries are a coordinator's to-do list, not a failure.
    """
    from datetime import date

    from bot.categories import HELP_CATEGORIES
    from bot.content.directory import load_directory

    settings = Settings()
    root = directory or settings.referrals_dir / "directory"
    try:
        as_of = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise typer.BadParameter(
            f"{today!r} is not a date like 2026-11-24", param_hint="--today"
        ) from None
    found = _content_or_exit(lambda: load_directory(root, today=as_of), root)
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


# --- referrals: screening ---

PhrasesDir = Annotated[
    Path | None,
    typer.Option("--phrases", help="The phrase lists folder (default: URA_REFERRALS_DIR/phrases)."),
]


def _load_screener(phrases: Path | None) -> Screener:
    """The screener on the given (or configured) phrase lists; exit 1 listing every error."""
    from bot.services.screening import Screener

    root = phrases or Settings().referrals_dir / "phrases"
    return _content_or_exit(lambda: Screener.from_dir(root), root)


def _verdict_json(verdict: Verdict, **extra: object) -> str:
    """One output line: the category, whether it is urgent, and the phrase that decided it."""
    import json

    return json.dumps(
        {
            **extra,
            "category": verdict.category,
            "urgent": verdict.urgent,
            "matched": verdict.matched,
            "source": verdict.source,
        },
        ensure_ascii=False,
    )


@referrals_app.command("classify")
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
) -> None:
    """Screen TEXT (or every line of --jsonl) and print one JSON line per message.

    For auditing the phrase lists: the output names the matched phrase and its file but
    never repeats the text. Exits 1 if a --jsonl line could not be read.
    """
    import json
    from contextlib import nullcontext

    from bot.locales import SUPPORTED_LOCALES
    from bot.services.screening_eval import parse_line

    if (text is None) == (jsonl is None):
        raise typer.BadParameter("give either TEXT or --jsonl FILE")
    if lang not in SUPPORTED_LOCALES:
        raise typer.BadParameter(f"use one of {', '.join(SUPPORTED_LOCALES)}", param_hint="--lang")
    screener = _load_screener(phrases)
    if text is not None:
        typer.echo(_verdict_json(screener.classify(text, lang)))
        return
    assert jsonl is not None
    stdin = typer.get_text_stream("stdin")
    failed = False
    with nullcontext(stdin) if str(jsonl) == "-" else jsonl.open(encoding="utf-8") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                row = parse_line(raw, need_category=False)
            except ValueError as exc:  # the message never includes the text
                failed = True
                typer.echo(json.dumps({"line": number, "error": str(exc)}))
                continue
            verdict = screener.classify(row["text"], row["lang"])
            typer.echo(_verdict_json(verdict, line=number, lang=row["lang"]))
    if failed:
        raise typer.Exit(code=1)


@referrals_app.command("evaluate")
def referrals_evaluate(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Labelled JSON lines (default: URA_REFERRALS_DIR/labelled.jsonl)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    phrases: PhrasesDir = None,
) -> None:
    """Score the screening per language on a labelled set; exit 1 below the thresholds.

    Thresholds: recall >= 0.95, crisis recall 1.0, false positives <= 0.05 in every language.
    """
    import json

    from bot.services.screening_eval import (
        LabelledInvalid,
        evaluate,
        format_table,
        read_labelled,
        to_json,
    )

    screener = _load_screener(phrases)
    path = file or Settings().referrals_dir / "labelled.jsonl"
    try:
        examples = read_labelled(path)
    except (LabelledInvalid, OSError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None
    result = evaluate(screener, examples)
    if as_json:
        typer.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2))
    else:
        for line in format_table(result):
            typer.echo(line)
    if not result.passed:
        raise typer.Exit(code=1)


@app.command()
def chat(
    lang: Annotated[str, typer.Option(help="The Telegram language of the simulated user.")] = "en",
    user_id: Annotated[int, typer.Option(help="The simulated user's numeric id.")] = 1001,
    data_dir: Annotated[
        Path | None, typer.Option(help="Keep the SQLite database here (default: ./data).")
    ] = None,
) -> None:
    """Talk to the bot in this terminal, through an in-process Bot API (no Telegram needed).

    Buttons show as `[1] Label`: type `#1` to press one, `/cmd` for a command, anything
    else is a message. Piped input is read one line at a time.
    """
    from bot.chat import run_chat
    from bot.db import migrate as migrations

    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"database_url": default_sqlite_url(data_dir)})
    migrations.upgrade(settings.database_url)
    logging.basicConfig(level=logging.WARNING)
    _content_or_exit(
        lambda: asyncio.run(
            run_chat(settings, lang=lang, user_id=user_id, stdin=sys.stdin, out=sys.stdout)
        )
    )
