"""A small world for the decision path: an admin, people of other roles, one consultation of
each kind (open or ended) and helpers to build dossiers through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from app.db import db, utcnow
from app.organisations.services import add_host
from app.users.models import Role
from decisions import services
from decisions.models import DecisionStage
from tests import factories


@pytest.fixture
def admin(org):
    add_host(org, "localhost")
    db.session.commit()
    return factories.user(org, Role.ADMIN, name="Agente Dupont", email="agent@epci.fr")


@pytest.fixture
def vp(org):
    return factories.user(org, Role.VICE_PRESIDENT, name="Élue Martin")


def dossier_data(title="Schéma de mutualisation", public=True, commission="Ressources", **kw):
    values = {
        "title": title,
        "summary": "<p>Mutualiser les services.</p>",
        "lead_user_id": None,
        "lead_name": "Vice-président ressources",
        "commission": commission,
        "public": public,
    }
    values.update(kw)
    return services.DossierData(**values)


def make_dossier(org, admin, stage=DecisionStage.IMPULSE, **kw):
    dossier = services.create_dossier(admin, org, dossier_data(**kw), [])
    order = [DecisionStage.WORK, DecisionStage.CONSULTATION, DecisionStage.PRE_VALIDATION]
    for target in order:
        if dossier.stage == stage:
            break
        services.move_stage(admin, org, dossier, target)
    db.session.commit()
    return dossier


@pytest.fixture
def closed_saisine(org, admin):
    from consultations.saisines import services as saisine_services

    saisine = factories.saisine(org, admin, opens_in=-20, deadline_in=-1, silence="favourable")
    with current_app.test_request_context():
        saisine_services.close_saisine(saisine, utcnow())
    db.session.commit()
    return saisine


@pytest.fixture
def open_saisine(org, admin):
    return factories.saisine(org, admin, deadline_in=10)


@pytest.fixture
def agenda_item(org, admin):
    from consultations.bodies import services as body_services

    with current_app.test_request_context():
        conference = body_services.ensure_mayors_conference(admin, org)
    db.session.commit()
    meeting = factories.meeting(
        conference, admin, items=[{"title": "Avis sur le schéma", "vote": True}]
    )
    return meeting.items[0]


@pytest.fixture
def referral(org, admin):
    from participation.council import services as council_services
    from participation.council.models import ReferralKind

    with current_app.test_request_context():
        created = council_services.create_referral(
            admin,
            org,
            ReferralKind.REFERRAL,
            council_services.ReferralData(
                "Projet de territoire", "<p>Avis ?</p>", utcnow() - timedelta(days=1)
            ),
        )
    db.session.commit()
    return created


@pytest.fixture
def ended_consultation(org):
    return factories.consultation(org, title="Bords de la Souchez", phase="feedback")
