"""publications: the catalog's version; drop what nothing used (users.timezone, two statuses)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 06:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add publications; drop users.timezone; statuses are active or blocked."""
    op.create_table(
        'publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('source_hash', sa.String(length=64), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('files')", name=op.f('ck_publications_source')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_source_hash'), ['source_hash'], unique=False)
    op.execute("UPDATE users SET status = 'active' WHERE status NOT IN ('active', 'blocked')")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_status'), "status IN ('active', 'blocked')"
        )
        batch_op.drop_column('timezone')


def downgrade() -> None:
    """Restore users.timezone and the four statuses; drop publications."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('timezone', sa.String(length=64), nullable=False, server_default='UTC')
        )
        batch_op.drop_constraint(batch_op.f('ck_users_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_status'), "status IN ('active', 'paused', 'stopped', 'blocked')"
        )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_source_hash'))
    op.drop_table('publications')
