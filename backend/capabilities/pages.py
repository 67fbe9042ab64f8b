"""Server-rendered pages of capabilities: the board and a capability's page."""

from fastapi import APIRouter, Depends, Request

from backend import access
from backend.auth import Principal, anyone
from backend.capabilities import repository
from backend.errors import NotFound
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs.repository import page as paged
from backend.web import Db, IdPath, PageQuery, page_args, render

router = APIRouter()


@router.get("/capabilities")
def capabilities_index(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(anyone())):
    limit, offset = page_args(page)
    rows, total = paged(session, repository.listing(access.visible_capabilities_clause(viewer)), limit=limit,
                        offset=offset)
    return render(request, "capabilities/index.html", capabilities=rows, total=total, page=page, per_page=limit)


def visible_capability(session, viewer: Principal, capability_id: int):  # noqa: ANN001, ANN201
    cap = repository.get(session, capability_id)
    if not access.can_see_capability(viewer, cap):
        raise NotFound(f"capability {capability_id} does not exist")
    return cap


@router.get("/capabilities/{capability_id}")
def capability_detail(request: Request, capability_id: IdPath, session: Db, viewer: Principal = Depends(anyone())):
    cap = visible_capability(session, viewer, capability_id)
    rows = views.rows(session, viewer, match_repository.for_capability(session, capability_id), need_side=False)
    return render(request, "capabilities/detail.html", capability=cap, rows=rows)
