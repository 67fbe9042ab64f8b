"""Who may see what: the confidentiality tiers of needs and the privacy of matches, in one place.

Pages, the JSON API, match explanations, board search and exports all ask these functions, so the rules
cannot drift apart:
- a draft need, and every posting of an organisation that waits for verification, is seen only by its
  own organisation and admins;
- a public need is seen by everyone; a registered-only need by signed-in members of verified
  organisations only (to anyone else it does not exist: 404, not 403; registering alone opens nothing);
- a confidential need is seen by those same members as its summary only; its title and text are read by its
  own firm, admins, and a tech-transfer officer of an accepted match on it who has confirmed the
  non-disclosure statement (`NDA_VERSION`);
- a match (its status, thread, explanation in full) belongs to its two organisations and admins;
  government analysts see counts, not who negotiates with whom.
"""

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from backend.auth import Principal
from backend.capabilities.models import Capability, CapabilityStatus
from backend.matches.models import Match, MatchStatus
from backend.needs.models import NDA_VERSION, NdaAcceptance, Need, NeedStatus, Visibility


def trusted(viewer: Principal) -> bool:
    """Signed in, and an admin has verified the viewer's organisation (the registered tier's readers)."""
    return viewer.is_authenticated and viewer.org_verified


def owns_need(viewer: Principal, need: Need) -> bool:
    return viewer.is_admin or viewer.member_of(need.organisation_id)


def can_see_need(viewer: Principal, need: Need) -> bool:
    """Whether the need exists for this viewer at all (otherwise: 404)."""
    if owns_need(viewer, need):
        return True
    if need.status == NeedStatus.DRAFT:
        return False
    if need.visibility == Visibility.PUBLIC:
        return True
    return trusted(viewer)


def nda_confirmed(session: Session, viewer: Principal, need_id: int) -> bool:
    if viewer.user_id is None:
        return False
    return session.scalar(select(exists().where(
        NdaAcceptance.need_id == need_id, NdaAcceptance.user_id == viewer.user_id,
        NdaAcceptance.statement_version == NDA_VERSION))) or False


def accepted_match_for(session: Session, viewer: Principal, need_id: int) -> Match | None:
    """The viewer's organisation's accepted match on this need, if any (the door to its full text)."""
    if viewer.organisation_id is None:
        return None
    return session.scalar(
        select(Match).join(Capability, Capability.id == Match.capability_id)
        .where(Match.need_id == need_id, Match.status == MatchStatus.ACCEPTED,
               Capability.organisation_id == viewer.organisation_id)
        .order_by(Match.id).limit(1))


def can_read_need(session: Session, viewer: Principal, need: Need) -> bool:
    """Whether the viewer may read the need's title and full text (not just its summary)."""
    if not can_see_need(viewer, need):
        return False
    if owns_need(viewer, need) or need.visibility != Visibility.CONFIDENTIAL:
        return True
    return accepted_match_for(session, viewer, need.id) is not None and nda_confirmed(session, viewer, need.id)


def readable_needs_clause(viewer: Principal) -> ColumnElement[bool]:
    """SQL condition: needs whose full text the viewer may read without an NDA (boards and search).

    Confidential needs of other firms are left out of text search entirely, so a search for a word of
    their hidden text cannot reveal that they exist.
    """
    if viewer.is_admin:
        return true()
    own = Need.organisation_id == viewer.organisation_id if viewer.organisation_id is not None else false()
    tiers = [Visibility.PUBLIC, Visibility.REGISTERED] if trusted(viewer) else [Visibility.PUBLIC]
    return or_(own, and_(Need.status != NeedStatus.DRAFT, Need.visibility.in_(tiers)))


def visible_needs_clause(viewer: Principal) -> ColumnElement[bool]:
    """SQL condition: needs that exist for the viewer (confidential ones as their summary)."""
    if viewer.is_admin:
        return true()
    own = Need.organisation_id == viewer.organisation_id if viewer.organisation_id is not None else false()
    tiers = list(Visibility) if trusted(viewer) else [Visibility.PUBLIC]
    return or_(own, and_(Need.status != NeedStatus.DRAFT, Need.visibility.in_(tiers)))


def can_see_capability(viewer: Principal, cap: Capability) -> bool:
    if viewer.is_admin or viewer.member_of(cap.organisation_id):
        return True
    return cap.status == CapabilityStatus.ACTIVE


def may_contact(viewer: Principal, cap: Capability) -> bool:
    """A capability's contact person is for verified members (and its own organisation), not the public."""
    return viewer.is_admin or viewer.member_of(cap.organisation_id) or trusted(viewer)


def visible_capabilities_clause(viewer: Principal) -> ColumnElement[bool]:
    if viewer.is_admin:
        return true()
    own = (Capability.organisation_id == viewer.organisation_id
           if viewer.organisation_id is not None else false())
    return or_(own, Capability.status == CapabilityStatus.ACTIVE)


def party_of(viewer: Principal, match: Match, firm_id: int, lab_id: int) -> str | None:
    """'firm' or 'university' when the viewer's organisation is a side of the match, else None."""
    if viewer.member_of(firm_id):
        return "firm"
    if viewer.member_of(lab_id):
        return "university"
    return None


def can_open_match(viewer: Principal, firm_id: int, lab_id: int) -> bool:
    """The match page, its status and its thread: the two organisations and admins only."""
    return viewer.is_admin or viewer.member_of(firm_id) or viewer.member_of(lab_id)
