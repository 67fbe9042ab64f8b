"""What pages and the API show of a match list: the other side, its link, and the highlighted reason."""

from dataclasses import dataclass

from markupsafe import Markup

from backend.matches.models import Match
from backend.matches.schemas import MatchOut, PostingRef
from backend.needs.models import Visibility
from backend.postings import text_of
from matching import explain


@dataclass
class MatchRow:
    match: Match
    rank: int
    title: str
    organisation: str
    url: str | None
    excerpt: Markup


def _need_ref(match: Match) -> PostingRef:
    need = match.need
    public = need.visibility == Visibility.PUBLIC
    return PostingRef(id=need.id, title=need.title if public else f"保密需求 confidential: {need.summary}",
                      organisation=need.organisation.name if public else "—", language=need.language,
                      url=f"/needs/{need.id}" if public else None)


def _cap_ref(match: Match) -> PostingRef:
    cap = match.capability
    return PostingRef(id=cap.id, title=cap.title, organisation=cap.organisation.name, language=cap.language,
                      url=f"/capabilities/{cap.id}")


def rows(matches: list[Match], need_side: bool) -> list[MatchRow]:
    """Rows for a need's page (other side: capabilities) or a capability's page (other side: needs)."""
    out = []
    for rank, m in enumerate(matches, start=1):
        ref = _cap_ref(m) if need_side else _need_ref(m)
        other = m.capability if need_side else m.need
        visible = need_side or other.visibility == Visibility.PUBLIC
        excerpt = Markup("")
        if visible:
            body = text_of(other)
            excerpt = explain.highlight(body[:400] + ("…" if len(body) > 400 else ""),
                                        m.explanation.get("shared_terms", []))
        out.append(MatchRow(m, rank, ref.title, ref.organisation, ref.url, excerpt))
    return out


def to_out(matches: list[Match], need_side: bool) -> list[dict]:
    """JSON of a ranked match list, the same ranking the pages show."""
    result = []
    for rank, m in enumerate(matches, start=1):
        need_ref = PostingRef(id=m.need_id) if need_side else _need_ref(m)
        cap_ref = _cap_ref(m) if need_side else PostingRef(id=m.capability_id)
        result.append(MatchOut(
            id=m.id, rank=rank, need=need_ref, capability=cap_ref, status=m.status, fused_score=m.fused_score,
            dense_score=m.dense_score, lexical_score=m.lexical_score, explanation=m.explanation,
            proposed_at=m.proposed_at,
        ).model_dump(mode="json"))
    return result
