"""The deliberation's ranking reads columns and sums scores in SQL (a read model): it must give
exactly what the ORM computation gives (every application loaded with its partners and QPVs,
every score in Python) on a generated call with bonuses, conflicts, partial scores and
decisions."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from ami import rules
from ami.models import (
    Application,
    ApplicationStatus,
    BonusKind,
    BonusRule,
    Decision,
    InterestDeclaration,
    Outcome,
    Score,
    Track,
)
from ami.services import decisions as services
from app.db import db, utcnow
from tests.ami import factories as ami


def _orm_ranking(call):
    """The computation before the read model: ORM applications, every score in Python."""
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status == ApplicationStatus.ELIGIBLE)
            .order_by(Application.number, Application.id)
        )
    )
    ids = [a.id for a in applications]
    scores = db.session.execute(
        select(Score.application_id, Score.jury_member_id, Score.criterion_id, Score.value).where(
            Score.application_id.in_(ids)
        )
    ).all()
    weights = {c.id: c.weight for c in call.criteria}
    return [
        (r.application.id, r.mean, r.spread, r.scorers, rules.funding(call, r.application))
        for r in rules.rank(applications, scores, weights)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_read_model_ranking_equals_the_orm_computation(org, seed):
    rng = random.Random(seed)
    call = ami.call(org, open_=False)
    call.bonus_rules.append(BonusRule(kind=BonusKind.QPV_COUNT, label="QPV", rate=70, threshold=2))
    call.bonus_rules.append(
        BonusRule(kind=BonusKind.THEME, label="Santé", rate=75, theme_id=call.themes[2].id)
    )
    db.session.commit()
    qpvs = [ami.qpv(org, f"QPV {seed}-{i}") for i in range(4)]
    associations = [ami.association_member(org)[0] for _ in range(6)]
    seats = [ami.jury_member(call) for _ in range(4)]
    applications = []
    for n in range(24):
        applications.append(
            ami.application(
                call,
                rng.choice(associations),
                status=rng.choice(
                    [ApplicationStatus.ELIGIBLE] * 4 + [ApplicationStatus.INELIGIBLE]
                ),
                theme=rng.choice(call.themes),
                track=rng.choice([Track.STANDARD, Track.BLANK_PAGE]),
                budget_total_cents=rng.randrange(100_000, 5_000_000),
                requested_cents=rng.randrange(50_000, 2_000_000),
                women_share=rng.randrange(0, 101),
                qpvs=rng.sample(qpvs, rng.randrange(0, 4)),
                partners=rng.sample(associations, rng.randrange(0, 3)),
                title=f"Action {seed}-{n}",
            )
        )
    for application in applications:
        for seat in seats:
            if rng.random() < 0.2:
                continue
            db.session.add(
                InterestDeclaration(
                    jury_member_id=seat.id,
                    application_id=application.id,
                    conflict_of_interest=rng.random() < 0.1,
                    declared_at=utcnow(),
                )
            )
            for criterion in call.criteria:
                if rng.random() < 0.8:
                    db.session.add(
                        Score(
                            jury_member_id=seat.id,
                            application_id=application.id,
                            criterion_id=criterion.id,
                            value=rng.randrange(0, 6),
                            scored_at=utcnow(),
                        )
                    )
        if rng.random() < 0.3:
            db.session.add(
                Decision(
                    application_id=application.id,
                    outcome=Outcome.FUNDED,
                    granted_cents=rng.randrange(0, 100_000),
                )
            )
    db.session.commit()
    db.session.expire_all()

    rows = services.ranking(call)
    expected = _orm_ranking(call)
    got = [
        (r.application.id, r.ranked.mean, r.ranked.spread, r.ranked.scorers, r.funding)
        for r in rows
    ]
    assert [g[0] for g in got] == [e[0] for e in expected]
    for (gid, gmean, gspread, gscorers, gfunding), (_e, mean, spread, scorers, funding) in zip(
        got, expected, strict=True
    ):
        assert gmean == pytest.approx(mean) if mean is not None else gmean is None
        assert gspread == pytest.approx(spread) if spread is not None else gspread is None
        assert (gscorers, gfunding) == (scorers, funding), gid
    by_id = {a.id: a for a in applications}
    for row in rows:
        application = by_id[row.application.id]
        assert row.application.title == application.title
        assert row.application.association_name == application.association.name
        assert row.application.requested_cents == application.requested_cents
        conflicts = db.session.scalars(
            select(InterestDeclaration).where(
                InterestDeclaration.application_id == application.id,
                InterestDeclaration.conflict_of_interest.is_(True),
            )
        ).all()
        assert row.conflicts == len(conflicts)
        assert row.eligible_jurors == len(seats) - len(conflicts)
        decision = application.decision
        if decision is None:
            assert row.application.decision is None
        else:
            assert row.application.decision.outcome == decision.outcome
            assert row.application.decision.granted_cents == decision.granted_cents
