"""stats weeks: each event's week in the stats indexes, computed once at insert

(week, pseudonym, created_at, locale) replaces (created_at, pseudonym, locale) and (name,
week, pseudonym, created_at, locale) replaces (name, created_at, pseudonym, locale), where
week is the Monday (UTC) of created_at: the weekly statistics group by it without a date
function per row or a sort. (name, locale, pseudonym, …) and (name, track_key, pseudonym,
…) are new, and (name, lesson_key, pseudonym, value, version, …) reorders (name,
lesson_key, value, version, pseudonym, …): per-language, per-track and per-lesson learners
are then counted in index order. See `bot.db.weeks` and `Event.__table_args__`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Frozen copies of bot.db.weeks (a migration must not change when the code does).
SQLITE_WEEK = "date(created_at, 'weekday 0', '-6 days')"
POSTGRES_WEEK = "(CAST(date_trunc('week', (created_at AT TIME ZONE 'UTC')) AS DATE))"

LESSON_KEY_COLUMNS = ['name', 'lesson_key', 'pseudonym', 'value', 'version', 'track_key',
                      'locale', 'created_at']


def _week() -> sa.TextClause:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    return sa.text(SQLITE_WEEK if sqlite else POSTGRES_WEEK)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_events_week', [_week(), 'pseudonym', 'created_at', 'locale'], unique=False
        )
        batch_op.create_index(
            'ix_events_name_week',
            ['name', _week(), 'pseudonym', 'created_at', 'locale'],
            unique=False,
        )
        batch_op.create_index(
            'ix_events_name_locale',
            ['name', 'locale', 'pseudonym', 'created_at', 'country'],
            unique=False,
        )
        batch_op.create_index(
            'ix_events_name_track_key',
            ['name', 'track_key', 'pseudonym', 'lesson_key', 'locale', 'created_at'],
            unique=False,
        )
        batch_op.drop_index('ix_events_name_created_at')
        batch_op.drop_index('ix_events_created_at_pseudonym')
        batch_op.drop_index('ix_events_name_lesson_key')
        batch_op.create_index('ix_events_name_lesson_key', LESSON_KEY_COLUMNS, unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_events_name_created_at', ['name', 'created_at', 'pseudonym', 'locale'],
            unique=False,
        )
        batch_op.create_index(
            'ix_events_created_at_pseudonym', ['created_at', 'pseudonym', 'locale'], unique=False
        )
        batch_op.drop_index('ix_events_name_lesson_key')
        batch_op.create_index(
            'ix_events_name_lesson_key',
            ['name', 'lesson_key', 'value', 'version', 'pseudonym', 'track_key', 'locale',
             'created_at'],
            unique=False,
        )
        batch_op.drop_index('ix_events_name_track_key')
        batch_op.drop_index('ix_events_name_locale')
        batch_op.drop_index('ix_events_name_week')
        batch_op.drop_index('ix_events_week')
