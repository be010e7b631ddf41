"""The `ura` command (also `python -m bot`): run, chat, db, lessons, i18n, referrals.

One Typer app; each group of commands lives in its own module and is imported lazily
inside its commands, so `ura --help` stays fast. `main` is the entry point: whatever a
command does not handle ends as one line and an exit code (`bot.cli.errors`).
"""

from __future__ import annotations

import os
import sys

import typer

from bot.cli import db, i18n, lessons, referrals, serve
from bot.cli import staff as staff_cli
from bot.cli import stats as stats_cli

# Opt in to PTB's timedelta durations now, instead of a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

app = typer.Typer(
    help="Ura: peer-education micro-lessons on Telegram.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold the bot token
)
app.command()(serve.run)
app.command()(serve.chat)
app.command("stats")(stats_cli.stats)
app.add_typer(db.app, name="db")
app.add_typer(lessons.app, name="lessons")
app.add_typer(i18n.app, name="i18n")
app.add_typer(referrals.app, name="referrals")
app.add_typer(staff_cli.app, name="staff")
app.add_typer(staff_cli.cohorts_app, name="cohorts")


def main() -> None:
    """Run the command; a failure prints one line (never a traceback) and exits non-zero.

    Typer's own usage errors and exits pass through unchanged.
    """
    from bot.cli.errors import report
    from bot.logs import install_privacy

    install_privacy()  # whatever a library logs on the way out is sanitized too
    try:
        app()
    except Exception as exc:
        sys.exit(report(exc))
