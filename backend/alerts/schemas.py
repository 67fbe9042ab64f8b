"""Input shapes of the alert forms."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.alerts.models import AlertKind, AlertStatus
from backend.web import MAX_ID


class AssignIn(BaseModel):
    assignee_id: int = Field(ge=1, le=MAX_ID)


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class AlertOut(BaseModel):
    """An alert as codes and ids (the page words them; a need is named by its id only, never its text)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: AlertKind
    status: AlertStatus
    subject: str
    region_id: int | None
    chain_id: int | None
    need_id: int | None
    project_id: int | None
    dimension: str | None
    period_start: date | None
    detail: dict
    raised_at: datetime
    assignee_id: int | None
    resolved_at: datetime | None
    resolved_automatically: bool
    is_sample: bool


class AlertPage(BaseModel):
    total: int
    alerts: list[AlertOut]
