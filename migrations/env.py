"""Alembic environment: async engine from our own factory, batch mode for SQLite."""

from __future__ import annotations

import asyncio
import warnings

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning

from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.models import Base

config = context.config
# SQLite cannot reflect the week indexes (an expression, see bot.db.weeks); autogenerate
# then leaves them out of its comparison there (Postgres compares them), so the warnings
# SQLAlchemy and Alembic give about it are expected.
warnings.filterwarnings(
    "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
)
warnings.filterwarnings(
    "ignore", "autogenerate skipping metadata-specified expression-based index", UserWarning
)
target_metadata = Base.metadata


def _url() -> str:
    """The URL given programmatically (tests, `ura db`) or else the configured one."""
    url = config.attributes.get("database_url")
    return str(url) if url else Settings().database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = make_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
