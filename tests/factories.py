"""Factories that build real rows through the services and return them."""

from __future__ import annotations

from functools import cache
from itertools import count

from app.db import db
from app.organisations import services as org_services
from app.organisations.queries import commune_by_insee
from app.organisations.refdata import find_epci
from app.users.models import Role, User
from app.users.passwords import hash_password

PASSWORD = "correct-horse-battery"
_sequence = count(1)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def organisation(siren: str = "246200364", slug: str | None = None, host: str | None = None):
    report = org_services.load_territory(find_epci(siren), slug=slug)
    if host:
        org_services.add_host(report.organisation, host)
    db.session.commit()
    return report.organisation


def user(
    org,
    role: Role | str | None = None,
    *,
    commune: str | None = None,
    association=None,
    email: str | None = None,
    name: str | None = None,
    active: bool = True,
    confirmed: bool = True,
) -> User:
    """A person of `org` with `role` (the commune given by its INSEE code), password PASSWORD."""
    from app.db import utcnow
    from app.users import services

    n = next(_sequence)
    person = User(
        organisation_id=org.id,
        organisation=org,
        email=email or f"person{n}@example.fr",
        display_name=name or f"Personne {n}",
        password_hash=password_hash(),
        active=active,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(person)
    db.session.flush()
    if role is not None:
        place = commune_by_insee(org, commune) if commune else None
        if Role(role).needs_commune and place is None:
            place = org.communes[0]
        services.add_role(None, person, Role(role), commune=place, association=association)
    db.session.commit()
    return person


def association(org, name: str = "Association test"):
    from ami.models import Association

    entry = Association(organisation_id=org.id, name=name)
    db.session.add(entry)
    db.session.commit()
    return entry
