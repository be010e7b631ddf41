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


def setup_logging(verbose: bool = False) -> None:
    """Log to stderr, never the bot token."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, which contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


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
