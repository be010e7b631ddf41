"""`ura i18n …`: translation completeness per locale, and the catalog checks CI runs."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import LessonsDir, content_or_exit
from bot.config import Settings

app = typer.Typer(help="Translations: completeness and catalog checks.", no_args_is_help=True)


def _reviews(settings: Settings) -> frozenset[tuple[str, str]]:
    """(lesson, locale) pairs a moderator marked reviewed in the bot, when a database is
    configured (`DATABASE_URL`) and reachable; the files alone count otherwise."""
    if "database_url" not in settings.model_fields_set:
        return frozenset()
    import asyncio

    from bot.db.engine import make_engine, make_sessionmaker
    from bot.db.uow import UnitOfWork
    from bot.staff.moderation import reviewed_now

    async def read() -> frozenset[tuple[str, str]]:
        engine = make_engine(settings.database_url)
        try:
            async with UnitOfWork(make_sessionmaker(engine)) as uow:
                return frozenset(await reviewed_now(uow))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(read())
    except Exception:  # no database there yet: the files still tell
        typer.echo("(database not readable: counting reviews from the files only)", err=True)
        return frozenset()


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
    catalog = content_or_exit(lambda: load_catalog(root), root)
    coverage = measure(catalog, settings.locale_dir, _reviews(settings))
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
