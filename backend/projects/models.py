"""Joint projects between firms and research organisations."""

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import Column, Date, ForeignKey, Numeric, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.base import Base, Timestamped, enum_column
from backend.organisations.models import Organisation


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    COMMERCIALISED = "commercialised"
    TERMINATED = "terminated"


class MajorLevel(enum.StrEnum):
    NONE = "none"
    MUNICIPAL = "municipal"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


PROJECT_TRANSITIONS: dict[ProjectStatus, set[ProjectStatus]] = {
    ProjectStatus.PLANNED: {ProjectStatus.ACTIVE, ProjectStatus.TERMINATED},
    ProjectStatus.ACTIVE: {ProjectStatus.COMPLETED, ProjectStatus.TERMINATED},
    ProjectStatus.COMPLETED: {ProjectStatus.COMMERCIALISED},
    ProjectStatus.COMMERCIALISED: set(),
    ProjectStatus.TERMINATED: set(),
}

project_parties = Table(
    "project_parties",
    Base.metadata,
    Column("project_id", ForeignKey("joint_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
)


class JointProject(Timestamped, Base):
    __tablename__ = "joint_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id"), unique=True)
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("industry_chains.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus), default=ProjectStatus.PLANNED)
    contract_value_cny: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    major_level: Mapped[MajorLevel] = mapped_column(enum_column(MajorLevel), default=MajorLevel.NONE)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    is_sample: Mapped[bool] = mapped_column(default=False)

    parties: Mapped[list[Organisation]] = relationship(secondary=project_parties, lazy="raise")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", lazy="raise", order_by="Milestone.due_on"
    )


class Milestone(Base):
    __tablename__ = "project_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("joint_projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    project: Mapped[JointProject] = relationship(back_populates="milestones", lazy="raise")
