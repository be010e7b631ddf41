"""Real databases for tests: a fresh SQLite file, or a fresh Postgres database per test.

Migrating takes most of a database's set-up, so each test session migrates one template
per kind, and every test starts from a copy of it (a file copy on SQLite, `CREATE DATABASE
… TEMPLATE` on Postgres). Tests of the migrations themselves start from empty databases.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.db import migrate

POSTGRES_ADMIN = os.environ.get(
    "URA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
_available: bool | None = None


async def postgres_available() -> bool:
    """Is a Postgres server reachable? (Asked once per run.)"""
    global _available
    if _available is None:
        try:
            conn = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN), timeout=3)
            await conn.close()
            _available = True
        except (OSError, asyncpg.PostgresError, TimeoutError):
            _available = False
    return _available


async def require_postgres() -> None:
    """Skip with a clear reason when no Postgres runs, unless CI demands it."""
    if await postgres_available():
        return
    reason = f"no PostgreSQL at {POSTGRES_ADMIN} (set URA_TEST_POSTGRES to point at one)"
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def _postgres_url(name: str) -> str:
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_database(
    kind: str, tmp_path: Path, *, template: str | None = None
) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of a database of `kind` ('sqlite' or 'postgres'): empty, or
    a copy of `template` (a SQLite file path, or a Postgres database name)."""
    if kind == "sqlite":
        path = tmp_path / "ura.db"
        if template is not None:
            shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    await require_postgres()
    name = f"ura_test_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _postgres_url(name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Templates:
    """One migrated database per kind for this test session (per xdist worker)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._made: dict[str, str] = {}

    async def get(self, kind: str) -> str:
        """The template for `kind`, migrated to head on first use."""
        if kind not in self._made:
            if kind == "sqlite":
                path = self._folder / "template.db"
                await asyncio.to_thread(migrate.upgrade, f"sqlite+aiosqlite:///{path}")
                self._made[kind] = str(path)
            else:
                await require_postgres()
                name = f"ura_template_{uuid.uuid4().hex[:12]}"
                await _admin(f'CREATE DATABASE "{name}"')
                self._made[kind] = name  # recorded first, so close() drops it even on failure
                await asyncio.to_thread(migrate.upgrade, _postgres_url(name))
        return self._made[kind]

    async def close(self) -> None:
        """Drop the Postgres template."""
        if "postgres" in self._made:
            await _admin(f'DROP DATABASE IF EXISTS "{self._made["postgres"]}" WITH (FORCE)')
