"""A firm's technical pain point (需求 / 难点痛点)."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.base import GIN_WITH, Base, PostingColumns, enum_column
from backend.chains.models import IndustryChain
from backend.organisations.models import Organisation


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    REGISTERED = "registered"
    CONFIDENTIAL = "confidential"


class NeedStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SOLVED = "solved"
    CLOSED = "closed"


# Allowed steps of a need; the firm moves it, `needs.service.transition` checks every step.
NEED_TRANSITIONS: dict[NeedStatus, set[NeedStatus]] = {
    NeedStatus.DRAFT: {NeedStatus.OPEN, NeedStatus.CLOSED},
    NeedStatus.OPEN: {NeedStatus.IN_PROGRESS, NeedStatus.SOLVED, NeedStatus.CLOSED},
    NeedStatus.IN_PROGRESS: {NeedStatus.SOLVED, NeedStatus.OPEN, NeedStatus.CLOSED},
    NeedStatus.SOLVED: set(),
    NeedStatus.CLOSED: set(),
}

# The click-through non-disclosure statement a tech-transfer officer confirms before reading a confidential
# need; its version is stored with every confirmation, so a changed text asks again.
NDA_VERSION = "2026-12-v1"


class Need(PostingColumns, Base):
    __tablename__ = "needs"
    __table_args__ = (
        UniqueConstraint("organisation_id", "external_id"),
        CheckConstraint("trl_min BETWEEN 1 AND 9 AND trl_max BETWEEN 1 AND 9 AND trl_min <= trl_max", name="trl"),
        CheckConstraint("budget_min_cny IS NULL OR budget_max_cny IS NULL OR budget_min_cny <= budget_max_cny",
                        name="budget"),
        Index("ix_needs_embedding_hnsw", "embedding", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64},
              postgresql_ops={"embedding": "vector_cosine_ops"}),
        Index("ix_needs_embedding_en_hnsw", "embedding_en", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64},
              postgresql_ops={"embedding_en": "vector_cosine_ops"}),
        Index("ix_needs_lexical_gin", "lexical", postgresql_using="gin", postgresql_with=GIN_WITH),
        Index("ix_needs_title_trgm", "title", postgresql_using="gin", postgresql_with=GIN_WITH,
              postgresql_ops={"title": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    trl_min: Mapped[int] = mapped_column(Integer, default=1)
    trl_max: Mapped[int] = mapped_column(Integer, default=9)
    budget_min_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    budget_max_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    deadline: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.PUBLIC)
    status: Mapped[NeedStatus] = mapped_column(enum_column(NeedStatus), default=NeedStatus.OPEN, index=True)
    deadline_notified_on: Mapped[date | None] = mapped_column(Date)
    # Where the problem is (a plant in another district); None means the firm's own region.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    chain: Mapped[IndustryChain | None] = relationship(lazy="raise")


class NdaAcceptance(Base):
    """A tech-transfer officer's confirmation of the non-disclosure statement for one confidential need."""

    __tablename__ = "nda_acceptances"
    __table_args__ = (UniqueConstraint("need_id", "user_id", "statement_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    statement_version: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
