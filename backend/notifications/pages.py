"""The signed-in user's notifications: a list, mark as read, and the link to the thing itself."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from backend import auth
from backend.auth import Principal, allow, anyone
from backend.errors import AppError, NotFound
from backend.forms import FormData
from backend.i18n import _
from backend.notifications import service
from backend.notifications.models import Notification
from backend.web import Db, IdPath, PageQuery, flash, page_args, render

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


@router.get("/account/notifications")
def preferences_page(request: Request, session: Db, viewer: Principal = Depends(SIGNED_IN)):
    return render(request, "notifications/preferences.html", prefs=service.preferences(session, viewer.user_id or 0),
                  topics=service.topics_for(viewer.role), modes=service.MODES, errors={})


@router.post("/account/notifications")
def save_preferences(request: Request, session: Db, data: FormData, viewer: Principal = Depends(SIGNED_IN)):
    errors: dict[str, str] = {}
    for topic in service.topics_for(viewer.role):
        mode = str(data.get(topic, service.DEFAULT_MODE))
        min_score = None
        if topic == "new_match":
            try:
                min_score = float(str(data.get("min_score") or service.DEFAULT_MIN_SCORE))
            except ValueError:
                errors["min_score"] = _("Enter a number between 0 and 1.")
                continue
        try:
            service.set_preference(session, viewer.user_id, topic, mode, min_score)
        except AppError as err:
            errors[err.field or topic] = _("Choose one of the offered options.") if err.field == topic else (
                _("Enter a number between 0 and 1."))
    if errors:
        return render(request, "notifications/preferences.html", status_code=422,
                      prefs=service.preferences(session, viewer.user_id), topics=service.topics_for(viewer.role),
                      modes=service.MODES, errors=errors)
    flash(request, _("Your notification settings are saved."), "success")
    return RedirectResponse("/account/notifications", status_code=303)


@router.get("/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str, viewer: Principal = Depends(anyone())):
    """The link in every notification mail: works without signing in (the signed token is the credential)."""
    found = service.read_unsubscribe_token(token)
    if found is None:
        raise NotFound(_("This link is not valid."))
    return render(request, "notifications/unsubscribe.html", token=token, topic=found[1],
                  topics=service.TOPIC_WORDS, done=False)


@router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, token: str, session: Db, viewer: Principal = Depends(anyone())):
    found = service.read_unsubscribe_token(token)
    if found is None:
        raise NotFound(_("This link is not valid."))
    user_id, topic = found
    service.set_preference(session, user_id, topic, "off")
    return render(request, "notifications/unsubscribe.html", token=token, topic=topic,
                  topics=service.TOPIC_WORDS, done=True)
