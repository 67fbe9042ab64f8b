"""Alerts of the sensing score: one row per alert, at most one open per kind and subject (partial unique index)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:12:33
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('stale_need', 'stalled_project', 'chain_gap', 'score_drop', name='alertkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('open', 'resolved', name='alertstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('dimension', sa.String(length=20), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('resolved_automatically', sa.Boolean(), nullable=False),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_alerts_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_alerts_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_alerts_need_id_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['joint_projects.id'], name=op.f('fk_alerts_project_id_joint_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_alerts_region_id_regions')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_alerts_resolved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    op.create_index(op.f('ix_alerts_assignee_id'), 'alerts', ['assignee_id'], unique=False)
    op.create_index(op.f('ix_alerts_need_id'), 'alerts', ['need_id'], unique=False)
    op.create_index(op.f('ix_alerts_project_id'), 'alerts', ['project_id'], unique=False)
    op.create_index('ix_alerts_status_raised_at', 'alerts', ['status', 'raised_at'], unique=False)
    # The daily job inserts with ON CONFLICT on this index: re-running it never opens a second alert.
    op.create_index('uq_alerts_open_subject', 'alerts', ['kind', 'subject'], unique=True, postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index('uq_alerts_open_subject', table_name='alerts', postgresql_where=sa.text("status = 'open'"))
    op.drop_index('ix_alerts_status_raised_at', table_name='alerts')
    op.drop_index(op.f('ix_alerts_project_id'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_need_id'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_assignee_id'), table_name='alerts')
    op.drop_table('alerts')
