"""Server-rendered pages of needs."""

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from backend.errors import NotFound
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs import repository
from backend.needs.models import Visibility
from backend.web import get_session, page_args, render

router = APIRouter()


@router.get("/needs")
def needs_index(request: Request, page: int = 1, session: Session = Depends(get_session)):
    limit, offset = page_args(page)
    rows, total = repository.page(session, repository.listing(), limit=limit, offset=offset)
    return render(request, "needs/index.html", needs=rows, total=total, page=max(page, 1), per_page=limit)


@router.get("/needs/{need_id}")
def need_detail(request: Request, need_id: int, session: Session = Depends(get_session)):
    need = repository.get(session, need_id)
    if need.visibility != Visibility.PUBLIC:
        raise NotFound(f"need {need_id} does not exist")
    rows = views.rows(match_repository.for_need(session, need_id), need_side=True)
    return render(request, "needs/detail.html", need=need, rows=rows)
