"""The rules of capabilities: validation, indexing, the ledger event, the matching job."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend import postings
from backend.capabilities.models import Capability
from backend.capabilities.schemas import CapabilityIn
from backend.errors import InvalidInput
from backend.organisations import repository as orgs


def for_caller(viewer, data: CapabilityIn) -> CapabilityIn:  # noqa: ANN001 - an auth.Principal
    """The input as the caller may send it: an officer always posts for their own organisation."""
    if viewer.is_admin:
        if data.organisation_id is None:
            raise InvalidInput("name the organisation that offers this capability", field="organisation_id")
        return data
    return data.model_copy(update={"organisation_id": viewer.organisation_id})


def create(
    session: Session, data: CapabilityIn, *, at: datetime | None = None, is_sample: bool = False
) -> Capability:
    """Post a research organisation's capability; reverse matching runs after commit."""
    if data.organisation_id is None:
        raise InvalidInput("name the organisation that offers this capability", field="organisation_id")
    org = orgs.get(session, data.organisation_id)
    if not org.is_research:
        raise InvalidInput("only a university, institute or foreign partner can post a capability",
                           field="organisation_id")
    chain = orgs.chain_by_code(session, data.chain) if data.chain else None
    cap = Capability(
        organisation_id=org.id,
        chain_id=chain.id if chain else None,
        kind=data.kind,
        title=data.title,
        description=data.description,
        keywords=postings.clean_keywords(data.keywords),
        team=data.team,
        trl=data.trl,
        patent_numbers=[p.strip() for p in data.patent_numbers if p.strip()],
        contact=data.contact,
        is_sample=is_sample,
    )
    postings.publish(session, cap, org, at=at)
    return cap
