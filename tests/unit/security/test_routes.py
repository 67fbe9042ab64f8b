"""Every route declares who may use it, in one place; a role cannot reach another role's pages."""

import pytest
from fastapi.routing import APIRoute

from backend.accounts.models import Role
from backend.app import route_modules
from tests.common.portal import create_user, sign_in


def _guards(dependant) -> list[str]:  # noqa: ANN001
    found = []
    for dep in dependant.dependencies:
        access = getattr(dep.call, "access", None)
        if access:
            found.append(access)
        found += _guards(dep)
    return found


def all_routes() -> list[APIRoute]:
    return [r for m in route_modules() for r in m.router.routes if isinstance(r, APIRoute)]


def test_every_route_declares_its_roles_exactly_once():
    undeclared = []
    for route in all_routes():
        guards = _guards(route.dependant)
        if len(guards) != 1:
            undeclared.append((sorted(route.methods), route.path, guards))
    assert undeclared == []


def test_the_guards_are_what_the_routes_say():
    declared = {(tuple(sorted(r.methods)), r.path): _guards(r.dependant)[0] for r in all_routes()}
    assert declared[(("GET",), "/needs")] == "anyone"
    assert declared[(("GET",), "/account")].startswith("roles:")


@pytest.mark.parametrize(("role", "path", "expected"), [
    (Role.FIRM_MEMBER, "/admin", 403),
    (Role.TECH_TRANSFER_OFFICER, "/admin", 403),
    (Role.GOVERNMENT_ANALYST, "/admin", 403),
    (Role.ADMIN, "/admin", 200),
])
def test_a_role_cannot_open_another_roles_home(client, db_session, role, path, expected):
    sign_in(client, create_user(db_session, role))
    assert client.get(path).status_code == expected


def test_signed_out_a_role_page_redirects_to_sign_in_and_the_api_answers_401(client):
    page = client.get("/account", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Faccount"
    assert client.post("/api/v1/needs", json={"title": "t", "description": "d"}).status_code == 401
