"""Alerts of the sensing dimension: something the region should look at, raised by the daily job."""

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.base import Base, enum_column


class AlertKind(enum.StrEnum):
    STALE_NEED = "stale_need"  # an open need without a response in 14 days
    STALLED_PROJECT = "stalled_project"  # an active project without a milestone done in 60 days
    CHAIN_GAP = "chain_gap"  # a chain with open needs and no active capability
    SCORE_DROP = "score_drop"  # a dimension score fell by more than the threshold from the previous month


class AlertStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Alert(Base):
    """One alert about one subject. `subject` names what it is about (`need:12`, `score:3:sensing:2026-10-01`):
    at most one alert per kind and subject is open at a time (the partial unique index), so the daily job can
    run any number of times. It holds codes and ids; the page words them in the reader's language."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("uq_alerts_open_subject", "kind", "subject", unique=True, postgresql_where=text("status = 'open'")),
        Index("ix_alerts_status_raised_at", "status", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind))
    subject: Mapped[str] = mapped_column(String(120))
    status: Mapped[AlertStatus] = mapped_column(enum_column(AlertStatus), default=AlertStatus.OPEN)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("industry_chains.id"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("joint_projects.id", ondelete="SET NULL"), index=True)
    # Score drops: the dimension and the month that dropped.
    dimension: Mapped[str | None] = mapped_column(String(20))
    period_start: Mapped[date | None] = mapped_column(Date)
    # What the job saw when it raised the alert (days without a response, the drop in points, open needs…).
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # Resolved by the daily job because its cause went away (no analyst closed it).
    resolved_automatically: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
