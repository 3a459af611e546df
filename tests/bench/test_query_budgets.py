"""Query budgets: the number of SQL queries of a list or dashboard page does not grow with the data.

Two organisations are generated in bulk by the benchmark's generator (bench.generate): a small
one (10 communes, about ten rows of everything) and a large one (Aix-Marseille-Provence, 92
communes, about a thousand rows of everything: saisines' answers, proposals, supports,
applications and their scores, associations in the directory). Each page is requested in both,
as the same role; the two counts must be equal.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest
import sqlalchemy as sa

from ami.models import AmiCall, Application, ApplicationStatus, JuryMember
from app.db import db
from app.organisations import services as org_services
from app.organisations.models import Organisation
from app.users.models import Membership, Role, User
from bench.generate import generate
from bench.scales import SCALES
from consultations.bodies.models import Meeting, MeetingStatus
from consultations.saisines.models import Saisine, SaisineResponse
from participation.citizen.models import PublicConsultation
from tests import factories
from tests.conftest import login_as

SMALL_SIREN = "200006930"  # 10 communes
LARGE_SIREN = "200054807"  # Métropole d'Aix-Marseille-Provence, 92 communes

SMALL = replace(
    SCALES["small"],
    name="budget-10",
    sirens=(SMALL_SIREN,),
    saisines=3,
    meetings=3,
    proposals=10,
    supports=10,
    comments=10,
    citizens=10,
    calls=2,  # the first one decided, as in the large organisation
    applications=10,
    associations=10,
    jurors=2,
)
LARGE = replace(
    SMALL,
    name="budget-1000",
    sirens=(LARGE_SIREN,),
    saisines=12,  # 12 x 92 communes: about 1,100 targets and 900 answers
    meetings=4,
    calls=5,  # 1,000 applications over five yearly calls, as in a real AMI
    proposals=1_000,
    supports=2_000,
    comments=300,
    citizens=100,
    applications=1_000,
    # 500, not 1,000: SQLAlchemy's selectinload fetches related rows by 500 ids, so the pages
    # listing every association of the EPCI (admin list, partner suggestions, cooperation
    # network) take one more query per further 500 associations (a métropole has about 300)
    associations=500,
    jurors=4,
)


def _world(siren: str, host: str) -> dict:
    """The ids and accounts a page needs, read from what the generator made."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.siren == siren))
    org_services.add_host(org, host)
    db.session.commit()

    def user(role, **where):
        query = sa.select(User).join(Membership).where(User.organisation_id == org.id)
        query = query.where(Membership.role == role).filter_by(**where)
        return db.session.scalars(query.order_by(User.id).limit(1)).first()

    saisine = db.session.scalar(
        sa.select(Saisine.id)
        .where(Saisine.organisation_id == org.id)
        .join(SaisineResponse, SaisineResponse.saisine_id == Saisine.id)
        .group_by(Saisine.id)
        .order_by(sa.func.count(SaisineResponse.id).desc(), Saisine.id)
        .limit(1)
    )
    meeting = db.session.scalar(
        sa.select(Meeting.id)
        .where(Meeting.body.has(organisation_id=org.id))
        .where(Meeting.status == MeetingStatus.MINUTES_PUBLISHED)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    consultation = db.session.scalars(
        sa.select(PublicConsultation).where(PublicConsultation.organisation_id == org.id)
    ).first()
    call = db.session.scalar(
        sa.select(AmiCall.id).where(AmiCall.organisation_id == org.id).order_by(AmiCall.year)
    )
    application = db.session.scalar(
        sa.select(Application.id)
        .where(Application.call_id == call, Application.status == ApplicationStatus.ELIGIBLE)
        .order_by(Application.id)
        .limit(1)
    )
    juror = db.session.scalar(
        sa.select(User)
        .join(JuryMember, JuryMember.user_id == User.id)
        .where(JuryMember.call_id == call)
    )
    association = user(Role.ASSOCIATION_MEMBER)
    mayor = user(Role.MAYOR)
    citizen = factories.user(org, Role.CITIZEN)
    db.session.commit()
    return {
        "host": host,
        "admin": user(Role.ADMIN),
        "mayor": mayor,
        "insee": mayor.memberships[0].commune.insee_code,
        # a newcomer: an author of listed proposals would already be loaded with them
        "citizen": citizen,
        "juror": juror,
        "association_user": association,
        "association": association.memberships[0].association_id,
        "saisine": saisine,
        "meeting": meeting,
        "consultation": consultation.id,
        "slug": consultation.slug,
        "call": call,
        "application": application,
    }


#: (name, role, path): every list and dashboard page, as the person who sees it
PAGES = [
    ("home of the EPCI", "admin", "/"),
    ("home of a mayor", "mayor", "/"),
    ("members", "admin", "/admin/membres/"),
    ("communes", "admin", "/territoire/communes"),
    ("audit log", "admin", "/admin/journal/"),
    ("saisines of the EPCI", "admin", "/concertation/saisines/"),
    ("saisine dashboard", "admin", "/concertation/saisines/{saisine}"),
    ("saisine inbox of a commune", "mayor", "/concertation/communes/"),
    (
        "saisine results for a commune",
        "mayor",
        "/concertation/communes/{insee}/saisines/{saisine}/resultats",
    ),
    ("bodies", "admin", "/instances/"),
    ("meeting with votes (EPCI)", "admin", "/instances/seances/{meeting}"),
    ("bodies of a member", "mayor", "/mes-instances/"),
    ("meeting with votes (member)", "mayor", "/mes-instances/seances/{meeting}"),
    ("consultations", None, "/consultations/"),
    ("consultation's proposals", None, "/consultations/{slug}"),
    ("most supported proposals", None, "/consultations/{slug}?sort=supported"),
    ("searched proposals", None, "/consultations/{slug}?q=propose"),
    ("proposals as a citizen", "citizen", "/consultations/{slug}"),
    ("consultations of the EPCI", "admin", "/admin/consultations/"),
    ("consultation dashboard", "admin", "/admin/consultations/{consultation}"),
    ("proposals of the EPCI", "admin", "/admin/consultations/{consultation}/propositions"),
    ("moderation", "admin", "/consultations/moderation"),
    ("AMI calls of the EPCI", "admin", "/ami/gestion/"),
    ("applications of a call", "admin", "/ami/gestion/appels/{call}/candidatures"),
    ("jury ranking", "admin", "/ami/gestion/appels/{call}/deliberation"),
    ("jury of a call", "admin", "/ami/gestion/appels/{call}/jury"),
    ("hearings", "admin", "/ami/gestion/appels/{call}/auditions"),
    ("call statistics", "admin", "/ami/gestion/appels/{call}/statistiques"),
    ("AMI statistics", "admin", "/ami/gestion/statistiques"),
    ("associations", "admin", "/ami/gestion/associations"),
    ("scoring list of a juror", "juror", "/ami/jury/appels/{call}"),
    ("directory", "association_user", "/ami/annuaire"),
    ("partner suggestions", "association_user", "/ami/reseau/{association}/suggestions"),
    ("network home", "association_user", "/ami/reseau"),
    ("applications of an association", "association_user", "/ami/candidatures"),
    ("cooperation network", "admin", "/ami/gestion/reseau/cooperations"),
]


def _shape(statement: str) -> str:
    return re.sub(r"\((\?|%\(\w+\)s)(, (\?|%\(\w+\)s))*\)", "(...)", statement)[:160]


def _shapes(many: list[str], few: list[str]) -> list[str]:
    """The statements run more often with more rows (IN lists of any length alike)."""
    counts = Counter(_shape(s) for s in few)
    extra = Counter(_shape(s) for s in many)
    extra.subtract(counts)
    return [f"{n} x {shape}" for shape, n in extra.items() if n > 0]


def _count(app, world, role, path, count_queries) -> tuple[int, int]:
    client = app.test_client()
    if role is not None:
        login_as(client, world[role], host=world["host"])
    url = path.format(**world)
    with count_queries() as counter:
        response = client.get(url, base_url=f"http://{world['host']}")
    return response.status_code, counter.statements


@pytest.mark.slow
def test_list_and_dashboard_pages_take_as_many_queries_with_1000_rows_as_with_10(
    app, count_queries
):
    generate(SMALL, seed=3, echo=lambda _line: None)
    generate(LARGE, seed=3, echo=lambda _line: None)
    small = _world(SMALL_SIREN, "petite.test")
    large = _world(LARGE_SIREN, "grande.test")
    problems = []
    for name, role, path in PAGES:
        status_small, few = _count(app, small, role, path, count_queries)
        status_large, many = _count(app, large, role, path, count_queries)
        if status_small != 200 or status_large != 200:
            problems.append(f"{name}: HTTP {status_small} / {status_large}")
        elif len(many) > len(few):
            extra = "\n    ".join(_shapes(many, few))
            problems.append(
                f"{name}: {len(few)} queries with 10 rows, {len(many)} with 1,000\n    {extra}"
            )
    assert not problems, "\n".join(problems)
