"""Read-only looks into the database from tests (a separate engine, like another process)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text

from bot.db.engine import make_engine


async def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one SELECT and return its rows."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(text(sql), params)).all()]
    finally:
        await engine.dispose()


async def scalar(url: str, sql: str, **params: Any) -> Any:
    """The first column of the first row."""
    rows = await query(url, sql, **params)
    return rows[0][0] if rows else None


async def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for 'nothing changed' and 'nothing stored' checks."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            out: dict[str, list[tuple[Any, ...]]] = {}
            for table in sorted(tables):
                rows = (await conn.execute(text(f'SELECT * FROM "{table}"'))).all()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
            return out
    finally:
        await engine.dispose()


async def rename_table(url: str, old: str, new: str) -> None:
    """Take a table away (or give it back), as a failing database would for its queries."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
    finally:
        await engine.dispose()
