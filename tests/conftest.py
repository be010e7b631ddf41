"""Fixtures: every test that touches the database runs on SQLite and on Postgres.

What never changes during a run is built once per session: the migrated template
databases and the checked content (directory, compiled phrase lists, UI catalogs).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.deps import Content
from tests.databases import Templates, fresh_database
from tests.harness import Harness, settings_for

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as the `ura` command does

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def content() -> Content:
    """The directory, phrase lists and catalogs, loaded once for the whole session."""
    return Content.load(settings_for("sqlite://", ROOT / "lessons"))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """Migrated template databases, made on first use and dropped at the end."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    asyncio.run(made.close())


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, templates: Templates
) -> AsyncIterator[str]:
    """A database migrated to head (a copy of the session's template)."""
    template = await templates.get(request.param)
    async with fresh_database(request.param, tmp_path, template=template) as url:
        yield url


@pytest.fixture
async def bot(database_url: str, content: Content) -> AsyncIterator[Harness]:
    """The real Application on a migrated database, talking to an in-process Bot API."""
    harness = Harness(database_url, lessons_dir=ROOT / "lessons", content=content)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    """A writable copy of the curriculum."""
    root = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", root, ignore=shutil.ignore_patterns("*.md"))
    return root
