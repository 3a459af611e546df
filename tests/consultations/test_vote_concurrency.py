"""Votes on a meeting's agenda item sent at the same moment, every voice clicked twice (A for
herself and by C's proxy, B for himself): one vote per member and item (the unique constraint
decides), no error page."""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from consultations.bodies.models import Vote, VoteChoice
from tests.consultations.test_bodies_member import (  # noqa: F401  (fixtures)
    _served_on_localhost,
    admin,
    group,
    live,
    mayors,
    meeting,
    seats,
)
from tests.consultations.test_saisine_concurrency import run_together


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
