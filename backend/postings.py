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
    """Set language and lexical index and mark the posting for (re)matching."""
    posting.language, posting.lexical = lexical_index(posting)
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


__all__ = ["clean_keywords", "index", "lexical_index", "text_of"]
