"""GIN indexes of postings without a pending list (fastupdate off), so searches stay fast after inserts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:50:00
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = ('ix_capabilities_lexical_gin', 'ix_capabilities_title_trgm', 'ix_needs_lexical_gin', 'ix_needs_title_trgm')


def upgrade() -> None:
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        # Rows already waiting in the pending list move into the index proper.
        op.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (fastupdate)")
