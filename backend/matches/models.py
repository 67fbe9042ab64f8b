"""A proposed pairing of a need and a capability, and its lifecycle."""

import enum
from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.base import Base, Timestamped, enum_column
from backend.capabilities.models import Capability
from backend.needs.models import Need


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    FIRM_INTERESTED = "firm_interested"
    UNIVERSITY_INTERESTED = "university_interested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    # The platform took back a proposal nobody had acted on, when a later run ranked the pair lower.
    WITHDRAWN = "withdrawn"


#: A pair in one of these no longer stands as a proposal.
INACTIVE = (MatchStatus.DECLINED, MatchStatus.EXPIRED, MatchStatus.WITHDRAWN)


class DeclineReason(enum.StrEnum):
    TRL_TOO_EARLY = "trl_too_early"
    UNCLEAR_BENEFIT = "unclear_benefit"
    OUT_OF_SCOPE = "out_of_scope"
    BUDGET = "budget"
    ALREADY_SOLVED = "already_solved"
    OTHER = "other"


# Allowed steps; anything else is refused by the service with a clear message.
TRANSITIONS: dict[MatchStatus, set[MatchStatus]] = {
    MatchStatus.PROPOSED: {MatchStatus.FIRM_INTERESTED, MatchStatus.UNIVERSITY_INTERESTED,
                           MatchStatus.DECLINED, MatchStatus.EXPIRED, MatchStatus.WITHDRAWN},
    MatchStatus.FIRM_INTERESTED: {MatchStatus.ACCEPTED, MatchStatus.DECLINED, MatchStatus.EXPIRED},
    MatchStatus.UNIVERSITY_INTERESTED: {MatchStatus.ACCEPTED, MatchStatus.DECLINED, MatchStatus.EXPIRED},
    MatchStatus.ACCEPTED: set(),
    MatchStatus.DECLINED: set(),
    MatchStatus.EXPIRED: set(),
    MatchStatus.WITHDRAWN: {MatchStatus.PROPOSED},  # a later run ranks the pair high again
}


class Match(Timestamped, Base):
    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("need_id", "capability_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    capability_id: Mapped[int] = mapped_column(ForeignKey("capabilities.id", ondelete="CASCADE"), index=True)
    dense_score: Mapped[float | None] = mapped_column(Float)
    lexical_score: Mapped[float | None] = mapped_column(Float)
    # The calibrated match score: the estimated probability that the pair is relevant (matching.calibration),
    # comparable across needs, directions and languages; lists are ranked by it.
    fused_score: Mapped[float] = mapped_column(Float, default=0.0)
    # The pair's place in the need's list at the need's latest matching run, and in the capability's list
    # at the capability's latest run (None: not in that side's top). A proposal nobody acted on is withdrawn
    # when neither side ranks it any more.
    rank: Mapped[int | None] = mapped_column()
    reverse_rank: Mapped[int | None] = mapped_column()
    explanation: Mapped[dict] = mapped_column(JSONB, default=dict)
    status: Mapped[MatchStatus] = mapped_column(enum_column(MatchStatus), default=MatchStatus.PROPOSED, index=True)
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason))
    decline_note: Mapped[str | None] = mapped_column(Text)
    declined_by: Mapped[str | None] = mapped_column(String(16))
    proposal: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    firm_interested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    university_interested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_sample: Mapped[bool] = mapped_column(default=False)

    need: Mapped[Need] = relationship(lazy="raise")
    capability: Mapped[Capability] = relationship(lazy="raise")


class MatchMessage(Base):
    """One message in the thread both sides of a match share."""

    __tablename__ = "match_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EmbeddingIndex(Base):
    """Which model produced the vectors of a channel; a mismatch at start-up means `matchmaker reindex`."""

    __tablename__ = "embedding_indexes"

    channel: Mapped[str] = mapped_column(String(60), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(300))
    dim: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
