"""Every query of matches."""

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from backend.capabilities.models import Capability
from backend.errors import NotFound
from backend.matches.models import INACTIVE, Match, MatchMessage, MatchStatus
from backend.needs.models import Need
from backend.organisations.models import Organisation


def get(session: Session, match_id: int) -> Match:
    match = session.get(Match, match_id)
    if match is None:
        raise NotFound(f"match {match_id} does not exist")
    return match


def sides(session: Session, match: Match) -> tuple[int, int]:
    """The firm's and the research organisation's ids of a match."""
    return session.execute(
        select(Need.organisation_id, Capability.organisation_id)
        .select_from(Match).join(Need, Need.id == Match.need_id).join(Capability, Capability.id == Match.capability_id)
        .where(Match.id == match.id)
    ).one()._tuple()


def find(session: Session, need_id: int, capability_id: int) -> Match | None:
    return session.scalar(select(Match).where(Match.need_id == need_id, Match.capability_id == capability_id))


def context(session: Session, need_id: int, capability_id: int) -> tuple[int, int | None, list[int]]:
    """Region (the firm's), chain and the two organisations of a need–capability pair."""
    firm, lab = aliased(Organisation), aliased(Organisation)
    row = session.execute(
        select(firm.region_id, Need.chain_id, Capability.chain_id, firm.id, lab.id)
        .select_from(Need)
        .join(firm, firm.id == Need.organisation_id)
        .join(Capability, Capability.id == capability_id)
        .join(lab, lab.id == Capability.organisation_id)
        .where(Need.id == need_id)
    ).one()
    region_id, need_chain, cap_chain, firm_id, lab_id = row
    return region_id, need_chain or cap_chain, [firm_id, lab_id]


def for_need(session: Session, need_id: int, *, include_declined: bool = False) -> list[Match]:
    stmt = (
        select(Match)
        .options(joinedload(Match.capability).joinedload(Capability.organisation), joinedload(Match.need))
        .where(Match.need_id == need_id)
        .order_by(Match.fused_score.desc(), Match.id)
    )
    stmt = stmt.where(Match.status.not_in(INACTIVE if not include_declined else [MatchStatus.WITHDRAWN]))
    return list(session.scalars(stmt).unique())


def for_capability(session: Session, capability_id: int, *, include_declined: bool = False) -> list[Match]:
    stmt = (
        select(Match)
        .options(joinedload(Match.need).joinedload(Need.organisation), joinedload(Match.capability))
        .where(Match.capability_id == capability_id)
        .order_by(Match.fused_score.desc(), Match.id)
    )
    stmt = stmt.where(Match.status.not_in(INACTIVE if not include_declined else [MatchStatus.WITHDRAWN]))
    return list(session.scalars(stmt).unique())


def missing(match_id: int) -> NotFound:
    return NotFound(f"match {match_id} does not exist")


def detail(session: Session, match_id: int) -> Match:
    """A match with both postings, their organisations and chains loaded (the match page)."""
    match = session.scalar(
        select(Match)
        .options(joinedload(Match.need).joinedload(Need.organisation), joinedload(Match.need).joinedload(Need.chain),
                 joinedload(Match.capability).joinedload(Capability.organisation),
                 joinedload(Match.capability).joinedload(Capability.chain))
        .where(Match.id == match_id))
    if match is None:
        raise missing(match_id)
    return match


def messages(session: Session, match_id: int) -> list[tuple[MatchMessage, Organisation | None]]:
    """The thread of a match, oldest first, with each author's organisation."""
    rows = session.execute(
        select(MatchMessage, Organisation)
        .outerjoin(Organisation, Organisation.id == MatchMessage.organisation_id)
        .where(MatchMessage.match_id == match_id)
        .order_by(MatchMessage.created_at, MatchMessage.id))
    return [(m, org) for m, org in rows]


def project_of(session: Session, match_id: int) -> int | None:
    """The joint project started from a match, if any."""
    from backend.projects.models import JointProject

    return session.scalar(select(JointProject.id).where(JointProject.match_id == match_id))
