"""What needs and capabilities share: the posting input, paging, clean text, language, lexical index,
embedding state."""

import re

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Select, cast, func, select
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from backend.base import MatchState, PostingColumns
from matching import lexical
from matching.text import clean_text, posting_text

# What separates keywords typed into one text field: commas (either width), 、, semicolons, new lines.
KEYWORD_SEPARATORS = re.compile(r"[,，、;；\n\r]+")


def required_text(value: str, what: str) -> str:
    """The cleaned text; a ValueError naming `what` when nothing is left."""
    cleaned = clean_text(value)
    if not cleaned:
        raise ValueError(f"{what} must not be empty")
    return cleaned


def split_keywords(text: str | None) -> list[str]:
    """'磨削烧伤、圆度, grinding' -> ['磨削烧伤', '圆度', 'grinding']."""
    return [k.strip() for k in KEYWORD_SEPARATORS.split(text or "") if k.strip()]


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


def page(session: Session, stmt: Select, *, limit: int, offset: int) -> tuple[list, int]:
    """One page of `stmt`'s rows and the count of all of them."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(limit).offset(offset)).unique())
    return rows, int(total or 0)


def text_of(posting: PostingColumns) -> str:
    """The text a posting is embedded and indexed from."""
    return posting_text(posting.title, posting.description, posting.keywords)


def lexical_index(posting: PostingColumns):  # noqa: ANN201 - (language, SQL tsvector expression)
    """The detected language and the lexical index of a posting's text."""
    text = text_of(posting)
    return lexical.detect_language(text), cast(lexical.tsvector_literal(lexical.index_tokens(text)), TSVECTOR)


def index(posting: PostingColumns) -> None:
    """Set language (the author's choice, else detected) and lexical index; mark for (re)matching."""
    detected, posting.lexical = lexical_index(posting)
    posting.language = posting.language_chosen or detected
    posting.embedding = None
    posting.match_state = MatchState.PENDING
    posting.match_error = None


def publish(session, posting: PostingColumns, org, *, at=None) -> None:  # noqa: ANN001
    """Index a new posting, save it, write its one ledger event and queue its matching after commit."""
    from backend import jobs
    from backend.ledger import service as ledger
    from backend.ledger.kinds import EventKind
    from backend.needs.models import Need

    is_need = isinstance(posting, Need)
    if at is not None:
        posting.created_at = posting.updated_at = at
    index(posting)
    session.add(posting)
    session.flush()
    # A need's events belong to the region of its problem (a plant in another district), else the firm's.
    region_id = (getattr(posting, "region_id", None) if is_need else None) or org.region_id
    ledger.record(
        session, EventKind.NEED_POSTED if is_need else EventKind.CAPABILITY_POSTED, region_id=region_id,
        chain_id=posting.chain_id, organisation_ids=[org.id], occurred_at=at, is_sample=posting.is_sample,
        **({"need_id": posting.id} if is_need else {"capability_id": posting.id}),
    )
    jobs.enqueue(session, "matches.match_need" if is_need else "matches.match_capability", posting.id)


def clean_keywords(keywords: list[str] | None) -> list[str]:
    seen: list[str] = []
    for k in keywords or []:
        k = clean_text(k)
        if k and k not in seen:
            seen.append(k[:60])
    return seen[:30]


__all__ = ["clean_keywords", "index", "lexical_index", "publish", "text_of"]
