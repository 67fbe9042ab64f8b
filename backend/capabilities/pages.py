"""Server-rendered pages of capabilities: a capability's page (the board is in backend.boards)."""

from fastapi import APIRouter, Depends, Request

from backend import access
from backend.auth import Principal, anyone
from backend.capabilities import repository
from backend.errors import NotFound
from backend.matches import repository as match_repository
from backend.matches import views
from backend.web import Db, IdPath, render

router = APIRouter()


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
