"""Sessions, the current user and the one role guard every route declares.

The browser's cookie holds a random token; PostgreSQL holds only its SHA-256 (`web_sessions`), so a
leaked table opens no session. A new session id is issued at login (no fixation); logout and a password
change end sessions; a session expires `session_hours` after its last use. The JSON API also accepts a
personal API token (`Authorization: Bearer mm_…`) or the deployment's admin token.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from fastapi import Request, Response
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.accounts.models import ApiToken, Role, User, WebSession
from backend.config import get_settings
from backend.errors import AppError
from backend.web import Db

COOKIE = "mm_session"
TOKEN_PREFIX = "mm_"
# A session's last-seen time is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=5)


class LoginRequired(AppError):
    """A page needs a signed-in user: pages redirect to /login, the API answers 401."""

    status = 401


class RoleRefused(AppError):
    status = 403


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user (through a session or an API token), the admin token, or nobody."""

    user_id: int | None = None
    role: Role | None = None
    organisation_id: int | None = None
    email: str | None = None
    name: str | None = None
    locale: str | None = None
    session_id: str | None = None
    via: str = "anonymous"
    org_verified: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def member_of(self, organisation_id: int | None) -> bool:
        return organisation_id is not None and self.organisation_id == organisation_id


ANONYMOUS = Principal()


def _principal(session: Session, user: User, *, via: str, session_id: str | None = None) -> Principal:
    from backend.organisations.models import Organisation

    verified = False
    if user.organisation_id is not None:
        verified = bool(session.scalar(select(Organisation.is_verified)
                                       .where(Organisation.id == user.organisation_id)))
    return Principal(user_id=user.id, role=Role(user.role), organisation_id=user.organisation_id,
                     email=user.email, name=user.full_name, locale=user.locale, session_id=session_id, via=via,
                     org_verified=verified or user.role == Role.ADMIN)


def start_session(session: Session, user: User, request: Request, response: Response) -> str:
    """Sign a user in: a fresh random id (any session the browser had is ended), cookie set on `response`."""
    old = request.cookies.get(COOKIE)
    if old:
        session.execute(delete(WebSession).where(WebSession.id == token_hash(old)))
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    settings = get_settings()
    session.add(WebSession(
        id=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
        ip=request.client.host if request.client else None,
        user_agent=(request.headers.get("user-agent") or "")[:300] or None,
    ))
    session.flush()
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        max_age=int(settings.session_hours * 3600), path="/")
    return token


def end_session(session: Session, request: Request, response: Response) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        session.execute(delete(WebSession).where(WebSession.id == token_hash(token)))
    response.delete_cookie(COOKIE, path="/")


def end_all_sessions(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of a user (password change, reset), except `keep` (a session id) if given."""
    stmt = delete(WebSession).where(WebSession.user_id == user_id)
    if keep:
        stmt = stmt.where(WebSession.id != keep)
    return session.execute(stmt).rowcount or 0


def _from_session(session: Session, token: str) -> Principal | None:
    now = datetime.now(UTC)
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.id == token_hash(token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    if web_session.expires_at <= now or not user.is_active:
        session.delete(web_session)
        return None
    if now - web_session.last_seen_at > TOUCH_EVERY:
        web_session.last_seen_at = now
        web_session.expires_at = now + timedelta(hours=get_settings().session_hours)
    return _principal(session, user, via="session", session_id=web_session.id)


def _remember_language(request: Request, session: Session, principal: Principal) -> None:
    """`?lang=` on any page also becomes a signed-in user's stored language (mails follow it)."""
    from backend import i18n

    chosen = i18n.normalise(request.query_params.get("lang"))
    if chosen and principal.user_id is not None and chosen != principal.locale:
        session.execute(update(User).where(User.id == principal.user_id).values(locale=chosen))


def _from_bearer(session: Session, given: str) -> Principal | None:
    admin = get_settings().admin_api_token
    if admin and hmac.compare_digest(given.encode(), admin.encode()):
        return Principal(role=Role.ADMIN, via="admin_token", org_verified=True)
    if not given.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(given), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[1].is_active:
        return None
    token, user = row
    session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=datetime.now(UTC)))
    return _principal(session, user, via="token")


def identify(request: Request, session: Session) -> Principal:
    """The principal of a request, resolved once and kept on `request.state`."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = ANONYMOUS
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise AppError("the Authorization header must be 'Bearer <token>'", 401)
        principal = _from_bearer(session, given.strip())
        if principal is None:
            raise AppError("this API token is not valid (revoked, mistyped or expired)", 401)
    elif request.cookies.get(COOKIE):
        principal = _from_session(session, request.cookies[COOKIE]) or ANONYMOUS
        _remember_language(request, session, principal)
    request.state.principal = principal
    return principal


# Every route declares who may use it through exactly one of these two; a test checks that they all do.

def anyone() -> Callable[..., Principal]:
    """The route is open to everyone; the principal is still resolved (what it shows may depend on it)."""

    def guard(request: Request, session: Db) -> Principal:
        return identify(request, session)

    guard.access = "anyone"  # type: ignore[attr-defined]
    return guard


def allow(*roles: Role) -> Callable[..., Principal]:
    """Only signed-in users with one of `roles` (admins always) may use the route."""
    allowed = frozenset(roles) | {Role.ADMIN}

    def guard(request: Request, session: Db) -> Principal:
        principal = identify(request, session)
        if not principal.is_authenticated:
            raise LoginRequired("please sign in first")
        if principal.role not in allowed:
            raise RoleRefused("your role cannot use this page")
        return principal

    guard.access = "roles:" + ",".join(sorted(r.value for r in allowed))  # type: ignore[attr-defined]
    return guard


SIGNED_IN = tuple(Role)


def login_redirect(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='')}"


def safe_next(value: str | None) -> str:
    """Only a local path may follow a login (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/me"

