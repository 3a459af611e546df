"""Votes on a meeting's agenda item sent at the same moment, every voice clicked twice (A for
herself and by C's proxy, B for himself): one vote per member and item (the unique constraint
decides), no error page. The same form sent twice (its one-time token) counts once and says
that it was already recorded."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from app.db import db
from app.submissions import new_token
from app.submissions.models import SubmissionToken
from consultations.bodies.models import Vote, VoteChoice
from tests.concurrency import SENT_TWICE, post_at_once, run_together
from tests.consultations.test_bodies_member import (  # noqa: F401  (fixtures)
    _served_on_localhost,
    admin,
    group,
    live,
    mayors,
    meeting,
    seats,
)


def test_every_voice_double_clicked_at_once_counts_once(app, meeting, seats, live, login):  # noqa: F811
    a, b, c = seats[:3]
    url = f"/mes-instances/seances/{meeting.id}/points/{live.id}/vote"
    voices = [(a, a, "for"), (a, c, "against"), (b, b, "abstain")]
    calls = []
    for voter, seat, choice in voices:
        data = {"member_id": str(seat.id), "choice": choice}
        for _click in range(2):
            one = app.test_client()
            login(one, voter.user)
            calls.append(lambda one=one, data=data: one.post(url, data=data))

    results, failures = run_together(calls)

    assert not failures, failures[0]
    assert [r.status_code for r in results] == [302] * len(calls)
    db.session.expire_all()
    votes = {v.member_id: v.choice for v in db.session.scalars(select(Vote))}
    assert votes == {
        a.id: VoteChoice.FOR,
        c.id: VoteChoice.AGAINST,
        b.id: VoteChoice.ABSTAIN,
    }


# --- the same form sent twice: its one-time token -------------------------------------------

ALREADY_VOTED = "Ce vote est déjà enregistré"
ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"')


def _vote_forms(client, session) -> list[str]:
    """The tokens of the vote forms of the meeting page, one per voice."""
    return ONCE.findall(client.get(f"/mes-instances/seances/{session.id}").text)


def test_each_voice_s_form_has_its_own_token(client, meeting, seats, live, login):  # noqa: F811
    login(client, seats[0].user)
    tokens = _vote_forms(client, meeting)
    assert len(tokens) == 2 and len(set(tokens)) == 2  # her voice and C's, by proxy


def test_the_same_vote_sent_twice_counts_once_and_says_so(client, meeting, seats, live, login):  # noqa: F811
    a, c = seats[0], seats[2]
    login(client, a.user)
    own, proxy = _vote_forms(client, meeting)
    url = f"/mes-instances/seances/{meeting.id}/points/{live.id}/vote"
    data = {"member_id": str(a.id), "choice": "for", "once": own}
    first = client.post(url, data=data)
    second = client.post(url, data={**data, "choice": "against"})  # a change of mind: too late
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    landing = unescape(client.get(second.headers["Location"]).text)
    assert SENT_TWICE in landing and ALREADY_VOTED not in landing
    # the other form of the page (C's voice, by proxy) is not taken for a second copy
    assert client.post(url, data={"member_id": str(c.id), "choice": "abstain", "once": proxy})
    db.session.expire_all()
    votes = {v.member_id: v.choice for v in db.session.scalars(select(Vote))}
    assert votes == {a.id: VoteChoice.FOR, c.id: VoteChoice.ABSTAIN}


def test_the_same_vote_double_clicked_at_once_counts_once_without_error(
    app,
    meeting,  # noqa: F811
    seats,  # noqa: F811
    live,  # noqa: F811
    login,
):
    b = seats[1]
    url = f"/mes-instances/seances/{meeting.id}/points/{live.id}/vote"
    data = {"member_id": str(b.id), "choice": "against", "once": new_token()}
    clients, results = post_at_once(app, login, b.user, url, data)
    pages = [unescape(one.get(results[0].headers["Location"]).text) for one in clients]
    assert sum(SENT_TWICE in page for page in pages) == 1
    assert not any(ALREADY_VOTED in page for page in pages)
    db.session.expire_all()
    assert [v.choice for v in db.session.scalars(select(Vote))] == [VoteChoice.AGAINST]
    assert db.session.scalar(select(func.count(SubmissionToken.id))) == 1
