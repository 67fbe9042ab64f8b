"""The rules of capabilities: validation, indexing, the ledger event, the matching job."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend import jobs, postings
from backend.capabilities.models import Capability
from backend.capabilities.schemas import CapabilityIn
from backend.errors import InvalidInput
from backend.ledger import service as ledger
from backend.organisations import repository as orgs


def create(
    session: Session, data: CapabilityIn, *, at: datetime | None = None, is_sample: bool = False
) -> Capability:
    """Post a research organisation's capability; reverse matching runs after commit."""
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
    if at is not None:
        cap.created_at = cap.updated_at = at
    postings.index(cap)
    session.add(cap)
    session.flush()
    ledger.record(
        session, "capability.posted", region_id=org.region_id, chain_id=cap.chain_id,
        organisation_ids=[org.id], capability_id=cap.id, occurred_at=at, is_sample=is_sample,
    )
    jobs.enqueue(session, "matches.match_capability", cap.id)
    return cap
