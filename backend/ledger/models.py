"""The append-only ledger of collaboration events that every score is computed from."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.base import Base


class CollaborationEvent(Base):
    __tablename__ = "collaboration_events"
    __table_args__ = (
        Index("ix_collaboration_events_region_time", "region_id", "occurred_at"),
        # Scores read the ledger by time and follow a need, a match or a project through its events.
        Index("ix_collaboration_events_occurred_at", "occurred_at"),
        Index("ix_collaboration_events_need_id", "need_id"),
        Index("ix_collaboration_events_match_id", "match_id"),
        Index("ix_collaboration_events_project_id", "project_id"),
        # Drill-down lists and scores read one kind over a period (also every lookup by kind alone).
        Index("ix_collaboration_events_kind_time", "kind", "occurred_at"),
        # Covering indexes of the drill-downs and scores at 1M events (docs/scores.md, "Speed"): stalled projects
        # read each project's creation and later events, stale needs each need's posting and responses, and the
        # scores each need's first proposal, from the index alone.
        Index("ix_collaboration_events_kind_project", "kind", "project_id", "occurred_at", "id",
              postgresql_include=["region_id", "chain_id"], postgresql_where=text("project_id IS NOT NULL")),
        Index("ix_collaboration_events_kind_need", "kind", "need_id", "occurred_at", "id",
              postgresql_include=["region_id", "chain_id"], postgresql_where=text(
                  "kind IN ('need.posted', 'match.proposed', 'match.university_interested', 'match.accepted')")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # an `EventKind` value (backend/ledger/kinds.py)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("industry_chains.id"), index=True)
    organisation_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    capability_id: Mapped[int | None] = mapped_column(ForeignKey("capabilities.id", ondelete="SET NULL"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("joint_projects.id", ondelete="SET NULL"))
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(JSONB, default=dict)
    is_sample: Mapped[bool] = mapped_column(default=False)
