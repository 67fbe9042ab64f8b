"""Security headers on every response, and the middleware that prepares each request.

Every page is server-rendered with its styles and scripts in `static/`, so the policy allows no inline
script at all; frames are refused everywhere.
"""

from fastapi import FastAPI, Request

from backend import csrf, i18n
from backend.config import get_settings
from backend.web import write_flashes

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def install(app: FastAPI) -> None:
    """Language, CSRF cookie, flashes and security headers for every request."""

    @app.middleware("http")
    async def portal(request: Request, call_next):  # noqa: ANN001, ANN202
        settings = get_settings()
        query_lang = i18n.normalise(request.query_params.get("lang"))
        locale = i18n.negotiate(query_lang, request.cookies.get(i18n.COOKIE), None,
                                request.headers.get("accept-language"))
        token = i18n.current_locale.set(locale)
        request.state.locale = locale
        try:
            response = await call_next(request)
        finally:
            i18n.current_locale.reset(token)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if settings.secure_cookies:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.cookies.get(csrf.COOKIE) is None:
            response.set_cookie(csrf.COOKIE, csrf.seed(request), httponly=True, samesite="lax",
                                secure=settings.secure_cookies, path="/")
        if query_lang:
            response.set_cookie(i18n.COOKIE, query_lang, max_age=365 * 86400, samesite="lax",
                                secure=settings.secure_cookies, path="/")
        write_flashes(request, response)
        return response
