"""The multilingual channel's HNSW graphs denser: m=32, ef_construction=128

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:10:00

See docs/scaling.md, "Dense search at 1M". With m=16 and ef_construction=64 the dense top-10 at 1M postings had
recall@10 0.77 at hnsw.ef_search 100 (0.92 at 400); with m=32 and ef_construction=128, 0.958 at 150 with a p95 of
12–13 ms when the graph is in memory, and 1.000 at 100k. The graph is about twice as large and twice as slow to
build. The English-only MiniLM channel's indexes keep m=16 (a quarter of the postings, and a reranking channel).

On a large table this rebuilds each index in one transaction, holding writes on the table while it builds (about
1.5 minutes at 100k postings, 26 minutes at 1M with 5 GB of maintenance_work_mem); run it in a quiet hour.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (("ix_capabilities_embedding_hnsw", "capabilities"), ("ix_needs_embedding_hnsw", "needs"))


def _rebuild(m: int, ef_construction: int) -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table, postgresql_using='hnsw')
        op.create_index(name, table, ['embedding'], unique=False, postgresql_using='hnsw',
                        postgresql_with={'m': m, 'ef_construction': ef_construction},
                        postgresql_ops={'embedding': 'vector_cosine_ops'})


def upgrade() -> None:
    _rebuild(32, 128)


def downgrade() -> None:
    _rebuild(16, 64)
