"""Votes of the conseil de développement sent at the same moment, each member clicking twice:
one vote per member (the unique constraint decides), no error page, and the count is right."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from participation.council.models import ContributionStatus, ContributionVote
from tests.consultations.test_saisine_concurrency import run_together
from tests.participation.test_council import BASE, _draft, admin, people  # noqa: F401

CHOICES = {"president": "for", "author": "for", "member": "against", "bureau": "abstain"}


def test_members_double_clicking_their_votes_at_once_count_once_each(
    app,
    client,
    login,
    org,
    people,  # noqa: F811
):
    contribution = _draft(org, people["author"])
    url = f"{BASE}/espace/contributions/{contribution.id}"
    login(client, people["president"])
    assert client.post(f"{url}/vote/ouverture", data={"submit": "1"}).status_code == 302
    calls = []
    for who, choice in CHOICES.items():
        for _click in range(2):
            one = app.test_client()
            login(one, people[who])
            calls.append(
                lambda one=one, choice=choice: one.post(f"{url}/vote", data={"choice": choice})
            )

    results, failures = run_together(calls)

    assert not failures, failures[0]
    assert [r.status_code for r in results] == [302] * len(calls)
    db.session.expire_all()
    votes = db.session.scalars(select(ContributionVote)).all()
    assert len(votes) == len(CHOICES)
    assert {v.user_id: v.choice.value for v in votes} == {
        people[who].id: choice for who, choice in CHOICES.items()
    }
    assert client.post(f"{url}/vote/cloture", data={"submit": "1"}).status_code == 302
    db.session.refresh(contribution)
    assert contribution.status is ContributionStatus.ADOPTED
    assert (contribution.votes_for, contribution.votes_against, contribution.votes_abstain) == (
        2,
        1,
        1,
    )
    assert db.session.scalar(select(func.count(ContributionVote.id))) == 4
