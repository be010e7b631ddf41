"""`ura db …`: migrations on the configured database."""

from __future__ import annotations

import typer

from bot.config import Settings

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the configured database up (to the newest revision by default)."""
    from bot.db import migrate as migrations

    migrations.upgrade(Settings().database_url, revision)


@app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Migrate the configured database down to REVISION ('base' removes every table)."""
    from bot.db import migrate as migrations

    migrations.downgrade(Settings().database_url, revision)


@app.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    from bot.db import migrate as migrations

    migrations.current(Settings().database_url)


@app.command("check")
def db_check() -> None:
    """Fail if the models have changes that no migration covers."""
    from bot.db import migrate as migrations

    migrations.check(Settings().database_url)
