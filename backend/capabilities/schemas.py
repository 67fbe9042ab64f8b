"""Input and output shapes of capabilities: the JSON input, the partial update, the web form, the inbox filter."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.capabilities.models import CapabilityKind, CapabilityStatus
from backend.i18n import _
from backend.postings import PostingIn, required_text, split_keywords
from matching.text import clean_text

# The author's choice of language; None (or "auto") means detected from the text.
PostingLanguage = Literal["zh", "en"]


def _auto_is_none(value: str | None) -> str | None:
    return None if value == "auto" else value


class CapabilityIn(PostingIn):
    kind: CapabilityKind
    team: str | None = Field(default=None, max_length=200)
    trl: int | None = Field(default=None, ge=1, le=9)
    patent_numbers: list[str] = Field(default_factory=list)
    contact: str | None = Field(default=None, max_length=200)
    language: PostingLanguage | Literal["auto"] | None = None

    _language = field_validator("language")(_auto_is_none)


class CapabilityUpdate(BaseModel):
    """A change to a capability: only the fields given are changed (PATCH); title and text cannot be blanked."""

    model_config = ConfigDict(extra="forbid")

    kind: CapabilityKind | None = None
    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=40000)
    chain: str | None = None
    trl: int | None = Field(default=None, ge=1, le=9)
    keywords: list[str] | None = None
    team: str | None = Field(default=None, max_length=200)
    patent_numbers: list[str] | None = None
    contact: str | None = Field(default=None, max_length=200)
    language: PostingLanguage | Literal["auto"] | None = None

    _language = field_validator("language")(_auto_is_none)

    @field_validator("title", "description", "contact")
    @classmethod
    def _not_blank(cls, v: str | None, info) -> str:  # noqa: ANN001
        if v is None:
            raise ValueError(f"{info.field_name} cannot be removed")
        return required_text(v, info.field_name)

    @field_validator("kind")
    @classmethod
    def _kind_given(cls, v: CapabilityKind | None) -> CapabilityKind:
        if v is None:
            raise ValueError("kind cannot be removed")
        return v

    def changes(self) -> dict:
        """The fields the caller sent, with their new values."""
        return {name: getattr(self, name) for name in self.model_fields_set}



def split_lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class CapabilityForm(BaseModel):
    """The capability form of the pages; every message is in the reader's language."""

    kind: CapabilityKind
    title: str = Field(max_length=300)
    description: str = Field(max_length=40000)
    chain: str | None = Field(default=None, max_length=40)
    trl: int | None = Field(default=None, ge=1, le=9)
    keywords: str = Field(default="", max_length=2000)
    team: str | None = Field(default=None, max_length=200)
    patent_numbers: str = Field(default="", max_length=4000)
    contact: str = Field(max_length=200)
    language: Literal["auto", "zh", "en"] = "auto"

    @field_validator("title", "description", "contact")
    @classmethod
    def _filled(cls, v: str) -> str:
        cleaned = clean_text(v)
        if not cleaned:
            raise ValueError(_("This field is required."))
        return cleaned

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: str) -> str:
        words = split_keywords(v)
        if len(words) > 30:
            raise ValueError(_("At most 30 keywords."))
        if any(len(w) > 60 for w in words):
            raise ValueError(_("A keyword can have at most 60 characters."))
        return v

    @field_validator("patent_numbers")
    @classmethod
    def _patents(cls, v: str) -> str:
        if any(len(p) > 60 for p in split_lines(v)):
            raise ValueError(_("Write one patent number per line."))
        return v

    def language_choice(self) -> str | None:
        return None if self.language == "auto" else self.language

    def fields(self) -> dict:
        """The values as the service takes them (the same names as `CapabilityIn` and `CapabilityUpdate`)."""
        return {
            "kind": self.kind, "title": self.title, "description": self.description, "chain": self.chain,
            "trl": self.trl, "keywords": split_keywords(self.keywords), "team": self.team,
            "patent_numbers": split_lines(self.patent_numbers), "contact": self.contact,
            "language": self.language_choice(),
        }

    def to_input(self, organisation_id: int | None) -> CapabilityIn:
        return CapabilityIn(organisation_id=organisation_id, **self.fields())

    def to_update(self) -> CapabilityUpdate:
        fields = self.fields()
        # Every field of the form is sent, but a blank optional one means "none" (None is not a change
        # for the required ones, which the form always fills).
        return CapabilityUpdate.model_construct(_fields_set=set(fields), **fields)


class InboxFilter(BaseModel):
    """The filters and the order of an inbox of matched needs."""

    min_score: float | None = Field(default=None, ge=0, le=1)
    chain: str | None = Field(default=None, max_length=40)
    district: str | None = Field(default=None, max_length=12)
    language: PostingLanguage | None = None
    since: date | None = None
    sort: Literal["score", "newest"] = "score"
    show_closed: bool = False


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
    language_chosen: str | None = None
    team: str | None
    trl: int | None
    patent_numbers: list[str]
    contact: str | None = None
    status: CapabilityStatus
    match_state: str
    is_sample: bool
    created_at: datetime
