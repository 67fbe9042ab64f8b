"""Cooperation between a local organisation and a foreign partner."""

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.base import Base, Timestamped, enum_column
from backend.organisations.models import Organisation


class PartnershipKind(enum.StrEnum):
    JOINT_RD = "joint_rd"
    LICENSING = "licensing"
    INVESTMENT = "investment"
    TALENT_EXCHANGE = "talent_exchange"
    CO_PUBLICATION = "co_publication"


class Partnership(Timestamped, Base):
    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    local_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    foreign_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    country_code: Mapped[str] = mapped_column(String(2))
    kind: Mapped[PartnershipKind] = mapped_column(enum_column(PartnershipKind))
    value_cny: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("joint_projects.id", ondelete="SET NULL"))
    is_sample: Mapped[bool] = mapped_column(default=False)

    local_organisation: Mapped[Organisation] = relationship(foreign_keys=[local_organisation_id], lazy="raise")
    foreign_organisation: Mapped[Organisation] = relationship(foreign_keys=[foreign_organisation_id], lazy="raise")
