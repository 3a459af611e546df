"""The decision path's demo: a decided dossier whose timeline shows a saisine of the communes,
the conférence des maires' opinion and the conseil de développement's contribution."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.organisations.services import add_host
from app.users.models import Role
from consultations.bodies.demo import demo_bodies
from consultations.saisines.demo import demo_saisines
from decisions import queries
from decisions.demo import DECIDED, IN_CONSULTATION, demo_decisions
from decisions.models import DecisionStage, Dossier, StageMove
from participation.council.demo import demo_council
from tests import factories


def _demo(org):
    demo_saisines(org)
    demo_bodies(org)
    demo_council(org)
    demo_decisions(org)
    db.session.commit()


def test_the_demo_has_a_decided_dossier_prepared_by_three_consultations(client, org):
    add_host(org, "localhost")
    factories.user(org, Role.ADMIN)
    factories.user(org, Role.VICE_PRESIDENT, name="Vice-présidente mutualisation")
    factories.mayors(org)
    _demo(org)
    decided = db.session.scalar(select(Dossier).where(Dossier.title == DECIDED))
    assert decided.stage is DecisionStage.DECISION and decided.closed_at is not None
    assert decided.public and decided.deliberation is not None
    entries = {i.entry.kind: i.entry for i in queries.timeline(decided) if i.entry}
    assert set(entries) == {"saisine", "agenda_item", "council_referral"}
    assert not any(e.is_open for e in entries.values())
    assert entries["saisine"].counts["answers"] > 0
    assert entries["agenda_item"].kind_label == "Conférence des maires"
    assert entries["agenda_item"].counts["for"] > 0
    assert entries["council_referral"].counts["transmitted"] == 1
    pcaet = db.session.scalar(select(Dossier).where(Dossier.title == IN_CONSULTATION))
    assert pcaet.stage is DecisionStage.CONSULTATION and pcaet.closed_at is None
    page = client.get(f"/decisions/{decided.id}").get_data(as_text=True)
    assert "Cette décision a été préparée par :" in page
    assert "Conférence des maires" in page and "Conseil de développement" in page
    assert "Saisine des communes" in page and "avis tacites" in page  # results published
    assert "Résultat pas encore rendu public" not in page
    moves = db.session.scalar(select(func.count(StageMove.id)))
    demo_decisions(org)  # idempotent
    db.session.commit()
    assert db.session.scalar(select(func.count(Dossier.id))) == 2
    assert db.session.scalar(select(func.count(StageMove.id))) == moves
