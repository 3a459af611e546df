"""Form fields pointing at another organisation's objects are refused, never saved.

The forms are read from every page (each route accepting GET, as a person the route lets
in); each select or hidden field naming a commune, a person or an association gets the
identifier of one of the other organisation's: the answer is never a server error and no row
of the database comes to point at the other organisation's commune, person or association.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.db import db
from app.organisations.models import Commune
from tests.security.forms import forms_of
from tests.security.matrix import build_url, client_as
from tests.security.routes import ROUTES
from tests.security.test_csrf import PREFERRED
from tests.security.world import HOST

KINDS = {
    "commune": ("commune", "insee"),
    "user": ("user", "member", "person", "assign", "author", "lead", "holder"),
    "association": ("association", "partner", "other"),
}


def _foreign_ids(world) -> dict[str, str]:
    other = world.other_org
    commune = db.session.scalar(
        sa.select(Commune).where(Commune.organisation_id == other.id).limit(1)
    )
    association_id = world.users["association_b"].memberships[0].association_id
    return {
        "commune": str(commune.id),
        "user": str(world.users["admin_b"].id),
        "association": str(association_id),
    }


TARGETS = {"commune": "commune", "user_account": "user", "ami_association": "association"}


def _references(foreign: dict[str, str]) -> dict[str, int]:
    """For each column pointing at a commune, person or association: its rows naming the
    other organisation's one."""
    counts = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for key in column.foreign_keys:
                kind = TARGETS.get(key.column.table.name)
                if kind:
                    query = sa.select(sa.func.count()).where(column == int(foreign[kind]))
                    counts[f"{table.name}.{column.name}"] = db.session.scalar(query)
    return counts


def _kind(name: str) -> str | None:
    lowered = name.lower()
    for kind, words in KINDS.items():
        if any(word in lowered for word in words):
            return kind
    return None


def _pages_with_forms(app, world):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        if "GET" not in rule.methods:
            continue
        if rule.endpoint not in ROUTES or rule.endpoint == "static":
            continue
        allowed = ROUTES[rule.endpoint].ok.split()
        role = next((r for r in PREFERRED if r in allowed and not r.endswith("_b")), None)
        if role in (None, "anonymous"):
            continue
        url = build_url(app, world, rule)
        client = client_as(app, world, role)
        page = client.get(url, base_url=f"http://{HOST}")
        page.close()
        if page.status_code == 200 and page.mimetype == "text/html":
            for form in forms_of(page.text):
                target = form.action or url
                if form.method == "post" and target.startswith("/"):
                    yield rule.endpoint, client, target, form


def test_another_organisations_identifiers_in_form_fields_are_refused(app, world):
    foreign = _foreign_ids(world)
    accepted, tried = [], 0
    before = _references(foreign)
    seen = set()
    for endpoint, client, url, form in _pages_with_forms(app, world):
        names = {name for name in form.choices if _kind(name)}
        for name in sorted(names):
            if (url, name) in seen:
                continue
            seen.add((url, name))
            data: dict[str, list[str]] = {}
            for key, value in form.fields:
                data.setdefault(key, []).append(value)
            data[name] = [foreign[_kind(name)]]
            response = client.post(url, data=data, base_url=f"http://{HOST}")
            tried += 1
            if response.status_code >= 500 or _references(foreign) != before:
                accepted.append(f"{endpoint} {url} {name}={data[name]}: {response.status_code}")
                before = _references(foreign)
    with open("/tmp/security_figures_access.txt", "a") as out:
        out.write(f"foreign identifiers: {tried} form fields given another organisation's ids\n")
    assert tried > 0
    assert not accepted, "\n".join(accepted)
