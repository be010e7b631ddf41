"""rhythm: when Ura may write first (one row per learner), and when he reached ACT!

`rhythms` holds each learner's rhythm, hour, time zone, quiet hours, pause and stop; every
existing learner gets a row with the defaults ("only when I ask") and the zone of his
country, else of his language. `progress.act_at` records when he reached a lesson's ACT!
step, for the next day's check-in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 14:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Frozen copies of bot.delivery.rhythm's suggestions (a migration must not change later).
BY_COUNTRY = {
    'xk': 'Europe/Belgrade', 'rs': 'Europe/Belgrade', 'mk': 'Europe/Belgrade',
    'al': 'Europe/Belgrade', 'ba': 'Europe/Belgrade', 'me': 'Europe/Belgrade',
    'de': 'Europe/Berlin', 'tr': 'Europe/Istanbul', 'ru': 'Europe/Moscow',
    'kg': 'Asia/Bishkek', 'kz': 'Asia/Almaty', 'uz': 'Asia/Tashkent', 'tj': 'Asia/Dushanbe',
}
BY_LOCALE = {
    'ru': 'Europe/Moscow', 'ky': 'Asia/Bishkek', 'kk': 'Asia/Almaty',
    'uz': 'Asia/Tashkent', 'tg': 'Asia/Dushanbe',
}


def upgrade() -> None:
    op.create_table(
        'rhythms',
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('rhythm', sa.String(length=8), nullable=False),
        sa.Column('hour', sa.Integer(), nullable=False),
        sa.Column('timezone', sa.String(length=40), nullable=False),
        sa.Column('chose_timezone', sa.Boolean(), nullable=False),
        sa.Column('quiet_start', sa.Integer(), nullable=False),
        sa.Column('quiet_end', sa.Integer(), nullable=False),
        sa.Column('silent', sa.Boolean(), nullable=False),
        sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("rhythm IN ('ask', 'daily', '3week', 'weekly')", name=op.f('ck_rhythms_rhythm')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rhythms_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_rhythms')),
    )
    op.create_index('ix_rhythms_zone_hour', 'rhythms', ['timezone', 'hour'])
    with op.batch_alter_table('progress') as batch:
        batch.add_column(sa.Column('act_at', sa.DateTime(timezone=True), nullable=True))
    by_country = ' '.join(f"WHEN '{c}' THEN '{z}'" for c, z in BY_COUNTRY.items())
    by_locale = ' '.join(f"WHEN '{c}' THEN '{z}'" for c, z in BY_LOCALE.items())
    op.execute(
        "INSERT INTO rhythms (user_id, rhythm, hour, timezone, chose_timezone, quiet_start, "
        "quiet_end, silent) SELECT id, 'ask', 18, "
        f"COALESCE(CASE country {by_country} END, CASE locale {by_locale} END, "
        "'Europe/Belgrade'), false, 22, 8, false FROM users"
    )


def downgrade() -> None:
    with op.batch_alter_table('progress') as batch:
        batch.drop_column('act_at')
    op.drop_index('ix_rhythms_zone_hour', table_name='rhythms')
    op.drop_table('rhythms')
