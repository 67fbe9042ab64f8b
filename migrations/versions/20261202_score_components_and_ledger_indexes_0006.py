"""Scores: one snapshot row per component (raw, normalised, target, trend, sample flag); ledger look-up indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:05:00.000000
"""
from collections.abc import Sequence

import pgvector.sqlalchemy  # noqa: F401  (autogenerate writes pgvector.sqlalchemy.Vector)
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSION = sa.Enum('sensing', 'planning', 'promotion', 'characteristic', 'cooperation', name='dimension',
                    native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # Nothing wrote score_snapshots before this revision, and every row is recomputed from the ledger.
    op.drop_index(op.f('ix_score_snapshots_region_id'), table_name='score_snapshots')
    op.drop_table('score_snapshots')
    op.create_table('score_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('dimension', DIMENSION, nullable=False),
    sa.Column('component', sa.String(length=60), nullable=True),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('raw_value', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('previous_raw_value', sa.Float(), nullable=True),
    sa.Column('trend', sa.Float(), nullable=True),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_score_snapshots_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_score_snapshots_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_snapshots')),
    sa.UniqueConstraint('region_id', 'chain_id', 'dimension', 'component', 'period_start', 'period_end', name='uq_score_snapshots_scope', postgresql_nulls_not_distinct=True)
    )
    op.create_index('ix_score_snapshots_period', 'score_snapshots', ['period_start', 'period_end'], unique=False)
    op.create_index(op.f('ix_score_snapshots_region_id'), 'score_snapshots', ['region_id'], unique=False)
    op.create_index('ix_collaboration_events_occurred_at', 'collaboration_events', ['occurred_at'], unique=False)
    op.create_index('ix_collaboration_events_need_id', 'collaboration_events', ['need_id'], unique=False)
    op.create_index('ix_collaboration_events_match_id', 'collaboration_events', ['match_id'], unique=False)
    op.create_index('ix_collaboration_events_project_id', 'collaboration_events', ['project_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_collaboration_events_project_id', table_name='collaboration_events')
    op.drop_index('ix_collaboration_events_match_id', table_name='collaboration_events')
    op.drop_index('ix_collaboration_events_need_id', table_name='collaboration_events')
    op.drop_index('ix_collaboration_events_occurred_at', table_name='collaboration_events')
    op.drop_index(op.f('ix_score_snapshots_region_id'), table_name='score_snapshots')
    op.drop_index('ix_score_snapshots_period', table_name='score_snapshots')
    op.drop_table('score_snapshots')
    op.create_table('score_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('dimension', DIMENSION, nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('components', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_score_snapshots_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_score_snapshots_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_snapshots')),
    sa.UniqueConstraint('region_id', 'chain_id', 'dimension', 'period_start', 'period_end', name='uq_score_snapshots_scope', postgresql_nulls_not_distinct=True)
    )
    op.create_index(op.f('ix_score_snapshots_region_id'), 'score_snapshots', ['region_id'], unique=False)
