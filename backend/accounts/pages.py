"""Sign-in, sign-out, registration, password reset, the account page and each role's home."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from backend import auth, i18n, mail, ratelimit
from backend.accounts import service
from backend.accounts.models import Role, User
from backend.accounts.schemas import LoginIn, NewPasswordIn, PasswordChangeIn, RegistrationIn, TokenIn
from backend.auth import Principal, allow, anyone
from backend.chains.models import IndustryChain
from backend.config import get_settings
from backend.errors import AppError
from backend.forms import FormData, FormError, app_error_to_form, parse
from backend.i18n import _
from backend.organisations.models import OrgKind
from backend.regions.models import Region, RegionLevel
from backend.web import Db, IdPath, flash, render

router = APIRouter()

# Where each role starts after signing in.
HOMES = {Role.FIRM_MEMBER: "/needs/mine", Role.TECH_TRANSFER_OFFICER: "/inbox",
         Role.GOVERNMENT_ANALYST: "/dashboard", Role.ADMIN: "/admin"}


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/login")
def login_form(request: Request, viewer: Principal = Depends(anyone()), next: str | None = None):
    if viewer.is_authenticated and viewer.via == "session":
        return _see_other(auth.safe_next(next))
    return render(request, "accounts/login.html", values={"next": next or ""}, errors={})


@router.post("/login")
def login(request: Request, session: Db, data: FormData, viewer: Principal = Depends(anyone())):
    address = request.client.host if request.client else "unknown"
    try:
        form = parse(LoginIn, data, blank_is_none=False)
    except FormError as err:
        return render(request, "accounts/login.html", status_code=422, values=data, errors=err.errors)
    if ratelimit.login_blocked(form.email, address):
        return render(request, "accounts/login.html", status_code=429, values=data,
                      errors={"__all__": _("Too many failed sign-ins. Wait 15 minutes, or reset your password.")})
    user = service.authenticate(session, form.email, form.password)
    if user is not None and service.is_demo(user) and get_settings().environment not in ("development", "test"):
        return render(request, "accounts/login.html", status_code=403, values=data,
                      errors={"__all__": _("Demo accounts work only on a development installation.")})
    if user is None:
        ratelimit.login_failed(form.email, address)
        return render(request, "accounts/login.html", status_code=422, values=data,
                      errors={"__all__": _("The e-mail or the password is not right.")})
    response = _see_other(auth.safe_next(form.next) if form.next else HOMES[Role(user.role)])
    auth.start_session(session, user, request, response)
    response.set_cookie(i18n.COOKIE, user.locale, max_age=365 * 86400, samesite="lax",
                        secure=get_settings().secure_cookies, path="/")
    return response


@router.post("/logout")
def logout(request: Request, session: Db, viewer: Principal = Depends(anyone())):
    response = _see_other("/")
    auth.end_session(session, request, response)
    flash(request, _("You are signed out."))
    return response


def _register_choices(session) -> dict:  # noqa: ANN001
    regions = list(session.scalars(select(Region).order_by(Region.code)))
    return {
        "local_regions": [r for r in regions if not r.is_foreign and r.level != RegionLevel.COUNTRY],
        "foreign_regions": [r for r in regions if r.is_foreign],
        "chains": list(session.scalars(select(IndustryChain).order_by(IndustryChain.id))),
        "org_kinds": [OrgKind.FIRM, OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.FOREIGN_PARTNER],
    }


@router.get("/register")
def register_form(request: Request, session: Db, viewer: Principal = Depends(anyone())):
    return render(request, "accounts/register.html", values={"org_kind": "firm", "chains": []}, errors={},
                  **_register_choices(session))


@router.post("/register")
def register(request: Request, session: Db, data: FormData, viewer: Principal = Depends(anyone())):
    data["locale"] = request.state.locale  # the language the person registers in, not a posted value
    try:
        form = parse(RegistrationIn, data, lists=("chains",))
        with session.begin_nested():
            user = service.register(session, form)
    except FormError as err:
        return render(request, "accounts/register.html", status_code=422, values=data, errors=err.errors,
                      **_register_choices(session))
    except AppError as err:
        return render(request, "accounts/register.html", status_code=422, values=data,
                      errors=app_error_to_form(err, data).errors, **_register_choices(session))
    response = _see_other(HOMES[Role(user.role)])
    auth.start_session(session, user, request, response)
    flash(request, _("Welcome! Your organisation waits for an administrator's check. Until then you can "
                     "draft postings; they are published and matched once it is verified."), "success")
    return response


@router.get("/password/reset")
def reset_request_form(request: Request, viewer: Principal = Depends(anyone())):
    return render(request, "accounts/reset_request.html", values={}, errors={})


@router.post("/password/reset")
def reset_request(request: Request, session: Db, data: FormData, viewer: Principal = Depends(anyone())):
    email = str(data.get("email", "")).strip()
    if "@" not in email or len(email) > 254:
        return render(request, "accounts/reset_request.html", status_code=422, values=data,
                      errors={"email": _("Enter the e-mail address of your account.")})
    found = service.start_reset(session, email)
    if found is not None:
        user, token = found
        _mail_reset(session, user, token)
    flash(request, _("If an account uses that address, a reset link is on its way. It works once, "
                     "for %(minutes)s minutes.", minutes=get_settings().password_reset_minutes), "success")
    return _see_other("/login")


def _mail_reset(session, user: User, token: str) -> None:  # noqa: ANN001
    link = f"{get_settings().base_url.rstrip('/')}/password/reset/{token}"
    previous = i18n.current_locale.set(user.locale)
    try:
        subject = _("Reset your Matchmaker password")
        body = _("Someone (we hope you) asked to reset the password of %(email)s.\n\nOpen this link to choose a "
                 "new one; it works once, for %(minutes)s minutes:\n%(link)s\n\nIf it was not you, ignore this "
                 "mail: your password stays as it is.", email=user.email, link=link,
                 minutes=get_settings().password_reset_minutes)
    finally:
        i18n.current_locale.reset(previous)
    mail.send(session, to=user.email, subject=subject, text=body, kind="password_reset", locale=user.locale)


@router.get("/password/reset/{token}")
def reset_form(request: Request, token: str, session: Db, viewer: Principal = Depends(anyone())):
    service.reset_target(session, token)
    return render(request, "accounts/reset_form.html", token=token, values={}, errors={})


@router.post("/password/reset/{token}")
def reset(request: Request, token: str, session: Db, data: FormData, viewer: Principal = Depends(anyone())):
    try:
        form = parse(NewPasswordIn, data, blank_is_none=False)
        with session.begin_nested():
            user = service.finish_reset(session, token, form.password)
    except FormError as err:
        return render(request, "accounts/reset_form.html", status_code=422, token=token, values={},
                      errors=err.errors)
    except AppError as err:
        if err.status == 404:
            raise
        return render(request, "accounts/reset_form.html", status_code=422, token=token, values={},
                      errors=app_error_to_form(err, data).errors)
    auth.end_all_sessions(session, user.id)
    flash(request, _("Your password is changed. Sign in with the new one."), "success")
    return _see_other("/login")


@router.get("/me")
def me(viewer: Principal = Depends(allow(*auth.SIGNED_IN))):
    return _see_other(HOMES[viewer.role] if viewer.role in HOMES else "/")


def _account_page(request: Request, session, viewer: Principal, *, status_code: int = 200,  # noqa: ANN001
                  errors: dict | None = None, new_token: str | None = None):
    user = session.get(User, viewer.user_id)
    return render(request, "accounts/account.html", status_code=status_code, user=user,
                  tokens=service.tokens_of(session, viewer.user_id), errors=errors or {}, new_token=new_token)


@router.get("/account")
def account(request: Request, session: Db, viewer: Principal = Depends(allow(*auth.SIGNED_IN))):
    if viewer.user_id is None:
        raise AppError(_("The admin token has no account page."), 404)
    return _account_page(request, session, viewer)


@router.post("/account/password")
def change_password(request: Request, session: Db, data: FormData,
                    viewer: Principal = Depends(allow(*auth.SIGNED_IN))):
    user = session.get(User, viewer.user_id)
    try:
        form = parse(PasswordChangeIn, data, blank_is_none=False)
        with session.begin_nested():
            service.change_password(session, user, form.current_password, form.password)
    except FormError as err:
        return _account_page(request, session, viewer, status_code=422, errors=err.errors)
    except AppError as err:
        return _account_page(request, session, viewer, status_code=422,
                             errors=app_error_to_form(err, data).errors)
    # A changed password ends every session, this one included: the new session id is issued at sign-in.
    auth.end_all_sessions(session, user.id)
    response = _see_other("/login")
    response.delete_cookie(auth.COOKIE, path="/")
    flash(request, _("Your password is changed and every session is signed out. Sign in again."), "success")
    return response


@router.post("/account/language")
def change_language(request: Request, session: Db, data: FormData,
                    viewer: Principal = Depends(allow(*auth.SIGNED_IN))):
    locale = i18n.normalise(str(data.get("locale", "")))
    if locale is None:
        return _account_page(request, session, viewer, status_code=422,
                             errors={"locale": _("Choose one of the offered options.")})
    service.set_locale(session, session.get(User, viewer.user_id), locale)
    response = _see_other("/account")
    response.set_cookie(i18n.COOKIE, locale, max_age=365 * 86400, samesite="lax",
                        secure=get_settings().secure_cookies, path="/")
    return response


@router.post("/account/tokens")
def create_token(request: Request, session: Db, data: FormData,
                 viewer: Principal = Depends(allow(*auth.SIGNED_IN))):
    try:
        form = parse(TokenIn, data, blank_is_none=False)
        token, raw = service.create_token(session, session.get(User, viewer.user_id), form.name)
    except FormError as err:
        return _account_page(request, session, viewer, status_code=422, errors=err.errors)
    except AppError as err:
        return _account_page(request, session, viewer, status_code=422,
                             errors=app_error_to_form(err, data).errors)
    # Shown once, on this response only; the table keeps its SHA-256.
    return _account_page(request, session, viewer, new_token=raw)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: IdPath, session: Db,
                 viewer: Principal = Depends(allow(*auth.SIGNED_IN))):
    token = service.revoke_token(session, viewer.user_id, token_id)
    flash(request, _("Token %(name)s is revoked.", name=token.name), "success")
    return _see_other("/account")
