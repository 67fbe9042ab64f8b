"""Request-scoped pieces shared by every route: the transaction, templates, flashes, ids and pages."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from backend import i18n
from backend.config import ROOT, get_settings
from backend.db import session_scope

templates = Jinja2Templates(directory=str(ROOT / "templates"))
i18n.install(templates.env)


def _install_labels() -> None:
    from backend import labels

    labels.install(templates.env)

FLASH_COOKIE = "mm_flash"
# PostgreSQL's integer ids stop at 2^31 - 1; anything larger cannot name a row, so it is a 404, not a 500.
MAX_ID = 2_147_483_647
MAX_PAGE = 100_000
MAX_OFFSET = 10_000_000


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, before the response is sent."""
    with session_scope() as session:
        request.state.db_session = session
        yield session


# scope="function": the dependency's exit (the commit) runs before the response goes out, so a client never
# sees a 201 or a 303 for a write that then fails to commit, and the GET after a redirect sees the write.
Db = Annotated[Session, Depends(get_session, scope="function")]

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id")]
PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def _flash_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="flash")


def flash(request: Request, message: str, category: str = "info") -> None:
    """Show `message` on the next page this browser renders (kept in a signed cookie until then)."""
    pending = getattr(request.state, "flash_out", None)
    if pending is None:
        pending = request.state.flash_out = []
    pending.append([category, message])


def take_flashes(request: Request) -> list[tuple[str, str]]:
    """The messages waiting for this browser; the middleware clears the cookie once they are shown."""
    raw = request.cookies.get(FLASH_COOKIE)
    shown: list[tuple[str, str]] = []
    if raw:
        try:
            shown = [(c, m) for c, m in _flash_serializer().loads(raw)]
        except (BadSignature, ValueError, TypeError):
            shown = []
        request.state.flash_taken = True
    shown += [(c, m) for c, m in getattr(request.state, "flash_out", [])]
    request.state.flash_out = []
    return shown


def write_flashes(request: Request, response) -> None:  # noqa: ANN001
    pending = getattr(request.state, "flash_out", None)
    settings = get_settings()
    if pending:
        response.set_cookie(FLASH_COOKIE, _flash_serializer().dumps(pending), httponly=True, samesite="lax",
                            secure=settings.secure_cookies, path="/")
    elif getattr(request.state, "flash_taken", False):
        response.delete_cookie(FLASH_COOKIE, path="/")


def render(request: Request, template: str, status_code: int = 200, **context: object):
    """A page, with the viewer, the CSRF field, the flashes and the language switch available to it."""
    from backend import csrf

    if "label" not in templates.env.filters:
        _install_labels()
    principal = getattr(request.state, "principal", None)
    context.setdefault("viewer", principal)
    context["csrf_field"] = csrf.hidden_field(request)
    context["flashes"] = take_flashes(request)
    context["lang_links"] = {code: _with_lang(request, code) for code in i18n.KNOWN_LOCALES}
    context["unread_count"] = _unread(request, principal)
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _unread(request: Request, principal) -> int:  # noqa: ANN001
    """Unread notifications of the signed-in user, for the count in the header of every page."""
    if principal is None or principal.user_id is None:
        return 0
    from backend.db import session_factory
    from backend.notifications.service import unread

    session = getattr(request.state, "db_session", None)
    if session is not None:
        return unread(session, principal.user_id)
    with session_factory()() as own:
        return unread(own, principal.user_id)


def _with_lang(request: Request, locale: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", "zh" if locale == "zh_CN" else locale))
    from urllib.parse import urlencode

    # "//evil.example/x" is a path of this site, but as a link it would leave it: one leading slash only.
    return "/" + request.url.path.lstrip("/") + "?" + urlencode(params)


def page_args(page: int, per_page: int = 20) -> tuple[int, int]:
    page = max(1, page)
    return per_page, (page - 1) * per_page
