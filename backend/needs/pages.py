"""Server-rendered pages of needs: a need's page (the board is in backend.boards)."""

from fastapi import APIRouter, Depends, Request

from backend import access
from backend.auth import Principal, anyone
from backend.errors import NotFound
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs import repository
from backend.web import Db, IdPath, render

router = APIRouter()


def visible_need(session, viewer: Principal, need_id: int):  # noqa: ANN001, ANN201
    """The need if it exists for this viewer; a hidden one is a 404 like a missing one."""
    need = repository.get(session, need_id)
    if not access.can_see_need(viewer, need):
        raise NotFound(f"need {need_id} does not exist")
    return need


@router.get("/needs/{need_id}")
def need_detail(request: Request, need_id: IdPath, session: Db, viewer: Principal = Depends(anyone())):
    need = visible_need(session, viewer, need_id)
    readable = access.can_read_need(session, viewer, need)
    rows = views.rows(session, viewer, match_repository.for_need(session, need_id), need_side=True) if readable else []
    return render(request, "needs/detail.html", need=need, rows=rows, readable=readable)
