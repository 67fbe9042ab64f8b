"""Input and output shapes of needs."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.needs.models import NeedStatus, Visibility
from matching.text import clean_text


def required_text(value: str, what: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise ValueError(f"{what} must not be empty")
    return cleaned


class PostingIn(BaseModel):
    """What every posting's input shares: an organisation, a title and a text that are not blank."""

    organisation_id: int | None = None
    title: str = Field(max_length=300)
    description: str = Field(max_length=40000)
    chain: str | None = None
    keywords: list[str] = Field(default_factory=list)

    @field_validator("title", "description")
    @classmethod
    def _not_blank(cls, v: str, info) -> str:  # noqa: ANN001
        return required_text(v, info.field_name)


class NeedIn(PostingIn):
    description: str = Field(max_length=20000)
    summary: str | None = Field(default=None, max_length=1000)
    trl_min: int = Field(default=1, ge=1, le=9)
    trl_max: int = Field(default=9, ge=1, le=9)
    budget_min_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    budget_max_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    deadline: date | None = None
    visibility: Visibility = Visibility.PUBLIC

    @model_validator(mode="after")
    def _ranges(self) -> "NeedIn":
        if self.trl_min > self.trl_max:
            raise ValueError("trl_min must not exceed trl_max")
        if self.budget_min_cny is not None and self.budget_max_cny is not None:
            if self.budget_min_cny > self.budget_max_cny:
                raise ValueError("budget_min_cny must not exceed budget_max_cny")
        return self


class NeedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int | None
    organisation: str | None
    title: str | None
    summary: str
    description: str | None
    chain: str | None
    keywords: list[str]
    language: str
    trl_min: int
    trl_max: int
    budget_min_cny: Decimal | None
    budget_max_cny: Decimal | None
    deadline: date | None
    visibility: Visibility
    status: NeedStatus
    match_state: str
    is_sample: bool
    created_at: datetime
    confidential: bool = False
