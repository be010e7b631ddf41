"""Real databases for tests: a fresh SQLite file, or a fresh Postgres database per test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

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


@asynccontextmanager
async def fresh_database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of an empty database of `kind` ('sqlite' or 'postgres')."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'ura.db'}"
        return
    await require_postgres()
    name = f"ura_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
