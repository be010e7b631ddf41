"""privacy: events.ref and its natural key; events.value fits a 64-character cohort code

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add events.ref, unique with (pseudonym, name); widen events.value to 64."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=80), nullable=True))
        batch_op.alter_column(
            'value',
            existing_type=sa.String(length=32),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_events_pseudonym_name_ref'), ['pseudonym', 'name', 'ref']
        )


def downgrade() -> None:
    """Drop events.ref and its constraint; values longer than 32 are cut to fit."""
    op.execute("UPDATE events SET value = substr(value, 1, 32) WHERE length(value) > 32")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_pseudonym_name_ref'), type_='unique')
        batch_op.alter_column(
            'value',
            existing_type=sa.String(length=64),
            type_=sa.String(length=32),
            existing_nullable=True,
        )
        batch_op.drop_column('ref')
