"""Stored score partials, facts and applied events for the per-event update by delta

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00

See docs/scores.md, "Computation". On a ledger that already holds events the state is empty and not marked
built, so the first per-event update rebuilds it with a full recompute; an empty ledger's state is empty, and
is marked built here.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'score_partials',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('chain_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('rows', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'],
                                name=op.f('fk_score_partials_chain_id_industry_chains')),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_score_partials_region_id_regions')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_score_partials')),
    )
    op.create_index('ix_score_partials_period', 'score_partials', ['period_start', 'period'], unique=False)
    op.create_table(
        'score_facts',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('value', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_score_facts')),
    )
    op.create_table(
        'score_applied_events',
        sa.Column('event_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_score_applied_events')),
    )
    # The update reads and rewrites partials for every event: a partial stays in its row and is not compressed
    # up to 8 kB (pglz costs more than the bytes it saves here), and pages keep room for updates in place (HOT:
    # no index is touched, as no indexed column changes).
    op.execute("ALTER TABLE score_partials SET (toast_tuple_target = 8160, fillfactor = 50)")
    op.execute("ALTER TABLE score_partials ALTER COLUMN state SET STORAGE EXTERNAL, "
               "ALTER COLUMN rows SET STORAGE EXTERNAL")
    op.execute("ALTER TABLE score_facts SET (fillfactor = 70)")
    op.execute("INSERT INTO score_facts (key, value) SELECT 'built', '{}'::jsonb "
               "WHERE NOT EXISTS (SELECT 1 FROM collaboration_events)")


def downgrade() -> None:
    op.drop_table('score_applied_events')
    op.drop_table('score_facts')
    op.drop_index('ix_score_partials_period', table_name='score_partials')
    op.drop_table('score_partials')
