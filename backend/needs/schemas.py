"""Input and output shapes of needs: the JSON API's models and the portal's form."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from backend.i18n import _
from backend.needs.models import NeedStatus, Visibility
from backend.postings import PostingIn, required_text, split_keywords
from matching.text import clean_text

Language = Literal["zh", "en"]


class NeedIn(PostingIn):
    """A new need (JSON API, sample data, eval): a firm's own members post for their firm only."""

    description: str = Field(max_length=20000)
    summary: str | None = Field(default=None, max_length=1000)
    trl_min: int = Field(default=1, ge=1, le=9)
    trl_max: int = Field(default=9, ge=1, le=9)
    budget_min_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    budget_max_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    deadline: date | None = None
    visibility: Visibility = Visibility.PUBLIC
    # Region code of the problem (a district of Shaoxing); None means the firm's own region.
    region: str | None = Field(default=None, max_length=12)
    # The author's choice of language; None (or "auto") means detected from the text.
    language: Language | Literal["auto"] | None = None

    @model_validator(mode="after")
    def _ranges(self) -> "NeedIn":
        if self.trl_min > self.trl_max:
            raise ValueError("trl_min must not exceed trl_max")
        if self.budget_min_cny is not None and self.budget_max_cny is not None:
            if self.budget_min_cny > self.budget_max_cny:
                raise ValueError("budget_min_cny must not exceed budget_max_cny")
        return self


class NeedUpdate(BaseModel):
    """A change to a need: only the fields that are given are changed (JSON PATCH and the edit form)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=20000)
    summary: str | None = Field(default=None, max_length=1000)
    chain: str | None = None
    region: str | None = Field(default=None, max_length=12)
    trl_min: int | None = Field(default=None, ge=1, le=9)
    trl_max: int | None = Field(default=None, ge=1, le=9)
    budget_min_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    budget_max_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    deadline: date | None = None
    visibility: Visibility | None = None
    language: Language | Literal["auto"] | None = None
    keywords: list[str] | None = None

    @field_validator("title", "description")
    @classmethod
    def _not_blank(cls, v: str | None, info) -> str:  # noqa: ANN001
        if v is None:
            raise ValueError(f"{info.field_name} must not be empty")
        return required_text(v, info.field_name)

    @field_validator("trl_min", "trl_max", "visibility")
    @classmethod
    def _not_null(cls, v, info):  # noqa: ANN001, ANN206
        if v is None:
            raise ValueError(f"{info.field_name} cannot be empty; leave it out to keep it")
        return v


class NeedStatusIn(BaseModel):
    to: NeedStatus


class NeedForm(BaseModel):
    """The portal's form of a need, as posted by a browser (every value a string), with per-field messages.

    The order of the fields matters: a field's validator sees the fields above it (`info.data`).
    """

    title: str = Field(max_length=300)
    description: str = Field(max_length=20000)
    visibility: Visibility = Visibility.PUBLIC
    summary: str | None = Field(default=None, max_length=1000, validate_default=True)
    chain: str | None = Field(default=None, max_length=60)
    region: str | None = Field(default=None, max_length=12)
    trl_min: int = Field(default=1, ge=1, le=9)
    trl_max: int = Field(default=9, ge=1, le=9, validate_default=True)
    budget_min_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    budget_max_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    deadline: date | None = None
    language: Literal["auto", "zh", "en"] = "auto"
    keywords: str | None = Field(default=None, max_length=2000)

    @field_validator("title", "description")
    @classmethod
    def _filled(cls, v: str, info: ValidationInfo) -> str:
        cleaned = clean_text(v)
        if not cleaned:
            raise ValueError(_("This field is required."))
        return cleaned

    @field_validator("summary")
    @classmethod
    def _summary_for_confidential(cls, v: str | None, info: ValidationInfo) -> str | None:
        cleaned = clean_text(v) if v else ""
        if not cleaned and info.data.get("visibility") == Visibility.CONFIDENTIAL:
            raise ValueError(_("A confidential need shows only this summary to universities: write one "
                               "that does not give away what must stay confidential."))
        return cleaned or None

    @field_validator("trl_max")
    @classmethod
    def _trl_range(cls, v: int, info: ValidationInfo) -> int:
        low = info.data.get("trl_min")
        if low is not None and v < low:
            raise ValueError(_("The highest TRL must not be below the lowest."))
        return v

    @field_validator("budget_max_cny")
    @classmethod
    def _budget_range(cls, v: Decimal | None, info: ValidationInfo) -> Decimal | None:
        low = info.data.get("budget_min_cny")
        if v is not None and low is not None and v < low:
            raise ValueError(_("The highest budget must not be below the lowest."))
        return v

    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    def to_input(self, organisation_id: int | None) -> NeedIn:
        """A new need for `organisation_id` (always the signed-in user's, never a form field)."""
        return NeedIn(
            organisation_id=organisation_id, title=self.title, description=self.description, summary=self.summary,
            chain=self.chain, keywords=self.keyword_list(), trl_min=self.trl_min, trl_max=self.trl_max,
            budget_min_cny=self.budget_min_cny, budget_max_cny=self.budget_max_cny, deadline=self.deadline,
            visibility=self.visibility, region=self.region, language=self.language,
        )

    def to_update(self) -> NeedUpdate:
        """Every field of the form: a field left blank clears the stored value."""
        return NeedUpdate(
            title=self.title, description=self.description, summary=self.summary, chain=self.chain,
            region=self.region, trl_min=self.trl_min, trl_max=self.trl_max, budget_min_cny=self.budget_min_cny,
            budget_max_cny=self.budget_max_cny, deadline=self.deadline, visibility=self.visibility,
            language=self.language, keywords=self.keyword_list(),
        )


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
    region: str | None = None
    language_chosen: str | None = None
