"""The signed-in user's notifications: a list, mark as read, and the link to the thing itself."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from backend import auth
from backend.auth import Principal, allow
from backend.errors import NotFound
from backend.notifications import service
from backend.notifications.models import Notification
from backend.web import Db, IdPath, PageQuery, page_args, render

router = APIRouter()
SIGNED_IN = allow(*auth.SIGNED_IN)


@router.get("/notifications")
def notifications(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(SIGNED_IN)):
    limit, offset = page_args(page, 30)
    rows, total = service.of_user(session, viewer.user_id or 0, limit=limit, offset=offset)
    return render(request, "notifications/index.html", rows=rows, total=total, page=page, per_page=limit,
                  words=service.words)


@router.post("/notifications/{notification_id}/open")
def open_notification(notification_id: IdPath, session: Db, viewer: Principal = Depends(SIGNED_IN)):
    """Mark one notification read and go to what it is about."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != viewer.user_id:
        raise NotFound(f"notification {notification_id} does not exist")
    service.mark_read(session, viewer.user_id, notification_id)
    return RedirectResponse(row.url, status_code=303)


@router.post("/notifications/read")
def read_all(session: Db, viewer: Principal = Depends(SIGNED_IN)):
    service.mark_read(session, viewer.user_id or 0)
    return RedirectResponse("/notifications", status_code=303)
