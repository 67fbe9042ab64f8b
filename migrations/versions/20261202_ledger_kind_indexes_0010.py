"""Ledger indexes for the drill-downs and scores at 1M events; admins' score targets per region

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEED_KINDS = "kind IN ('need.posted', 'match.proposed', 'match.university_interested', 'match.accepted')"


def upgrade() -> None:
    # One kind over a period (recent partnerships, every lookup by kind): (kind, occurred_at) serves the lookups
    # by kind alone as well, so the single-column kind index goes.
    op.create_index('ix_collaboration_events_kind_time', 'collaboration_events', ['kind', 'occurred_at'], unique=False)
    op.drop_index('ix_collaboration_events_kind', table_name='collaboration_events')
    # Covering indexes: stalled projects and stale needs read from the index alone (docs/scores.md, "Speed").
    op.create_index('ix_collaboration_events_kind_project', 'collaboration_events',
                    ['kind', 'project_id', 'occurred_at', 'id'], unique=False,
                    postgresql_include=['region_id', 'chain_id'], postgresql_where=sa.text('project_id IS NOT NULL'))
    op.create_index('ix_collaboration_events_kind_need', 'collaboration_events',
                    ['kind', 'need_id', 'occurred_at', 'id'], unique=False,
                    postgresql_include=['region_id', 'chain_id'], postgresql_where=sa.text(NEED_KINDS))
    op.create_table(
        'region_score_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('component', sa.String(length=60), nullable=False),
        sa.Column('target', sa.Float(), nullable=False),
        sa.Column('worst', sa.Float(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_region_score_targets_region_id_regions')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_region_score_targets_updated_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_region_score_targets')),
        sa.UniqueConstraint('region_id', 'component', name='uq_region_score_targets_component'),
    )


def downgrade() -> None:
    op.drop_table('region_score_targets')
    op.drop_index('ix_collaboration_events_kind_need', table_name='collaboration_events')
    op.drop_index('ix_collaboration_events_kind_project', table_name='collaboration_events')
    op.create_index('ix_collaboration_events_kind', 'collaboration_events', ['kind'], unique=False)
    op.drop_index('ix_collaboration_events_kind_time', table_name='collaboration_events')
