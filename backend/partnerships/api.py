"""JSON routes of foreign partnerships under /api/v1: the caller's organisation's list, and recording one."""

from fastapi import APIRouter, Depends, Query

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.errors import Conflict
from backend.partnerships import service
from backend.partnerships.models import Partnership
from backend.partnerships.schemas import PartnershipIn, PartnershipOut
from backend.postings import page
from backend.web import Db, OffsetQuery

router = APIRouter(prefix="/api/v1/partnerships", tags=["partnerships"])

MEMBER = allow(Role.TECH_TRANSFER_OFFICER, Role.FIRM_MEMBER)


def to_out(p: Partnership) -> dict:
    return PartnershipOut(
        id=p.id, local_organisation_id=p.local_organisation_id, foreign_organisation_id=p.foreign_organisation_id,
        partner=p.foreign_organisation.name, country_code=p.country_code, kind=p.kind, value_cny=p.value_cny,
        started_on=p.started_on, ended_on=p.ended_on, project_id=p.project_id, description=p.description,
        created_at=p.created_at,
    ).model_dump(mode="json")


@router.get("")
def list_partnerships(session: Db, limit: int = Query(default=50, ge=1, le=200), offset: OffsetQuery = 0,
                      viewer: Principal = Depends(MEMBER)) -> dict:
    """The partnerships of the caller's organisation (admins: all)."""
    scope = None if viewer.is_admin else (viewer.organisation_id or 0)
    rows, total = page(session, service.listing(scope), limit=limit, offset=offset)
    return {"items": [to_out(p) for p in rows], "total": total, "limit": limit, "offset": offset}


@router.post("", status_code=201)
def create_partnership(data: PartnershipIn, session: Db, viewer: Principal = Depends(MEMBER)) -> dict:
    """Record a partnership of the caller's organisation with a foreign partner (chosen by id, or new)."""
    if not viewer.org_verified:
        raise Conflict("your organisation waits for an administrator's check; partnerships can be recorded once "
                       "it is verified")
    with session.begin_nested():
        partnership = service.record(session, viewer.organisation_id, data)
    row = session.scalar(service.listing(None).where(Partnership.id == partnership.id))
    return to_out(row)
