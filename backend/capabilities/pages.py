"""Server-rendered pages of capabilities."""

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from backend.capabilities import repository
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs.repository import page as paged
from backend.web import get_session, page_args, render

router = APIRouter()


@router.get("/capabilities")
def capabilities_index(request: Request, page: int = 1, session: Session = Depends(get_session)):
    limit, offset = page_args(page)
    rows, total = paged(session, repository.listing(), limit=limit, offset=offset)
    return render(request, "capabilities/index.html", capabilities=rows, total=total, page=max(page, 1),
                  per_page=limit)


@router.get("/capabilities/{capability_id}")
def capability_detail(request: Request, capability_id: int, session: Session = Depends(get_session)):
    cap = repository.get(session, capability_id)
    rows = views.rows(match_repository.for_capability(session, capability_id), need_side=False)
    return render(request, "capabilities/detail.html", capability=cap, rows=rows)
