"""Votes of the conseil de développement sent at the same moment, each member clicking twice:
one vote per member (the unique constraint decides), no error page, and the count is right.
The same form sent twice (its one-time token) counts once and says it was already recorded."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from app.db import db
from app.submissions import new_token
from participation.council.models import ContributionStatus, ContributionVote
from tests.concurrency import SENT_TWICE, post_at_once, run_together
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


# --- the same form sent twice: its one-time token -------------------------------------------

ALREADY_VOTED = "Vous avez déjà voté sur cette contribution."
ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"')


def _open_vote(client, login, org, people):  # noqa: F811
    contribution = _draft(org, people["author"])
    url = f"{BASE}/espace/contributions/{contribution.id}"
    login(client, people["president"])
    assert client.post(f"{url}/vote/ouverture", data={"submit": "1"}).status_code == 302
    return url


def test_the_same_vote_sent_twice_counts_once_and_says_so(client, login, org, people):  # noqa: F811
    url = _open_vote(client, login, org, people)
    login(client, people["member"])
    token = ONCE.search(client.get(url).text).group(1)
    first = client.post(f"{url}/vote", data={"choice": "for", "once": token})
    second = client.post(f"{url}/vote", data={"choice": "against", "once": token})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    landing = unescape(client.get(second.headers["Location"]).text)
    assert SENT_TWICE in landing and ALREADY_VOTED not in landing
    votes = db.session.scalars(select(ContributionVote)).all()
    assert [(v.user_id, v.choice.value) for v in votes] == [(people["member"].id, "for")]


def test_the_same_vote_double_clicked_at_once_counts_once_without_error(
    app,
    client,
    login,
    org,
    people,  # noqa: F811
):
    url = _open_vote(client, login, org, people)
    data = {"choice": "abstain", "once": new_token()}
    clients, results = post_at_once(app, login, people["bureau"], f"{url}/vote", data)
    pages = [unescape(one.get(results[0].headers["Location"]).text) for one in clients]
    assert sum(SENT_TWICE in page for page in pages) == 1
    assert not any(ALREADY_VOTED in page for page in pages)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ContributionVote.id))) == 1
