"""The demo organisation: CA de Lens - Liévin, its 36 communes and one account per role."""

from __future__ import annotations

from sqlalchemy import select

from app.db import db, utcnow
from app.organisations import services as org_services
from app.organisations.models import Commune, Sector
from app.organisations.queries import commune_by_insee
from app.organisations.refdata import find_epci
from app.organisations.services import slugify
from app.users import services as user_services
from app.users.models import Role

DEMO_SIREN = "246200364"
DEMO_SLUG = "lens-lievin"
DEMO_PASSWORD = "concerto-demo"
DOMAIN = "demo.concerto.fr"

# Communes of the agglomeration with at least one QPV (politique de la ville).
QPV_COMMUNES = {
    "62498",
    "62510",
    "62065",
    "62771",
    "62570",
    "62413",
    "62186",
    "62386",
    "62133",
    "62628",
    "62528",
    "62895",
    "62563",
}
# Three illustrative sectors, to show grouping of communes.
SECTORS = {
    "Secteur Lens": [
        "62498",
        "62291",
        "62413",
        "62523",
        "62528",
        "62628",
        "62311",
        "62033",
        "62666",
        "62842",
        "62895",
        "62573",
        "62464",
        "62107",
        "62003",
        "62311",
    ],
    "Secteur Liévin": [
        "62510",
        "62032",
        "62019",
        "62186",
        "62386",
        "62563",
        "62737",
        "62170",
        "62001",
        "62801",
        "62371",
        "62213",
        "62793",
        "62380",
        "62854",
        "62861",
    ],
    "Secteur Avion - Méricourt": ["62065", "62570", "62771", "62133", "62351"],
}

ACCOUNTS = [
    ("admin", "Camille Durand", Role.ADMIN, None),
    ("maire.lievin", "Maire de Liévin", Role.MAYOR, "62510"),
    ("dgs.lievin", "DGS de Liévin", Role.COMMUNE_STAFF, "62510"),
    ("maire.lens", "Maire de Lens", Role.MAYOR, "62498"),
    ("vp", "Vice-présidente cohésion sociale", Role.VICE_PRESIDENT, None),
    ("codev", "Membre du conseil de développement", Role.DEVELOPMENT_COUNCIL_MEMBER, None),
    ("association", "Femmes et quartiers (Liévin)", Role.ASSOCIATION_MEMBER, None),
    ("jury", "Membre du jury AMI", Role.JURY_MEMBER, None),
    ("habitant", "Habitante de Lens", Role.CITIZEN, None),
]


_DEMO_STEPS: list = []


def demo_step(func):
    """Register `func(org, accounts)` to add a domain's demo content after the accounts."""
    _DEMO_STEPS.append(func)
    return func


def load_demo() -> list[tuple[str, str]]:
    """Create or complete the demo; running it again changes nothing."""
    from ami.models import Association

    report = org_services.load_territory(find_epci(DEMO_SIREN), slug=DEMO_SLUG)
    org = report.organisation
    for host in ("localhost", "127.0.0.1"):
        if org_services.host_owner(host) is None:
            org_services.add_host(org, host)
    _sectors(org)
    for commune in db.session.scalars(select(Commune).where(Commune.organisation_id == org.id)):
        commune.has_qpv = commune.insee_code in QPV_COMMUNES
    association = db.session.scalar(
        select(Association).where(
            Association.organisation_id == org.id, Association.name == "Femmes et quartiers"
        )
    )
    if association is None:
        association = Association(
            organisation_id=org.id, name="Femmes et quartiers", rna_number="W623004512"
        )
        db.session.add(association)
        db.session.flush()
    accounts = []
    for local, name, role, insee in ACCOUNTS:
        email = f"{local}@{DOMAIN}"
        commune = commune_by_insee(org, insee) if insee else None
        user = user_services.find_user(org, email)
        if user is None:
            user = user_services.create_user(org, email, name, password=DEMO_PASSWORD)
        assoc = association if role is Role.ASSOCIATION_MEMBER else None
        if not user.has_role(role, commune):
            user_services.add_role(None, user, role, commune=commune, association=assoc)
        label = role.value + (f" ({commune.name})" if commune else "")
        accounts.append((email, label))
    _other_mayors(org)
    db.session.flush()
    for step in _DEMO_STEPS:
        step(org)
    return accounts


def _other_mayors(org) -> None:
    """A mayor for every other commune, so that the conférence des maires is complete."""
    from app.users.models import User
    from app.users.passwords import hash_password

    password_hash = None
    for commune in org.communes:
        if any(m.role is Role.MAYOR for m in _mayors_of(commune)):
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        local = slugify(commune.name).replace("-", "")
        user = User(
            organisation_id=org.id,
            organisation=org,
            email=f"maire.{local}@{DOMAIN}",
            display_name=f"Maire de {commune.name}",
            password_hash=password_hash,
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        user_services.add_role(None, user, Role.MAYOR, commune=commune)


def _mayors_of(commune):
    from app.users.models import Membership

    return db.session.scalars(
        select(Membership).where(Membership.commune_id == commune.id, Membership.role == Role.MAYOR)
    ).all()


def _sectors(org) -> None:
    for name, codes in SECTORS.items():
        sector = db.session.scalar(
            select(Sector).where(Sector.organisation_id == org.id, Sector.name == name)
        )
        if sector is None:
            sector = Sector(organisation_id=org.id, name=name)
            db.session.add(sector)
            db.session.flush()
        for code in codes:
            commune = commune_by_insee(org, code)
            if commune is not None and commune.sector_id is None:
                commune.sector_id = sector.id
