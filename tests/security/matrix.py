"""Running a request as one role of the world and naming its outcome."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

from tests.conftest import login_as
from tests.security.world import World

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", "forbidden", "not_found"


def outcome(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        path = urlsplit(response.headers.get("Location", "")).path
        return LOGIN if path.startswith("/login") else OK
    return {200: OK, 403: FORBIDDEN, 404: NOT_FOUND}.get(code, str(code))


def url_arguments(world: World, rule) -> dict:
    blueprint = rule.endpoint.rsplit(".", 1)[0]
    values = {}
    for name in rule.arguments:
        key = f"{rule.endpoint}.{name}"
        for candidate in (key, f"{blueprint}.{name}", name):
            if candidate in world.ids:
                values[name] = world.ids[candidate]
                break
        else:
            raise LookupError(f"the world has no value for <{name}> of {rule.endpoint}")
    return values


def build_url(app, world: World, rule, **override) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{**url_arguments(world, rule), **override})


def client_as(app, world: World, role: str):
    client = app.test_client()
    user = world.users[role]
    if user is not None:
        login_as(client, user, host=world.host(role))
    return client


def request_as(client, world: World, role: str, method: str, url: str, **kwargs):
    response = client.open(url, method=method, base_url=f"http://{world.host(role)}", **kwargs)
    response.close()
    return response
