"""The public boards of needs and of capabilities."""

from fastapi import APIRouter, Depends, Request

from backend import access
from backend.auth import Principal, anyone
from backend.capabilities import repository as capabilities
from backend.needs import repository as needs
from backend.web import Db, PageQuery, page_args, render

router = APIRouter()


@router.get("/needs")
def needs_board(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(anyone())):
    limit, offset = page_args(page)
    rows, total = needs.page(session, needs.listing(access.visible_needs_clause(viewer)), limit=limit, offset=offset)
    readable = {n.id for n in rows if access.can_read_need(session, viewer, n)}
    return render(request, "boards/needs.html", needs=rows, readable=readable, total=total, page=page,
                  per_page=limit)


@router.get("/capabilities")
def capabilities_board(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(anyone())):
    limit, offset = page_args(page)
    rows, total = needs.page(session, capabilities.listing(access.visible_capabilities_clause(viewer)), limit=limit,
                             offset=offset)
    return render(request, "boards/capabilities.html", capabilities=rows, total=total, page=page, per_page=limit)
