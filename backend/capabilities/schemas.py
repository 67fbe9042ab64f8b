"""Input and output shapes of capabilities."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.capabilities.models import CapabilityKind, CapabilityStatus
from backend.needs.schemas import required_text


class CapabilityIn(BaseModel):
    organisation_id: int
    kind: CapabilityKind
    title: str = Field(max_length=300)
    description: str = Field(max_length=40000)
    chain: str | None = None
    keywords: list[str] = Field(default_factory=list)
    team: str | None = Field(default=None, max_length=200)
    trl: int | None = Field(default=None, ge=1, le=9)
    patent_numbers: list[str] = Field(default_factory=list)
    contact: str | None = Field(default=None, max_length=200)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return required_text(v, "title")

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        return required_text(v, "description")


class CapabilityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    organisation: str
    kind: CapabilityKind
    title: str
    description: str
    chain: str | None
    keywords: list[str]
    language: str
    team: str | None
    trl: int | None
    patent_numbers: list[str]
    status: CapabilityStatus
    match_state: str
    is_sample: bool
    created_at: datetime
