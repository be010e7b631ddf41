"""stats indexes: the coordinators' aggregates read covering indexes, never the table

(created_at, pseudonym, locale) replaces (created_at); (name, lesson_key, value, version,
pseudonym, track_key, locale, created_at) replaces (name); (name, created_at, pseudonym,
locale) is new. See `Event.__table_args__`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_events_created_at_pseudonym', ['created_at', 'pseudonym', 'locale'], unique=False
        )
        batch_op.create_index(
            'ix_events_name_created_at', ['name', 'created_at', 'pseudonym', 'locale'],
            unique=False,
        )
        batch_op.create_index(
            'ix_events_name_lesson_key',
            ['name', 'lesson_key', 'value', 'version', 'pseudonym', 'track_key', 'locale',
             'created_at'],
            unique=False,
        )
        batch_op.drop_index(batch_op.f('ix_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_events_name'))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_created_at'), ['created_at'], unique=False)
        batch_op.drop_index('ix_events_name_lesson_key')
        batch_op.drop_index('ix_events_name_created_at')
        batch_op.drop_index('ix_events_created_at_pseudonym')
