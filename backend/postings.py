"""What needs and capabilities share: clean text, language, lexical index, embedding state."""

from sqlalchemy import cast
from sqlalchemy.dialects.postgresql import TSVECTOR

from backend.base import MatchState, PostingColumns
from matching import lexical
from matching.text import clean_text, posting_text


def text_of(posting: PostingColumns) -> str:
    """The text a posting is embedded and indexed from."""
    return posting_text(posting.title, posting.description, posting.keywords)


def index(posting: PostingColumns) -> None:
    """Set language and lexical index and mark the posting for (re)matching."""
    text = text_of(posting)
    posting.language = lexical.detect_language(text)
    posting.lexical = cast(lexical.tsvector_literal(lexical.index_tokens(text)), TSVECTOR)
    posting.embedding = None
    posting.match_state = MatchState.PENDING
    posting.match_error = None


def clean_keywords(keywords: list[str] | None) -> list[str]:
    seen: list[str] = []
    for k in keywords or []:
        k = clean_text(k)
        if k and k not in seen:
            seen.append(k[:60])
    return seen[:30]


__all__ = ["clean_keywords", "index", "text_of"]
