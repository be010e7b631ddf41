"""Migrations: the stairway (every revision up, down, up) and no drift, on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.db import migrate
from tests.databases import fresh_database
from tests.dbcheck import query

REVISIONS = list(
    reversed(
        list(ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).walk_revisions())
    )
)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_stairway(kind: str, tmp_path: Path) -> None:
    async with fresh_database(kind, tmp_path) as url:
        for revision in REVISIONS:
            down = revision.down_revision or "base"
            assert isinstance(down, str)
            await asyncio.to_thread(migrate.upgrade, url, revision.revision)
            await asyncio.to_thread(migrate.downgrade, url, down)
            await asyncio.to_thread(migrate.upgrade, url, revision.revision)
        version = await query(url, "SELECT version_num FROM alembic_version")
        assert version == [(REVISIONS[-1].revision,)]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_models_match_migrations(kind: str, tmp_path: Path) -> None:
    async with fresh_database(kind, tmp_path) as url:
        await asyncio.to_thread(migrate.upgrade, url)
        await asyncio.to_thread(migrate.check, url)  # raises on drift


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    async with fresh_database("sqlite", tmp_path) as url:
        await asyncio.to_thread(migrate.upgrade, url)
        assert await query(url, "PRAGMA journal_mode") == [("wal",)]
        assert await query(url, "PRAGMA foreign_keys") == [(1,)]
        assert (await query(url, "PRAGMA busy_timeout"))[0][0] >= 5000
