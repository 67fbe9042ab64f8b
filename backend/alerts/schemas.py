"""Input shapes of the alert forms."""

from pydantic import BaseModel, Field

from backend.web import MAX_ID


class AssignIn(BaseModel):
    assignee_id: int = Field(ge=1, le=MAX_ID)


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)
