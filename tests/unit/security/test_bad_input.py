"""Ids and page numbers beyond any row get a 404 or a 422 with a message, never a 500."""

import re

import pytest
from fastapi.routing import APIRoute

from backend.accounts.models import Role
from backend.app import route_modules
from tests.common.portal import create_user, csrf_token, sign_in

HUGE = ["2147483648", "9223372036854775808", "1" + "0" * 30, "-1", "0", "abc"]


@pytest.mark.parametrize("path", [
    "/needs/2147483648", "/api/v1/capabilities/99999999999/matches", "/needs?page=99999999999999999999999",
    "/api/v1/needs?offset=99999999999999999999", "/capabilities/-5", "/needs?page=0", "/needs?page=-3",
    "/api/v1/needs?limit=100000", "/api/v1/needs/1e3", "/capabilities?page=abc",
])
def test_the_addresses_that_answered_500_now_answer_404_or_422(client, path):
    response = client.get(path)
    assert response.status_code in (404, 422), (path, response.status_code)
    if path.startswith("/api/"):
        body = response.json()
        assert body["error"] and body["problems"][0]["field"], body
    else:
        assert "<h1>" in response.text


def test_every_route_survives_ids_beyond_any_row(client, db_session):
    sign_in(client, create_user(db_session, Role.ADMIN))
    token = csrf_token(client)
    failures = []
    for module in route_modules():
        for route in module.router.routes:
            if not isinstance(route, APIRoute) or "{" not in route.path:
                continue
            for value in HUGE:
                path = re.sub(r"\{[^}]+\}", value, route.path)
                for method in route.methods:
                    if method == "GET":
                        response = client.get(path, follow_redirects=False)
                    else:
                        response = client.request(method, path, data={"csrf_token": token}, follow_redirects=False)
                    if response.status_code >= 500:
                        failures.append((method, path, response.status_code))
    assert failures == []
