"""`ura i18n …`: translation completeness per locale, and the catalog checks CI runs."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import LessonsDir, content_or_exit
from bot.config import Settings

app = typer.Typer(help="Translations: completeness and catalog checks.", no_args_is_help=True)


@app.command("coverage")
def i18n_coverage(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    directory: LessonsDir = None,
) -> None:
    """Per locale, the share of UI strings and of lessons translated, drafted vs reviewed."""
    import json

    from bot.i18n.completeness import measure
    from bot.learning.loader import load_catalog

    settings = Settings()
    root = directory or settings.lessons_dir
    coverage = measure(content_or_exit(lambda: load_catalog(root), root), settings.locale_dir)
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
    """Fail if ura.pot lacks a message the code uses (or keeps one it no longer does), a
    catalog does not compile, or a translation's placeholders differ from its msgid's."""
    from pathlib import Path

    import bot
    from bot.i18n.checks import compile_errors, placeholder_errors, template_drift

    locale_dir = Settings().locale_dir
    drift = template_drift(Path(bot.__file__).resolve().parent, locale_dir)
    errors = [*drift, *compile_errors(locale_dir), *placeholder_errors(locale_dir)]
    for error in errors:
        typer.echo(error, err=True)
    if drift:
        typer.echo("locale/ura.pot is stale: run `make i18n` and commit the result", err=True)
    if errors:
        raise typer.Exit(code=1)
    typer.echo("catalogs: template current, every catalog compiles, placeholders match")
