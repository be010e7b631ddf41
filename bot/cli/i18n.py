"""`ura i18n …`: translation coverage per locale, and the placeholder check CI runs."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import LessonsDir
from bot.config import Settings

app = typer.Typer(help="Translations: coverage and catalog checks.", no_args_is_help=True)


@app.command("coverage")
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


@app.command("check")
def i18n_check() -> None:
    """Fail if a translation's placeholders differ from its msgid's."""
    from bot.coverage import placeholder_errors

    errors = placeholder_errors()
    for error in errors:
        typer.echo(error, err=True)
    if errors:
        raise typer.Exit(code=1)
    typer.echo("placeholders: every translation matches its msgid")
