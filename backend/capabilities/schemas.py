"""Input and output shapes of capabilities."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.capabilities.models import CapabilityKind, CapabilityStatus
from backend.needs.schemas import PostingIn


class CapabilityIn(PostingIn):
    kind: CapabilityKind
    team: str | None = Field(default=None, max_length=200)
    trl: int | None = Field(default=None, ge=1, le=9)
    patent_numbers: list[str] = Field(default_factory=list)
    contact: str | None = Field(default=None, max_length=200)


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
