"""Matches: the pair's place in the capability's list (reverse_rank) and the status withdrawn

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ('proposed', 'firm_interested', 'university_interested', 'accepted', 'declined', 'expired')
NEW = (*OLD, 'withdrawn')


def _status_check(values: tuple[str, ...]) -> None:
    op.drop_constraint(op.f('ck_matches_matchstatus'), 'matches', type_='check')
    listed = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint(op.f('ck_matches_matchstatus'), 'matches', sa.text(f"status IN ({listed})"))


def upgrade() -> None:
    op.add_column('matches', sa.Column('reverse_rank', sa.Integer(), nullable=True))
    _status_check(NEW)


def downgrade() -> None:
    op.execute("UPDATE matches SET status = 'expired' WHERE status = 'withdrawn'")
    _status_check(OLD)
    op.drop_column('matches', 'reverse_rank')
