"""`ura stats`: the coordinators' aggregates at the command line, the same figures /stats shows
(rounded, small counts as "<10"), as a table, CSV or JSON, and optionally the charts as PNGs."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.config import Settings

if TYPE_CHECKING:
    from bot.learning.model import Catalog
    from bot.staff.stats import Report, Table


class Format(StrEnum):
    """How `ura stats` prints."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


Since = Annotated[
    datetime | None,
    typer.Option("--since", formats=["%Y-%m-%d"], help="Count events from this day (UTC)."),
]
Output = Annotated[Format, typer.Option("--format", help="table, csv or json.")]
Charts = Annotated[
    Path | None, typer.Option("--charts", help="Also write the charts as PNG files here.")
]
Language = Annotated[
    str | None, typer.Option("--language", help="Only events in this language (e.g. ru).")
]


async def collect(
    settings: Settings, since: datetime | None, locale: str | None
) -> tuple[Report, Catalog]:
    """The report and the published catalog."""
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.db.uow import UnitOfWork
    from bot.learning.catalog import load
    from bot.staff.stats import Filter, report

    engine = make_engine(settings.database_url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            catalog = (await load(uow)).catalog
        return await report(engine, catalog, Filter(since, locale)), catalog
    finally:
        await engine.dispose()


def _table(table: Table) -> str:
    """Columns padded to their widest value."""
    rows = [table.columns, *(tuple("" if v is None else str(v) for v in r) for r in table.rows)]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(table.columns))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([f"== {table.name} ==", *(line.rstrip() for line in lines)])


def stats(
    since: Since = None,
    output: Output = Format.TABLE,
    charts: Charts = None,
    language: Language = None,
) -> None:
    """Learners, tracks, quiz answers, feedback and help, aggregated; counts under 10 show as
    "<10" and the rest are rounded to the nearest 5."""
    from bot.staff import charts as drawing
    from bot.views import staff_stats as views

    settings = Settings()
    start = since.replace(tzinfo=UTC) if since else None
    found, catalog = asyncio.run(collect(settings, start, language))
    if output is Format.JSON:
        typer.echo(json.dumps(views.as_json(found), indent=2, ensure_ascii=False))
    elif output is Format.CSV:
        for name, data in views.csv_files(found).items():
            typer.echo(f"# {name}\n{data.decode()}")
    else:
        typer.echo("\n\n".join(_table(t) for t in found.tables.values()))
    if charts is not None:
        from bot.i18n.catalogs import Catalogs

        tr = Catalogs(settings.locale_dir).get("en")
        charts.mkdir(parents=True, exist_ok=True)
        for chart in drawing.render(found, catalog, tr, views.category_names(tr)):
            (charts / f"{chart.name}.png").write_bytes(chart.png)
        typer.echo(f"charts written to {charts}", err=True)
