"""What needs and capabilities share: clean text, language, lexical index, embedding state."""

from sqlalchemy import cast
from sqlalchemy.dialects.postgresql import TSVECTOR

from backend.base import MatchState, PostingColumns
from matching import lexical
from matching.text import clean_text, posting_text


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
