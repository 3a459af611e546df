"""Applications submitted at the same moment: a double click on « Déposer » makes one
submission with one receipt, and associations submitting together each get their own number."""

from __future__ import annotations

from sqlalchemy import select

from ami.models import Application, ApplicationStatus
from app.db import db
from app.mail.models import OutboxEmail
from tests.ami import factories as ami
from tests.ami.test_applications import _complete, draft, submit_url, world  # noqa: F401
from tests.consultations.test_saisine_concurrency import run_together


def _clicks(app, login, person, url, times):
    calls = []
    for _click in range(times):
        one = app.test_client()
        login(one, person)
        calls.append(lambda one=one: one.post(url, data={"submit": "1"}))
    return calls


def test_a_double_click_on_submit_makes_one_submission_and_one_receipt(app, world, login):  # noqa: F811
    application = _complete(world["application"])
    results, failures = run_together(
        _clicks(app, login, world["person"], submit_url(application), 2)
    )
    assert not failures, failures[0]
    assert [r.status_code for r in results] == [302, 302]
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.status is ApplicationStatus.SUBMITTED and saved.number
    receipts = db.session.scalars(select(OutboxEmail)).all()
    assert len(receipts) == 1


def test_associations_submitting_together_each_get_their_own_number(app, org, world, login):  # noqa: F811
    calls, ids = [], []
    for n in range(6):
        association, person = ami.association_member(org, f"Association {n}")
        application = _complete(draft(org, world["call"], association))
        ids.append(application.id)
        calls.extend(_clicks(app, login, person, submit_url(application), 1))
    results, failures = run_together(calls)
    assert not failures, failures[0]
    assert [r.status_code for r in results] == [302] * len(calls)
    db.session.expire_all()
    saved = db.session.scalars(select(Application).where(Application.id.in_(ids))).all()
    assert all(a.status is ApplicationStatus.SUBMITTED for a in saved)
    assert len({a.number for a in saved}) == len(ids)
