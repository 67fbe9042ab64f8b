"""Input and output shapes of joint projects."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from backend.projects.models import MajorLevel, ProjectStatus


class StatusIn(BaseModel):
    to: ProjectStatus


class MilestoneIn(BaseModel):
    title: str = Field(max_length=300)
    due_on: date | None = None


class DetailsIn(BaseModel):
    contract_value_cny: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    major_level: MajorLevel = MajorLevel.NONE


class PartyOut(BaseModel):
    id: int
    name: str
    kind: str


class MilestoneOut(BaseModel):
    id: int
    title: str
    due_on: date | None
    done_on: date | None


class ProjectOut(BaseModel):
    id: int
    title: str
    status: ProjectStatus
    next_steps: list[ProjectStatus]
    contract_value_cny: Decimal
    major_level: MajorLevel
    match_id: int | None
    started_on: date | None
    ended_on: date | None
    parties: list[PartyOut]
    milestones: list[MilestoneOut]
