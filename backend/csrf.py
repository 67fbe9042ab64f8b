"""Protection against cross-site request forgery for every unsafe request.

Each browser gets a random, HttpOnly `mm_csrf` cookie; forms carry `csrf_token`, an HMAC of that cookie
under the server's secret, and the check compares the two. A forged request from another site cannot read
the token, so it is refused with 403. API calls that authenticate with a bearer token carry no cookie
credentials and need no CSRF token.
"""

import hashlib
import hmac
import secrets

from fastapi import Request
from markupsafe import Markup

from backend.config import get_settings
from backend.errors import Forbidden

COOKIE = "mm_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def seed(request: Request) -> str:
    """This browser's CSRF seed: the cookie's value, or a new one the middleware will set."""
    value = getattr(request.state, "csrf_seed", None)
    if value is None:
        value = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_seed = value
    return value


def token(request: Request) -> str:
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, seed(request).encode(), hashlib.sha256).hexdigest()


def hidden_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token(request))


async def verify(request: Request) -> None:
    """App-wide dependency: an unsafe request without the right token is refused with 403."""
    if request.method not in UNSAFE:
        return
    if request.url.path.startswith("/unsubscribe/"):
        return  # the signed token in the address is the credential (one-click unsubscribe from a mail)
    if request.url.path.startswith("/api/"):
        from backend.auth import COOKIE as SESSION_COOKIE

        # A bearer token, or no session cookie at all: no browser credential rides along, nothing to forge
        # (an API call without credentials is then refused by its role guard with 401).
        if request.headers.get("authorization") or SESSION_COOKIE not in request.cookies:
            return
    if COOKIE not in request.cookies:
        raise Forbidden("the form has expired or cookies are blocked; reload the page and try again")
    given = request.headers.get(HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, token(request)):
        raise Forbidden("the form has expired or did not come from this site; reload the page and try again")
