"""Score snapshots updated in place; stored partials count judged needs in totals

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:40:00

See docs/scores.md, "Speed". The per-event update rewrites a few hundred snapshot rows by id: pages keep room
for the new versions (HOT updates: no index is touched, as no indexed column changes), and the region index goes
(the scope's unique index starts with the region). Partials now fold the needs judged on the day the state was
built into totals: a state stored before this revision lacks them, so on a ledger with events it is marked not
built and the first per-event update rebuilds it with a full recompute.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_score_snapshots_region_id', table_name='score_snapshots')
    op.execute("ALTER TABLE score_snapshots SET (fillfactor = 70)")
    op.execute("DELETE FROM score_facts WHERE key = 'built' AND EXISTS (SELECT 1 FROM collaboration_events)")


def downgrade() -> None:
    op.execute("DELETE FROM score_facts WHERE key = 'built' AND EXISTS (SELECT 1 FROM collaboration_events)")
    op.execute("ALTER TABLE score_snapshots RESET (fillfactor)")
    op.create_index('ix_score_snapshots_region_id', 'score_snapshots', ['region_id'], unique=False)
