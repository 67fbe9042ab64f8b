"""What pages and the API show of a match list: the other side, its link, and the reason, as the viewer
may see them (`backend.access`): a confidential need shows its summary only and its explanation quotes no
term of the hidden text; a match's status is shown to its two organisations and admins only."""

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session

from backend import access
from backend.auth import Principal
from backend.i18n import _
from backend.matches.models import Match, MatchStatus
from backend.matches.schemas import MatchOut, PostingRef
from backend.postings import text_of
from matching import explain

CLOSED = (MatchStatus.DECLINED, MatchStatus.EXPIRED)


@dataclass
class MatchRow:
    match: Match
    rank: int
    title: str
    organisation: str | None
    url: str | None
    excerpt: Markup
    explanation: explain.Explanation
    readable: bool
    show_status: bool
    confidential: bool = False


def _need_view(session: Session, viewer: Principal, match: Match) -> tuple[PostingRef, bool] | None:
    need = match.need
    if not access.can_see_need(viewer, need):
        return None
    readable = access.can_read_need(session, viewer, need)
    ref = PostingRef(id=need.id, title=need.title if readable else None, summary=None if readable else need.summary,
                     organisation=need.organisation.name if readable else None, language=need.language,
                     url=f"/needs/{need.id}", confidential=not readable)
    return ref, readable


def _cap_ref(match: Match) -> PostingRef:
    cap = match.capability
    return PostingRef(id=cap.id, title=cap.title, organisation=cap.organisation.name, language=cap.language,
                      url=f"/capabilities/{cap.id}")


def rows(session: Session, viewer: Principal, matches: list[Match], need_side: bool, *,
         keep_closed: bool = False) -> list[MatchRow]:
    """Rows for a need's page (other side: capabilities) or a capability's page (other side: needs).

    On a need's page the caller has checked that the viewer may read the need. `matches` include declined
    and expired pairs: the two sides no longer see them (unless `keep_closed`, as in an inbox that asked for
    them), but anyone else still does, so that a list never changes when a side declines (which would tell
    outsiders how a negotiation went).
    """
    out = []
    for m in matches:
        side = access.party_of(viewer, m, m.need.organisation_id, m.capability.organisation_id)
        if side is not None and m.status in CLOSED and not keep_closed:
            continue
        if need_side:
            if not access.can_see_capability(viewer, m.capability):
                continue
            ref, readable, other = _cap_ref(m), True, m.capability
        else:
            seen = _need_view(session, viewer, m)
            if seen is None:
                continue
            (ref, readable), other = seen, m.need
        explanation = explain.Explanation.read(m.explanation)
        if not readable:
            explanation = explanation.redacted()
        excerpt = Markup("")
        if readable:
            body = text_of(other)
            excerpt = explain.highlight(body[:400] + ("…" if len(body) > 400 else ""),
                                        explanation.shared_terms)
        firm_id, lab_id = m.need.organisation_id, m.capability.organisation_id
        shown = ref.title or ref.summary or _("A confidential need (no summary yet)")
        out.append(MatchRow(m, len(out) + 1, shown, ref.organisation, ref.url, excerpt,
                            explanation, readable, access.can_open_match(viewer, firm_id, lab_id),
                            confidential=bool(ref.confidential)))
    return out


#: How many matches a posting's page lists before "show all".
PAGE_FIRST = 10


def first(rows: list[MatchRow], show_all: bool) -> tuple[list[MatchRow], int]:
    """The best PAGE_FIRST rows (all with show_all) and how many more there are."""
    if show_all:
        return rows, 0
    return rows[:PAGE_FIRST], max(0, len(rows) - PAGE_FIRST)


def to_out(session: Session, viewer: Principal, matches: list[Match], need_side: bool, *,
           keep_closed: bool = False) -> list[dict]:
    """JSON of a ranked match list: the same rows, the same rules as the pages."""
    result = []
    for row in rows(session, viewer, matches, need_side, keep_closed=keep_closed):
        m = row.match
        if need_side:
            need_ref, cap_ref = PostingRef(id=m.need_id), _cap_ref(m)
        else:
            need_ref = PostingRef(id=m.need_id, title=row.title if row.readable else None,
                                  summary=None if row.readable else row.title, organisation=row.organisation,
                                  language=m.need.language, url=row.url, confidential=row.confidential)
            cap_ref = PostingRef(id=m.capability_id)
        result.append(MatchOut(
            id=m.id, rank=row.rank, need=need_ref, capability=cap_ref,
            status=m.status if row.show_status else None, fused_score=m.fused_score,
            dense_score=m.dense_score, lexical_score=m.lexical_score, explanation=row.explanation,
            proposed_at=m.proposed_at,
        ).model_dump(mode="json"))
    return result
