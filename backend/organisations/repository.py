"""Queries of organisations, regions and chains."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.chains.models import IndustryChain
from backend.errors import InvalidInput, NotFound
from backend.organisations.models import Organisation
from backend.regions.models import Region


def get(session: Session, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id} does not exist")
    return org


def region_by_code(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise InvalidInput(f"unknown region code {code!r}", field="region")
    return region


def chain_by_code(session: Session, code: str) -> IndustryChain:
    chain = session.scalar(select(IndustryChain).where(IndustryChain.code == code))
    if chain is None:
        known = ", ".join(session.scalars(select(IndustryChain.code).order_by(IndustryChain.code)))
        raise InvalidInput(f"unknown industry chain {code!r}; known chains: {known}", field="chain")
    return chain
