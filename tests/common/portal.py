"""Signed-in test clients: users of each role, CSRF tokens, and sign-in through the real login form."""

import hashlib
import hmac
import itertools
import re

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.config import get_settings
from backend.organisations.models import OrgKind
from tests.common.factories import create_org

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)

ROLE_ORG = {Role.FIRM_MEMBER: OrgKind.FIRM, Role.TECH_TRANSFER_OFFICER: OrgKind.UNIVERSITY,
            Role.GOVERNMENT_ANALYST: OrgKind.GOVERNMENT, Role.ADMIN: None}


def create_user(session, role: Role, org=None, *, email: str | None = None, locale: str = "zh_CN", **org_fields):  # noqa: ANN001
    """A user of `role`; a firm, university or government body is created for them unless `org` is given."""
    kind = ROLE_ORG[role]
    if org is None and kind is not None:
        region = "330100" if kind == OrgKind.UNIVERSITY else "330602"
        org = create_org(session, kind=kind, region=region, **org_fields)
    email = email or f"user{next(_seq)}-{role.value}@example.cn"
    return accounts.create_user(session, email=email, password=PASSWORD, role=role,
                                organisation_id=org.id if org is not None else None, locale=locale)


def csrf_token(client) -> str:  # noqa: ANN001
    """The CSRF token for this client's cookie (fetching a page first if it has none)."""
    seed = client.cookies.get("mm_csrf")
    if seed is None:
        client.get("/login")
        seed = client.cookies.get("mm_csrf")
    return hmac.new(get_settings().secret_key.encode(), seed.encode(), hashlib.sha256).hexdigest()


def post_form(client, url: str, data: dict | None = None, **kwargs):  # noqa: ANN001
    """POST a form the way a browser does: with the CSRF token, not following the redirect."""
    fields = dict(data or {})
    fields.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=fields, follow_redirects=False, **kwargs)


def sign_in(client, user, password: str = PASSWORD):  # noqa: ANN001
    """Sign in through /login; returns the response (a 303 on success)."""
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 303, response.text[:500]
    return response


def hidden_token(html: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    return found.group(1) if found else None
