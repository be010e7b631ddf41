"""Fixtures: every test that touches the database runs on SQLite and on Postgres."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import migrate
from tests.databases import fresh_database
from tests.harness import Harness

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as the `ura` command does

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database, migrated to head."""
    async with fresh_database(request.param, tmp_path) as url:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[Harness]:
    """The real Application on a migrated database, talking to an in-process Bot API."""
    harness = Harness(database_url, lessons_dir=ROOT / "lessons")
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
