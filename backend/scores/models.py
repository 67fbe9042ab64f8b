"""Snapshots of the five powers per region, chain and period: one row per component and one per dimension."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
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
    """`component` NULL is the dimension's score (the mean of its components' normalised values).

    `value` is the normalised 0–100 value and `raw_value` the component in its unit; both are NULL for
    "no data yet". `trend` is `value` minus the previous period's `value` (points), `previous_raw_value`
    the previous period's raw value."""

    __tablename__ = "score_snapshots"
    __table_args__ = (
        UniqueConstraint("region_id", "chain_id", "dimension", "component", "period_start", "period_end",
                         name="uq_score_snapshots_scope", postgresql_nulls_not_distinct=True),
        Index("ix_score_snapshots_period", "period_start", "period_end"),
    )  # fillfactor 70 (migration 0013): the per-event update rewrites rows by id, in place (HOT updates)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))  # the scope's unique index starts with it
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("industry_chains.id"))
    dimension: Mapped[Dimension] = mapped_column(enum_column(Dimension))
    component: Mapped[str | None] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(10))  # month, quarter, year
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    raw_value: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    previous_raw_value: Mapped[float | None] = mapped_column(Float)
    trend: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RegionTarget(Base):
    """An admin's target for one component in one region, over the settings file's (docs/scores.md, "Targets per
    region").

    `target` scores 100 and `worst` scores 0; counts and values are per month, like the file's."""

    __tablename__ = "region_score_targets"
    __table_args__ = (UniqueConstraint("region_id", "component", name="uq_region_score_targets_component"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    component: Mapped[str] = mapped_column(String(60))
    target: Mapped[float] = mapped_column(Float)
    worst: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())


class ScorePartial(Base):
    """The stored state of one scope and period that the per-event update changes by delta (docs/scores.md,
    "Computation"): counts, distinct counts, histograms of whole days, the cohort's needs per posting day.

    `region_id` NULL is the platform's totals of the period (the location quotient's denominator). `key` is
    `<period>:<start>:<region id or platform>:<chain id or *>`."""

    __tablename__ = "score_partials"
    __table_args__ = (Index("ix_score_partials_period", "period_start", "period"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("industry_chains.id"))
    # JSON documents kept as text: the update reads and rewrites them for every event, and the database has no
    # reason to parse them. `state` is two lines (`repository.load_state`): the state without its histograms, then
    # the histograms, decoded only when read (`split_part(state, E'\n', 1)::jsonb` reads the first).
    state: Mapped[str] = mapped_column(Text)
    # The snapshots written from it (`repository._pack`): their ids, the components' raw values, the sample
    # flag and the location quotient's counts; NULL for the platform's totals.
    rows: Mapped[str | None] = mapped_column(Text)


class ScoreFact(Base):
    """What the per-event update remembers between events, by key: a need's posting and stage minima
    (`need:<id>`), a project's creation, latest details and stages (`project:<id>`), a match's need
    (`match:<id>`), the months and (region, chain) leaves a firm or a firm–university pair was active in
    (`firm:<id>`, `pair:<firm>:<lab>`), and `built` once the state matches the ledger."""

    __tablename__ = "score_facts"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONB)


class ScoreAppliedEvent(Base):
    """A ledger event already counted in the stored partials: a redelivered task finds it and does nothing."""

    __tablename__ = "score_applied_events"

    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
