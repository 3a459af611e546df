"""The AMI's demo: the 2021 call as told by the CA de Lens-Liévin's experience sheet, and an
open call the demo association can apply to."""

from __future__ import annotations

from sqlalchemy import func, select

from ami import demo_data
from ami.demo import demo_ami
from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    Association,
    Decision,
    Hearing,
    InterestDeclaration,
    JuryMember,
    Outcome,
    Qpv,
    Score,
    Theme,
)
from app.db import db, utcnow


def _call(org, title):
    return db.session.scalar(
        select(AmiCall).where(AmiCall.organisation_id == org.id, AmiCall.title == title)
    )


def _counts():
    tables = (AmiCall, Application, Association, Decision, Score, Qpv, Theme, JuryMember)
    return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in tables}


def test_the_2021_call_matches_the_experience_sheet(org):
    demo_ami(org)
    db.session.commit()
    call = _call(org, demo_data.CALL_2021_TITLE)
    assert call is not None and call.year == 2021
    assert [t.name for t in call.themes] == list(demo_data.THEMES)
    applications = db.session.scalars(
        select(Application).where(Application.call_id == call.id)
    ).all()
    assert len(applications) == 28
    assert all(a.status is not ApplicationStatus.DRAFT for a in applications)
    statuses = [a.status for a in applications]
    assert statuses.count(ApplicationStatus.ELIGIBLE) == 26
    ineligible = [a for a in applications if a.status is ApplicationStatus.INELIGIBLE]
    assert len(ineligible) == 2 and all(a.eligibility_reason for a in ineligible)
    funded = [
        a.decision for a in applications if a.decision and a.decision.outcome is Outcome.FUNDED
    ]
    assert len(funded) == 9
    assert sum(d.granted_cents for d in funded) == 10_649_100
    assert sum(d.co_funded_cents for d in funded) == 700_000
    assert all(d.granted_cents <= 2_000_000 for d in funded)
    assert all(a.decision.notified_at for a in applications if a.decision)
    assert sum(1 for a in applications if a.city_contract_year == 2022) == 5
    assert call.deliberation_opened_at is not None
    demo_association = db.session.scalar(
        select(Association).where(Association.name == demo_data.DEMO_ASSOCIATION)
    )
    assert any(a.association_id == demo_association.id for a in applications)
    hearings = db.session.scalars(select(Hearing).where(Hearing.call_id == call.id)).all()
    assert hearings and all(2 <= len(h.applications) <= 4 for h in hearings)
    assert all(a.hearing_id for a in applications if a.status is ApplicationStatus.ELIGIBLE)


def test_the_jury_scored_without_conflicts(org):
    demo_ami(org)
    db.session.commit()
    call = _call(org, demo_data.CALL_2021_TITLE)
    members = db.session.scalars(select(JuryMember).where(JuryMember.call_id == call.id)).all()
    assert len(members) == 6 and len({m.college for m in members}) == 6
    assert "jury@demo.concerto.fr" in {m.user.email for m in members}
    assert db.session.scalar(select(func.count(Score.id))) > 0
    conflicts = db.session.scalars(
        select(InterestDeclaration).where(InterestDeclaration.conflict_of_interest.is_(True))
    ).all()
    assert len(conflicts) == 1
    for declaration in conflicts:
        scored = db.session.scalar(
            select(func.count(Score.id)).where(
                Score.jury_member_id == declaration.jury_member_id,
                Score.application_id == declaration.application_id,
            )
        )
        assert scored == 0
    eligible = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.call_id == call.id, Application.status == ApplicationStatus.ELIGIBLE
        )
    )
    scores = db.session.scalar(select(func.count(Score.id)))
    assert scores == (6 * eligible - 1) * len(call.criteria)


def test_the_open_call_accepts_applications_now(org):
    demo_ami(org)
    db.session.commit()
    now = utcnow()
    call = _call(org, f"AMI cohésion sociale {now.year}")
    assert call is not None and call.published_at is not None
    assert call.opens_at <= now < call.closes_at
    demo_association = db.session.scalar(
        select(Association).where(Association.name == demo_data.DEMO_ASSOCIATION)
    )
    mine = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.call_id == call.id, Application.association_id == demo_association.id
        )
    )
    assert mine == 0
    assert len(call.criteria) == 5 and len(call.bonus_rules) == 2


def test_qpvs_are_tied_to_their_communes(org):
    demo_ami(org)
    db.session.commit()
    qpvs = db.session.scalars(select(Qpv).where(Qpv.organisation_id == org.id)).all()
    assert len(qpvs) == 8 and all(q.commune is not None for q in qpvs)
    lievin = next(q for q in qpvs if q.name == "Cité Saint-Albert — Liévin")
    assert lievin.commune.insee_code == "62510"
    associations = db.session.scalars(select(Association)).all()
    assert len(associations) >= 30
    assert all(a.rna_number and a.rna_number.startswith("W62") for a in associations)


def test_running_the_demo_twice_adds_nothing(org):
    demo_ami(org)
    db.session.commit()
    before = _counts()
    demo_ami(org)
    db.session.commit()
    assert _counts() == before
