"""Input and output shapes of foreign partnerships (the web form and the JSON API share the input)."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from backend.i18n import _
from backend.partnerships.models import PartnershipKind
from backend.web import MAX_ID


class PartnershipIn(BaseModel):
    """A partnership of the caller's organisation: an existing foreign partner, or a new one by name and country.

    The local side is never part of the input: it is the caller's organisation.
    """

    model_config = ConfigDict(extra="forbid")

    foreign_organisation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    new_partner_name: str | None = Field(default=None, max_length=200, validate_default=True)
    new_partner_country: str | None = Field(default=None, max_length=2, validate_default=True)
    kind: PartnershipKind
    value_cny: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    started_on: date
    ended_on: date | None = None
    project_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: str | None = Field(default=None, max_length=4000)

    @field_validator("new_partner_name")
    @classmethod
    def _one_partner(cls, v: str | None, info: ValidationInfo) -> str | None:
        v = (v or "").strip() or None
        chosen = info.data.get("foreign_organisation_id")
        if chosen is None and v is None:
            raise ValueError(_("Choose a partner from the list, or type the name of a new one."))
        if chosen is not None and v is not None:
            raise ValueError(_("Either choose a partner from the list or type a new one, not both."))
        return v

    @field_validator("new_partner_country")
    @classmethod
    def _country(cls, v: str | None, info: ValidationInfo) -> str | None:
        v = (v or "").strip().upper() or None
        if info.data.get("new_partner_name") and v is None:
            raise ValueError(_("Choose the new partner's country."))
        return v

    @field_validator("ended_on")
    @classmethod
    def _ends_after_start(cls, v: date | None, info: ValidationInfo) -> date | None:
        started = info.data.get("started_on")
        if v is not None and started is not None and v < started:
            raise ValueError(_("A partnership cannot end before it starts."))
        return v


class PartnershipOut(BaseModel):
    id: int
    local_organisation_id: int
    foreign_organisation_id: int
    partner: str
    country_code: str
    kind: PartnershipKind
    value_cny: Decimal
    started_on: date
    ended_on: date | None
    project_id: int | None
    description: str | None
    created_at: datetime
