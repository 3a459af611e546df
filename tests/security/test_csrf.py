"""Every state-changing route refuses a request without a valid CSRF token.

The routes are read from the URL map, so a new POST, PUT, PATCH or DELETE route is covered
without being listed. Each request is sent as a signed-in person the route would otherwise
let in (from the access matrix's table), and must meet the "form expired" page: the view
never runs.
"""

from __future__ import annotations

import re

import pytest

from tests.security.matrix import build_url, client_as, request_as
from tests.security.routes import ROUTES
from tests.security.world import ROLES

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: routes that may change state without the session's token, with the reason
EXEMPT: dict[str, str] = {}
#: the person who asks: the first of these the route lets in
PREFERRED = ("admin", "mayor", "association", "codev", "citizen", *ROLES)


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def _writes(app):
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)
    return [(rule, sorted(rule.methods & WRITES)) for rule in rules if rule.methods & WRITES]


def _asker(endpoint: str) -> str:
    allowed = ROUTES[endpoint].ok.split()
    return next((role for role in PREFERRED if role in allowed and role != "anonymous"), "admin")


def test_every_state_changing_route_refuses_a_missing_or_forged_token(app, world, csrf_enabled):
    clients = {role: client_as(app, world, role) for role in ROLES}
    accepted, checked = [], 0
    for rule, methods in _writes(app):
        if rule.endpoint in EXEMPT:
            continue
        role = _asker(rule.endpoint)
        url = build_url(app, world, rule)
        for method in methods:
            for data in ({}, {"csrf_token": "forged-token"}):
                response = request_as(clients[role], world, role, method, url, data=data)
                checked += 1
                if response.status_code != 400 or "Formulaire expiré" not in response.text:
                    accepted.append(
                        f"{method} {url} ({rule.endpoint}) as {role}: {response.status_code}"
                    )
    with open("/tmp/security_figures_access.txt", "a") as out:
        out.write(f"csrf: {len(_writes(app))} state-changing routes, {checked} requests refused\n")
    assert not accepted, "\n".join(accepted)


def test_exempt_routes_still_exist_and_give_a_reason(app):
    endpoints = {rule.endpoint for rule, _methods in _writes(app)}
    for endpoint, reason in EXEMPT.items():
        assert endpoint in endpoints and reason


def test_a_valid_token_is_accepted(app, world, csrf_enabled):
    """The refusals above are the token's doing: with the session's token the same request
    reaches the view (here, switching the interface language)."""
    client = client_as(app, world, "citizen")
    page = client.get("/", base_url="http://localhost")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/langue", data={"csrf_token": token, "locale": "fr"}, base_url="http://localhost"
    )
    assert response.status_code == 302
