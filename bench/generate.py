"""The data generator: organisations from the reference data, then years of activity.

Everything random comes from one `random.Random(seed)`: the same seed gives the same rows
(dates are counted back from the day of generation). Rows go in by bulk inserts
(`BulkWriter`), never one ORM object at a time.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from app.db import db
from app.organisations.models import Commune, Organisation, OrganisationType
from app.organisations.refdata import _all_rows, find_epci
from app.organisations.services import slugify
from app.users.models import Membership, Role, User
from app.users.passwords import hash_password
from bench import activity
from bench.scales import SCALES, Scale
from bench.writer import BulkWriter

#: the password of every account the benchmark signs in with
PASSWORD = "bench-password-2026"


class AlreadyGenerated(RuntimeError):
    pass


@dataclass
class OrgData:
    """What the activity generators need to know of one organisation."""

    id: int
    slug: str
    siren: str
    communes: list[int]
    insee: dict[int, str]
    admin_id: int
    mayors: dict[int, int]  # commune id -> user id
    #: the password hash given to the accounts the benchmark signs in with
    password: str
    citizens: list[int] = field(default_factory=list)
    last_proposals: list[int] = field(default_factory=list)


@dataclass
class Report:
    scale: str
    seed: int
    organisations: int
    communes: int
    territory_seconds: float
    total_seconds: float
    counts: dict[str, int]
    slugs: list[str]


def _sirens(scale: Scale) -> list[str]:
    if scale.sirens is not None:
        return list(scale.sirens)
    return sorted(_all_rows())


def _check_not_there(sirens: list[str]) -> None:
    found = db.session.scalars(
        sa.select(Organisation.siren).where(Organisation.siren.in_(sirens)).limit(1)
    ).first()
    if found:
        raise AlreadyGenerated(found)


def _load_territory(writer: BulkWriter, sirens: list[str], now: datetime) -> list[OrgData]:
    taken = set(db.session.scalars(sa.select(Organisation.slug)))
    password = hash_password(PASSWORD)
    orgs = []
    for siren in sirens:
        record = find_epci(siren)
        slug = slugify(record.name)[:50] or siren
        if slug in taken:
            slug = f"{slug[:50]}-{siren}"
        taken.add(slug)
        org = writer.add(
            Organisation,
            {
                "name": record.name,
                "siren": siren,
                "type": OrganisationType.from_reference(record.type),
                "slug": slug,
            },
        )
        communes, insee = [], {}
        for c in record.communes:
            row = writer.add(
                Commune,
                {
                    "organisation_id": org["id"],
                    "insee_code": c.insee_code,
                    "name": c.name,
                    "siren": c.siren or None,
                    "departement": c.departement or None,
                    "population": c.population,
                    "postal_codes": c.postal_codes,
                },
            )
            communes.append(row["id"])
            insee[row["id"]] = c.insee_code
        admin = _user(writer, org["id"], "admin@concerto-bench.fr", "Agent EPCI", password, now)
        writer.add(Membership, {"user_id": admin, "role": Role.ADMIN})
        mayors = {}
        for commune_id in communes:
            email = f"maire-{insee[commune_id].lower()}@concerto-bench.fr"
            mayor = _user(writer, org["id"], email, f"Maire {insee[commune_id]}", password, now)
            writer.add(Membership, {"user_id": mayor, "role": Role.MAYOR, "commune_id": commune_id})
            mayors[commune_id] = mayor
        orgs.append(OrgData(org["id"], slug, siren, communes, insee, admin, mayors, password))
    return orgs


def _user(writer, org_id: int, email: str, name: str, password: str | None, now) -> int:
    row = writer.add(
        User,
        {
            "organisation_id": org_id,
            "email": email,
            "display_name": name,
            "password_hash": password,
            "email_confirmed_at": now,
        },
    )
    return row["id"]


def _refresh_statistics(echo) -> None:
    """Give the query planner its statistics, as autovacuum would do some minutes later: without
    them PostgreSQL walks whole tables (a search over 100,000 proposals took minutes)."""
    engine = db.engine
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(statement))
    echo(f"{statement}: {time.perf_counter() - started:.1f} s")


def generate(scale: str | Scale, seed: int = 1, echo=print) -> Report:
    """Fill the database with the scale's data, commit, and say how long it took."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    sirens = _sirens(scale)
    _check_not_there(sirens)
    writer = BulkWriter()
    orgs = _load_territory(writer, sirens, now)
    writer.flush()
    territory_seconds = time.perf_counter() - started
    echo(f"territory: {len(orgs)} organisations in {territory_seconds:.1f} s")
    for index, org in enumerate(orgs, start=1):
        activity.generate_organisation(writer, org, scale, rng, now)
        if len(orgs) > 1 and index % 100 == 0:
            echo(f"activity: {index}/{len(orgs)} organisations")
    writer.finish()
    db.session.commit()
    _refresh_statistics(echo)
    total = time.perf_counter() - started
    return Report(
        scale=scale.name,
        seed=seed,
        organisations=len(orgs),
        communes=sum(len(o.communes) for o in orgs),
        territory_seconds=territory_seconds,
        total_seconds=total,
        counts=dict(sorted(writer.counts.items())),
        slugs=[o.slug for o in orgs][:5],
    )
