"""JSON routes of the alerts under /api/v1 (analysts and admins): the list the page shows, as codes and ids."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.alerts import repository
from backend.alerts.models import AlertKind, AlertStatus
from backend.alerts.pages import ANALYST, KindFilter, StatusFilter
from backend.alerts.schemas import AlertOut, AlertPage
from backend.auth import Principal
from backend.web import Db, OffsetQuery

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


@router.get("", response_model=AlertPage)
def list_alerts(session: Db, status: StatusFilter = "open", kind: KindFilter = "",
                limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: OffsetQuery = 0,
                viewer: Principal = Depends(ANALYST)) -> AlertPage:
    """Alerts newest first, filtered by status (open, resolved, all) and kind (empty: every kind)."""
    stmt = repository.listing(None if status == "all" else AlertStatus(status), AlertKind(kind) if kind else None)
    rows, total = repository.page(session, stmt, limit=limit, offset=offset)
    return AlertPage(total=total, alerts=[AlertOut.model_validate(a) for a in rows])
