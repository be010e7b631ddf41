"""`ura run` (serve on Telegram) and `ura chat` (the same bot in this terminal)."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import content_or_exit, setup_logging
from bot.config import Settings, default_sqlite_url

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so Ura cannot connect to Telegram.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps.
Then put the token in the environment or in a .env file:

    TELEGRAM_BOT_TOKEN=123456:ABC... make run

To try the bot right now without Telegram, chat with it in this terminal:

    .venv/bin/ura chat
"""


WEBHOOK_NEEDS = (
    "ura: webhook mode needs URA_WEBHOOK_URL (the public https:// address) and "
    "URA_WEBHOOK_SECRET (16 to 256 characters of A-Z, a-z, 0-9, _ and -)"
)


def run(
    migrate: Annotated[bool, typer.Option(help="Apply migrations first.")] = True,
    webhook: Annotated[
        bool, typer.Option("--webhook", help="Serve Telegram's webhook (URA_MODE=webhook).")
    ] = False,
) -> None:
    """Serve the bot with long polling, or the webhook (migrating the database first)."""
    settings = Settings()
    if webhook:
        settings = settings.model_copy(update={"mode": "webhook"})
    if settings.mode == "webhook" and (
        not settings.webhook_url.startswith("https://") or len(settings.webhook_secret) < 16
    ):
        typer.echo(WEBHOOK_NEEDS, err=True)
        raise typer.Exit(code=2)
    token = settings.telegram_bot_token
    if not token:
        typer.echo(NO_TOKEN, err=True)
        raise typer.Exit(code=2)
    setup_logging()
    if migrate:  # Alembic is only imported to migrate: a deployment's processes start without it
        from bot.db import migrate as migrations

        migrations.upgrade(settings.database_url)
    from bot.runner import serve

    content_or_exit(lambda: asyncio.run(serve(settings, token=token)))


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
        settings = settings.model_copy(
            update={"database_url": default_sqlite_url(data_dir), "data_dir": data_dir}
        )
    migrations.upgrade(settings.database_url)
    setup_logging(level=logging.WARNING)
    content_or_exit(
        lambda: asyncio.run(
            run_chat(settings, lang=lang, user_id=user_id, stdin=sys.stdin, out=sys.stdout)
        )
    )
