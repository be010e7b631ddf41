"""The `ura` command (also `python -m bot`): run, db, lessons, chat."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.config import Settings, default_sqlite_url

# Opt in to PTB's timedelta durations now, instead of a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

app = typer.Typer(
    help="Ura: peer-education micro-lessons on Telegram.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold the bot token
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
lessons_app = typer.Typer(help="Lesson files: check and publish.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(lessons_app, name="lessons")

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


@app.command()
def run(
    migrate: Annotated[bool, typer.Option(help="Apply migrations first.")] = True,
) -> None:
    """Serve the bot with long polling (migrating the database first)."""
    settings = Settings()
    if not settings.telegram_bot_token:
        typer.echo(NO_TOKEN, err=True)
        raise typer.Exit(code=2)
    _logging()
    from bot.db import migrate as migrations
    from bot.runner import serve

    if migrate:
        migrations.upgrade(settings.database_url)
    asyncio.run(serve(settings, token=settings.telegram_bot_token))


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
    from bot.content.loader import ContentInvalid, load_catalog

    root = directory or Settings().lessons_dir
    try:
        catalog = load_catalog(root)
    except ContentInvalid as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        typer.echo(f"{len(exc.errors)} problem(s) found in {root}.", err=True)
        raise typer.Exit(code=1) from None
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
    asyncio.run(run_chat(settings, lang=lang, user_id=user_id, stdin=sys.stdin, out=sys.stdout))
