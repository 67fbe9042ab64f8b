"""Request-scoped pieces shared by every route: the session, templates, the admin token."""

import hmac
from collections.abc import Iterator

from fastapi import Header, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from backend.config import ROOT, get_settings
from backend.db import session_scope
from backend.errors import AppError, Forbidden

templates = Jinja2Templates(directory=str(ROOT / "templates"))


def get_session() -> Iterator[Session]:
    """One transaction per request: committed after the handler, rolled back on error."""
    with session_scope() as session:
        yield session


def require_admin_token(authorization: str | None = Header(default=None)) -> None:
    """Guard for write routes of the JSON API until the portal adds accounts."""
    token = get_settings().admin_api_token
    if not token:
        raise Forbidden("writing through the API is disabled: set MATCHMAKER_ADMIN_API_TOKEN on the server")
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise AppError("a valid admin API token is required (Authorization: Bearer <token>)", 401)


def render(request: Request, template: str, status_code: int = 200, **context: object):
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def page_args(page: int, per_page: int = 20) -> tuple[int, int]:
    page = max(1, page)
    return per_page, (page - 1) * per_page
