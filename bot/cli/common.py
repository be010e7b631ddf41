"""What several `ura` commands share: options, logging, and a clean exit on bad content."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

T = TypeVar("T")

LessonsDir = Annotated[
    Path | None, typer.Option("--dir", help="The lessons folder (default: URA_LESSONS_DIR).")
]


def setup_logging(verbose: bool = False, *, level: int | None = None) -> None:
    """Log to stderr (INFO by default) through `bot.logs`, so that no line, even at DEBUG,
    holds what a person typed, his name or id, SQL parameters or the bot token."""
    from bot.logs import install_privacy

    install_privacy()
    chosen = level if level is not None else logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(level=chosen, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if chosen > logging.DEBUG:  # a line per Bot API request or migration step is noise
        for name in ("httpx", "alembic"):
            logging.getLogger(name).setLevel(logging.WARNING)


def content_or_exit(action: Callable[[], T], where: Path | None = None) -> T:
    """Run `action`; a bad lesson, directory or phrase file prints `file:line: field: message`
    lines (not a traceback) and exits 1."""
    from bot.files import ContentInvalid

    try:
        return action()
    except ContentInvalid as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        typer.echo(
            f"{len(exc.errors)} problem(s) found{f' in {where}' if where else ''}.", err=True
        )
        raise typer.Exit(code=1) from None
