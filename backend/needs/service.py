"""The rules of needs: validation, indexing, the ledger event, the matching job."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend import postings
from backend.errors import InvalidInput
from backend.needs.models import Need
from backend.needs.schemas import NeedIn
from backend.organisations import repository as orgs
from backend.organisations.models import OrgKind


def for_caller(viewer, data: NeedIn) -> NeedIn:  # noqa: ANN001 - an auth.Principal
    """The input as the caller may send it: a firm member always posts for their own firm."""
    if viewer.is_admin:
        if data.organisation_id is None:
            raise InvalidInput("name the firm that posts this need", field="organisation_id")
        return data
    return data.model_copy(update={"organisation_id": viewer.organisation_id})


def create(session: Session, data: NeedIn, *, at: datetime | None = None, is_sample: bool = False) -> Need:
    """Post a firm's need; matching runs in the worker once the transaction commits."""
    if data.organisation_id is None:
        raise InvalidInput("name the firm that posts this need", field="organisation_id")
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
    postings.publish(session, need, org, at=at)
    return need
