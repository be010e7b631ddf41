"""Alembic from code: `ura db …`, `make run` and the tests all migrate through here."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot import paths


def alembic_config(database_url: str) -> Config:
    """Alembic configured in code (no alembic.ini needed, so an installed Ura migrates too);
    env.py reads the URL from `attributes`."""
    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate up. Synchronous: env.py runs its own event loop (call via a thread in async code)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate down to `revision` ('base' empties the database)."""
    command.downgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree (autogenerate would emit operations)."""
    command.check(alembic_config(database_url))


def current(database_url: str) -> None:
    """Print the current revision."""
    command.current(alembic_config(database_url), verbose=False)
