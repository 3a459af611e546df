"""Every route answered to every role as declared in tests/security/routes.py."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from tests.security.matrix import OK, build_url, client_as, outcome, request_as
from tests.security.routes import ROUTES
from tests.security.world import ROLES

FIGURES = "/tmp/security_figures_access.txt"


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)


def _method(rule) -> str:
    if "GET" in rule.methods:
        return "GET"
    return sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_route_has_one_declared_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ROUTES.keys())
    stale = sorted(ROUTES.keys() - endpoints)
    assert not missing, f"routes with no expectation in tests/security/routes.py: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


def test_each_role_gets_the_declared_answer_on_every_route(app, world):
    clients = {role: client_as(app, world, role) for role in ROLES}
    mismatches, checked = [], 0
    for rule in _rules(app):
        route = ROUTES.get(rule.endpoint)
        if route is None:
            continue
        method = _method(rule)
        url = build_url(app, world, rule, **{k: world.ids[v] for k, v in route.query})
        for role in ROLES:
            expected = route.expected(role)
            if method != "GET" and expected == OK:
                continue  # allowed writes are each domain's own tests; here nothing changes
            got = outcome(request_as(clients[role], world, role, method, url))
            checked += 1
            if got != expected:
                mismatches.append(
                    f"{rule.endpoint} {method} {url} as {role}: {got}, not {expected}"
                )
    _record(app, checked)
    assert not mismatches, "\n".join(mismatches)


def _record(app, checked: int) -> None:
    routes = len(list(app.url_map.iter_rules()))
    with open(FIGURES, "a") as out:
        out.write(
            f"access matrix: {routes} routes x {len(ROLES)} roles, "
            f"{checked} requests checked against the declared expectation\n"
        )


HUGE = 99999999999999999999  # past PostgreSQL's integer and SQLite's 64 bits


def test_identifiers_too_large_for_the_database_are_not_found(app, world):
    """An identifier no row can have is a 404 on every route, never a 500."""
    client = client_as(app, world, "admin")
    errors = []
    for rule in _rules(app):
        numbers = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not numbers:
            continue
        url = build_url(app, world, rule, **dict.fromkeys(numbers, HUGE))
        response = request_as(client, world, "admin", _method(rule), url)
        if response.status_code != 404:
            errors.append(f"{_method(rule)} {url}: {response.status_code}")
    assert not errors, "\n".join(errors)


def _query_names() -> set[str]:
    """The names the application reads from query strings, found in its source."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"args\.get\(\s*\"([a-z_]+)\"")
    names = set()
    for package in ("app", "ami", "consultations", "participation", "decisions", "opendata"):
        for source in (root / package).rglob("*.py"):
            names.update(pattern.findall(source.read_text(encoding="utf-8")))
    return names


def test_numbers_too_large_in_query_strings_never_break_a_page(app, world):
    """Every query-string name the code reads, given a huge number, on every page the admin
    may see: a page or a 404, never a 500."""
    names = _query_names()
    assert {"annee", "appel", "theme"} <= names
    client = client_as(app, world, "admin")
    errors = []
    for rule in _rules(app):
        route = ROUTES.get(rule.endpoint)
        if "GET" not in rule.methods or route is None or route.expected("admin") != OK:
            continue
        url = build_url(app, world, rule, **dict.fromkeys(names, HUGE))
        response = request_as(client, world, "admin", "GET", url)
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
    assert not errors, "\n".join(errors)
