"""`ura lessons …`: check lesson files (errors name file, line and field) and publish them."""

from __future__ import annotations

import asyncio

import typer

from bot.cli.common import LessonsDir, content_or_exit
from bot.config import Settings

app = typer.Typer(help="Lesson files: check and publish.", no_args_is_help=True)


@app.command("check")
def lessons_check(directory: LessonsDir = None) -> None:
    """Validate every lesson file; errors name the file, line and field."""
    from bot.learning.loader import load_catalog

    root = directory or Settings().lessons_dir
    catalog = content_or_exit(lambda: load_catalog(root), root)
    for track in catalog.tracks:
        locales = sorted({loc for lesson in track.lessons for loc in lesson.texts})
        typer.echo(f"{track.key}: {len(track.lessons)} lessons, languages: {', '.join(locales)}")
    typer.echo("All lesson files are valid.")


@app.command("publish")
def lessons_publish(directory: LessonsDir = None) -> None:
    """Check the lesson files, migrate the database, and publish the files as a new version
    (nothing changes if these exact files were published before)."""
    from bot.db import migrate
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.db.uow import UnitOfWork
    from bot.learning.catalog import publish
    from bot.learning.loader import files_digest, load_catalog

    settings = Settings()
    root = directory or settings.lessons_dir
    catalog = content_or_exit(lambda: load_catalog(root))
    migrate.upgrade(settings.database_url)

    async def _publish() -> None:
        engine = make_engine(settings.database_url)
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            report = await publish(uow, catalog, digest=files_digest(root))
        await engine.dispose()
        if report.skipped:
            typer.echo(f"these files are already published (version {report.version})")
        else:
            typer.echo(
                f"published version {report.version}: added {report.added}, "
                f"updated {report.updated}, unchanged {report.unchanged}"
            )

    asyncio.run(_publish())
