"""Demo conseil de développement: six members with a president and a bureau, a referral of the
EPCI, a contribution co-written in three versions, adopted, transmitted and answered, and an
auto-saisine with a draft in progress."""

from __future__ import annotations

from datetime import time, timedelta

from flask import current_app
from sqlalchemy import select

from app.db import db, utcnow
from app.demo import DEMO_PASSWORD, DOMAIN, demo_step
from app.users import services as user_services
from app.users.models import Membership, Role, User
from app.voting import VoteChoice
from participation.council import queries, rules, services
from participation.council.models import Referral, ReferralKind

REFERRAL_TITLE = "Projet de territoire 2030 : mobilités du quotidien"
MEMBERS = [
    ("codev.president", "Martine Lefebvre (présidente)"),
    ("codev.bureau", "Karim Benali (bureau)"),
    ("codev.asso", "Sophie Delattre (associations)"),
    ("codev.entreprises", "Julien Caron (entreprises)"),
    ("codev.jeunesse", "Inès Maréchal (jeunesse)"),
]
VERSIONS = [
    (
        "<p>Le conseil de développement salue l'ambition du projet de territoire.</p>",
        "Première version",
    ),
    (
        "<p>Le conseil de développement salue l'ambition du projet de territoire.</p>"
        "<p>Il demande un plan de rabattement vers les gares de Lens et de Liévin.</p>",
        "Ajout des gares",
    ),
    (
        "<p>Le conseil de développement salue l'ambition du projet de territoire.</p>"
        "<p>Il demande un plan de rabattement vers les gares de Lens et de Liévin, et des "
        "horaires de bus adaptés au travail posté.</p>"
        "<ul><li>pistes cyclables entre les cités minières ;</li>"
        "<li>tarification solidaire étendue aux apprentis.</li></ul>",
        "Propositions de la commission jeunesse",
    ),
]


def _person(org, local: str, name: str) -> User:
    email = f"{local}@{DOMAIN}"
    user = user_services.find_user(org, email)
    if user is None:
        user = user_services.create_user(org, email, name, password=DEMO_PASSWORD)
    if not user.has_role(Role.DEVELOPMENT_COUNCIL_MEMBER):
        user_services.add_role(None, user, Role.DEVELOPMENT_COUNCIL_MEMBER)
    return user


def _admin(org) -> User:
    return db.session.scalar(
        select(User)
        .join(Membership)
        .where(User.organisation_id == org.id, Membership.role == Role.ADMIN)
        .order_by(User.id)
    )


@demo_step
def demo_council(org) -> None:
    codev = _person(org, "codev", "Membre du conseil de développement")
    people = [_person(org, local, name) for local, name in MEMBERS]
    done = db.session.scalar(
        select(Referral.id).where(
            Referral.organisation_id == org.id, Referral.title == REFERRAL_TITLE
        )
    )
    if done is not None:
        return
    admin = _admin(org)
    president, bureau, *others = people
    now = utcnow()
    start = now - timedelta(days=75)
    with current_app.test_request_context():
        services.set_offices(admin, org, president, [bureau])
        referral = services.create_referral(
            admin,
            org,
            ReferralKind.REFERRAL,
            services.ReferralData(
                title=REFERRAL_TITLE,
                description="<p>L'agglomération révise son projet de territoire et souhaite "
                "l'avis du conseil de développement sur les mobilités du quotidien.</p>",
                deadline=rules.paris_to_utc(rules.paris_date(start) + timedelta(days=30), time(18)),
            ),
        )
        referral.created_at = start
        authors = [president, codev, others[0]]
        text, note = VERSIONS[0]
        contribution = services.start_contribution(
            president, org, "Avis sur les mobilités du quotidien", text, referral, note
        )
        for author in authors[1:]:
            services.add_author(president, contribution, author)
        for author, (text, note) in zip(authors[1:], VERSIONS[1:], strict=True):
            services.save_text(
                author, contribution, contribution.title, text, note, contribution.lock_version
            )
        contribution.created_at = start + timedelta(days=2)
        for version in contribution.versions:
            version.created_at = start + timedelta(days=2 + 5 * version.number)
        services.open_vote(president, contribution, start + timedelta(days=20))
        voters = queries.members_of(org)
        for index, member in enumerate(voters):
            choice = (
                VoteChoice.AGAINST
                if index == 1
                else VoteChoice.ABSTAIN
                if index == 2
                else VoteChoice.FOR
            )
            services.cast_vote(member, contribution, choice, start + timedelta(days=21))
        services.close_vote(president, contribution, start + timedelta(days=25))
        services.transmit(bureau, contribution, start + timedelta(days=26))
        services.answer_follow_up(
            admin,
            contribution,
            "<p>Le plan de rabattement vers les gares est inscrit au plan de mobilité 2026.</p>",
            "<p>La tarification solidaire relève du syndicat des transports : l'agglomération "
            "lui transmet la demande.</p>",
            start + timedelta(days=50),
        )
        own = services.create_referral(
            president,
            org,
            ReferralKind.OWN_INITIATIVE,
            services.ReferralData(
                title="Accès aux soins dans les communes rurales",
                description="<p>Le conseil se saisit de la désertification médicale.</p>",
                deadline=None,
            ),
        )
        services.start_contribution(
            others[1], org, "Premières pistes sur l'accès aux soins", "<p>À compléter.</p>", own
        )
    db.session.flush()
