"""Ledger indexes for reading one kind over a period and a project's events of one kind

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:20:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_collaboration_events_kind_time', 'collaboration_events', ['kind', 'occurred_at'], unique=False)
    op.create_index('ix_collaboration_events_project_kind', 'collaboration_events', ['project_id', 'kind'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_collaboration_events_project_kind', table_name='collaboration_events')
    op.drop_index('ix_collaboration_events_kind_time', table_name='collaboration_events')
