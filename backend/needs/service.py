"""The rules of needs: validation, indexing, the ledger event, the matching job."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend import jobs, postings
from backend.errors import InvalidInput
from backend.ledger import service as ledger
from backend.needs.models import Need
from backend.needs.schemas import NeedIn
from backend.organisations import repository as orgs
from backend.organisations.models import OrgKind


def create(session: Session, data: NeedIn, *, at: datetime | None = None, is_sample: bool = False) -> Need:
    """Post a firm's need; matching runs in the worker once the transaction commits."""
    org = orgs.get(session, data.organisation_id)
    if org.kind != OrgKind.FIRM:
        raise InvalidInput("only a firm can post a need", field="organisation_id")
    chain = orgs.chain_by_code(session, data.chain) if data.chain else None
    need = Need(
        organisation_id=org.id,
        chain_id=chain.id if chain else None,
        title=data.title,
        description=data.description,
        summary=data.summary or data.title,
        keywords=postings.clean_keywords(data.keywords),
        trl_min=data.trl_min,
        trl_max=data.trl_max,
        budget_min_cny=data.budget_min_cny,
        budget_max_cny=data.budget_max_cny,
        deadline=data.deadline,
        visibility=data.visibility,
        is_sample=is_sample,
    )
    if at is not None:
        need.created_at = need.updated_at = at
    postings.index(need)
    session.add(need)
    session.flush()
    ledger.record(
        session, "need.posted", region_id=org.region_id, chain_id=need.chain_id,
        organisation_ids=[org.id], need_id=need.id, occurred_at=at, is_sample=is_sample,
    )
    jobs.enqueue(session, "matches.match_need", need.id)
    return need
