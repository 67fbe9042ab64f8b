"""JSON routes of capabilities under /api/v1, and the inbox a university's own system reads with its token."""

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query

from backend import access
from backend.accounts.models import Role
from backend.auth import Principal, allow, anyone
from backend.capabilities import repository, service
from backend.capabilities.models import Capability
from backend.capabilities.pages import inbox_statement, visible_capability
from backend.capabilities.schemas import CapabilityIn, CapabilityOut, CapabilityUpdate, InboxFilter
from backend.errors import InvalidInput
from backend.matches import repository as match_repository
from backend.matches import views
from backend.postings import page
from backend.web import Db, IdPath, OffsetQuery

router = APIRouter(prefix="/api/v1", tags=["capabilities"])

OFFICER = allow(Role.TECH_TRANSFER_OFFICER)


def to_out(cap: Capability, viewer: Principal | None = None) -> CapabilityOut:
    """A capability as the caller may see it: the contact person only for verified members and the owner."""
    contact = cap.contact if viewer is None or access.may_contact(viewer, cap) else None
    return CapabilityOut(
        id=cap.id, organisation_id=cap.organisation_id, organisation=cap.organisation.name, kind=cap.kind,
        title=cap.title, description=cap.description, chain=cap.chain.code if cap.chain else None,
        keywords=cap.keywords, language=cap.language, language_chosen=cap.language_chosen, team=cap.team,
        trl=cap.trl, patent_numbers=cap.patent_numbers, contact=contact, status=cap.status,
        match_state=cap.match_state.value, is_sample=cap.is_sample, created_at=cap.created_at,
    )


def _fresh(session, capability_id: int) -> dict:  # noqa: ANN001
    return to_out(repository.get(session, capability_id)).model_dump(mode="json")


@router.get("/capabilities")
def list_capabilities(session: Db, limit: int = Query(default=50, ge=1, le=200), offset: OffsetQuery = 0,
                      viewer: Principal = Depends(anyone())) -> dict:
    rows, total = page(session, repository.listing(access.visible_capabilities_clause(viewer)), limit=limit,
                       offset=offset)
    return {"items": [to_out(c, viewer).model_dump(mode="json") for c in rows], "total": total,
            "limit": limit, "offset": offset}


@router.get("/capabilities/{capability_id}")
def get_capability(capability_id: IdPath, session: Db, viewer: Principal = Depends(anyone())) -> dict:
    return to_out(visible_capability(session, viewer, capability_id), viewer).model_dump(mode="json")


@router.get("/capabilities/{capability_id}/matches")
def capability_matches(capability_id: IdPath, session: Db, viewer: Principal = Depends(anyone())) -> dict:
    """The ranked needs for a capability, as the caller may see them (confidential: summary only)."""
    cap = visible_capability(session, viewer, capability_id)
    found = match_repository.for_capability(session, capability_id, include_declined=True)
    return {"capability_id": capability_id, "match_state": cap.match_state.value,
            "matches": views.to_out(session, viewer, found, False)}


@router.post("/capabilities", status_code=201)
def create_capability(data: CapabilityIn, session: Db, viewer: Principal = Depends(OFFICER)) -> dict:
    """Post a capability for the caller's organisation (admins name it); a draft while it is not verified."""
    data = service.for_caller(viewer, data)
    cap = service.create(session, data, draft=not _verified(session, viewer, data))
    return _fresh(session, cap.id)


@router.patch("/capabilities/{capability_id}")
def update_capability(capability_id: IdPath, data: CapabilityUpdate, session: Db,
                      viewer: Principal = Depends(OFFICER)) -> dict:
    """Change the fields sent; an active capability is matched again."""
    cap = service.update(session, service.owned(session, viewer, capability_id), data)
    return _fresh(session, cap.id)


@router.post("/capabilities/{capability_id}/publish")
def publish_capability(capability_id: IdPath, session: Db, viewer: Principal = Depends(OFFICER)) -> dict:
    """Publish a draft (the organisation must be verified)."""
    cap = service.publish(session, service.owned(session, viewer, capability_id))
    return _fresh(session, cap.id)


@router.post("/capabilities/{capability_id}/retire")
def retire_capability(capability_id: IdPath, session: Db, viewer: Principal = Depends(OFFICER)) -> dict:
    """Retire a capability: it leaves the board and matching."""
    cap = service.retire(session, service.owned(session, viewer, capability_id))
    return _fresh(session, cap.id)


@router.get("/inbox")
def inbox(
    session: Db,
    limit: int = Query(default=20, ge=1, le=100),
    offset: OffsetQuery = 0,
    min_score: float | None = Query(default=None, ge=0, le=1),
    chain: str | None = Query(default=None, max_length=40),
    district: str | None = Query(default=None, max_length=12),
    language: Literal["zh", "en"] | None = None,
    since: date | None = None,
    sort: Literal["score", "newest"] = "score",
    show_closed: bool = False,
    viewer: Principal = Depends(OFFICER),
) -> dict:
    """The needs matched to the caller's capabilities, by the same rules as the inbox page (a confidential need:
    its summary only)."""
    f = InboxFilter(min_score=min_score, chain=chain or None, district=district or None, language=language,
                    since=since, sort=sort, show_closed=show_closed)
    stmt, problems = inbox_statement(session, viewer, f)
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidInput(message, field=field)
    matches, total = page(session, stmt, limit=limit, offset=offset)
    by_id = {m.id: m for m in matches}
    items = []
    for item in views.to_out(session, viewer, matches, False, keep_closed=True):
        cap = by_id[item["id"]].capability
        item["capability"] |= {"title": cap.title, "url": f"/capabilities/{cap.id}", "language": cap.language}
        item["url"] = f"/matches/{item['id']}"
        items.append(item)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _verified(session, viewer: Principal, data) -> bool:  # noqa: ANN001
    """Whether the posting organisation is verified (an admin may post for one that is not yet)."""
    if not viewer.is_admin:
        return viewer.org_verified
    from backend.organisations import repository as orgs

    return orgs.get(session, data.organisation_id).is_verified
