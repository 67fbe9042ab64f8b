"""Input and output shapes of matches."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from backend.capabilities.models import CapabilityKind
from backend.matches.models import DeclineReason, MatchStatus
from backend.projects.models import MajorLevel
from matching.explain import Explanation


class DeclineIn(BaseModel):
    reason: DeclineReason
    note: str | None = Field(default=None, max_length=2000)


class PostingRef(BaseModel):
    id: int
    title: str | None = None
    summary: str | None = None
    organisation: str | None = None
    language: str | None = None
    url: str | None = None
    confidential: bool = False


class MatchOut(BaseModel):
    id: int
    rank: int
    need: PostingRef
    capability: PostingRef
    status: MatchStatus | None = None
    fused_score: float
    dense_score: float | None
    lexical_score: float | None
    explanation: Explanation
    proposed_at: datetime


class InterestIn(BaseModel):
    """One side's interest; the university side adds a short proposal."""

    proposal: str | None = Field(default=None, max_length=4000)


class MessageIn(BaseModel):
    body: str = Field(max_length=20000)


class NdaIn(BaseModel):
    confirm: bool = False


class ProjectFromMatchIn(BaseModel):
    title: str = Field(max_length=300)
    contract_value_cny: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    major_level: MajorLevel = MajorLevel.NONE


class MatchPosting(BaseModel):
    """One side of a match as the viewer may read it (a confidential need: its summary only)."""

    id: int
    url: str | None = None
    title: str | None = None
    summary: str | None = None
    description: str | None = None
    organisation: str | None = None
    chain: str | None = None
    language: str | None = None
    kind: CapabilityKind | None = None
    visibility: str | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    confidential: bool = False
    readable: bool = True


class HistoryOut(BaseModel):
    proposed_at: datetime
    firm_interested_at: datetime | None = None
    university_interested_at: datetime | None = None
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    declined_by: str | None = None
    decline_reason: DeclineReason | None = None
    decline_note: str | None = None
    expired_at: datetime | None = None


class MessageOut(BaseModel):
    id: int
    body: str
    created_at: datetime
    side: str | None = None
    organisation: str | None = None
    mine: bool = False


class NdaOut(BaseModel):
    required: bool
    confirmed: bool
    version: str


class MatchDetailOut(BaseModel):
    """A match as its page shows it: both postings, explanation, status with history, actions, thread."""

    id: int
    status: MatchStatus
    side: str | None
    need: MatchPosting
    capability: MatchPosting
    explanation: Explanation
    fused_score: float
    proposal: str | None
    history: HistoryOut
    nda: NdaOut
    actions: list[str]
    messages: list[MessageOut]
    project_id: int | None
