"""country: the learner's country (asked once, for referrals) and on events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 12:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add users.country and events.country."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country', sa.String(length=2), nullable=True))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country', sa.String(length=2), nullable=True))


def downgrade() -> None:
    """Drop both columns."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('country')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('country')
