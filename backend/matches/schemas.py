"""Input and output shapes of matches."""

from datetime import datetime

from pydantic import BaseModel, Field

from backend.matches.models import DeclineReason, MatchStatus


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
    explanation: dict
    proposed_at: datetime
