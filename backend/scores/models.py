"""Snapshots of the five powers per region, chain and period."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from backend.base import Base, enum_column


class Dimension(enum.StrEnum):
    SENSING = "sensing"  # 智能感应力
    PLANNING = "planning"  # 战略谋划力
    PROMOTION = "promotion"  # 创新推进力
    CHARACTERISTIC = "characteristic"  # 特色发展力
    COOPERATION = "cooperation"  # 共享合作力


class ScoreSnapshot(Base):
    __tablename__ = "score_snapshots"
    __table_args__ = (
        UniqueConstraint("region_id", "chain_id", "dimension", "period_start", "period_end",
                         name="uq_score_snapshots_scope", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("industry_chains.id"))
    dimension: Mapped[Dimension] = mapped_column(enum_column(Dimension))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    components: Mapped[dict] = mapped_column(JSONB, default=dict)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
