"""Firms, universities, institutes, government bodies and foreign partners."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.base import Base, enum_column
from backend.chains.models import IndustryChain
from backend.regions.models import Region


class OrgKind(enum.StrEnum):
    FIRM = "firm"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    GOVERNMENT = "government"
    FOREIGN_PARTNER = "foreign_partner"


organisation_chains = Table(
    "organisation_chains",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("chain_id", ForeignKey("industry_chains.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    is_little_giant: Mapped[bool] = mapped_column(Boolean, default=False)
    is_high_tech: Mapped[bool] = mapped_column(Boolean, default=False)
    is_chain_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    is_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    region: Mapped[Region] = relationship(lazy="raise")
    chains: Mapped[list[IndustryChain]] = relationship(secondary=organisation_chains, lazy="raise")

    @property
    def verification(self) -> str:
        """pending, verified or rejected: a new organisation waits for an admin."""
        if self.is_verified:
            return "verified"
        return "rejected" if self.rejected_at is not None else "pending"

    @property
    def is_research(self) -> bool:
        return self.kind in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.FOREIGN_PARTNER)
