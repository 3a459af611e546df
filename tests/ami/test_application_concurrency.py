"""Applications submitted at the same moment: a double click on « Déposer » makes one
submission with one receipt, and associations submitting together each get their own number.
The same form sent twice (its one-time token) lands on the dossier with a word that it was
already recorded, not an error."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from ami.models import Application, ApplicationStatus
from app.db import db
from app.mail.models import OutboxEmail
from app.submissions import new_token
from app.submissions.models import SubmissionToken
from tests.ami import factories as ami
from tests.ami.test_applications import _complete, draft, submit_url, world  # noqa: F401
from tests.concurrency import SENT_TWICE, post_at_once, run_together


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


# --- the same form sent twice: its one-time token -------------------------------------------

NOT_DRAFT = "Ce dossier a été déposé : il ne peut plus être modifié."
ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"')


def test_the_submit_button_carries_a_fresh_token(client, world, login):  # noqa: F811
    application = _complete(world["application"])
    login(client, world["person"])
    page = f"/ami/candidatures/{application.id}"
    first, second = (ONCE.search(client.get(page).text).group(1) for _ in range(2))
    assert first != second and len(first) >= 40
    assert ONCE.search(client.get(f"{page}/modifier").text)


def test_the_same_submission_sent_twice_is_one_submission_and_says_so(client, world, login):  # noqa: F811
    application = _complete(world["application"])
    login(client, world["person"])
    data = {"submit": "1", "once": new_token()}
    first = client.post(submit_url(application), data=data)
    second = client.post(submit_url(application), data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    landing = unescape(client.get(second.headers["Location"]).text)
    assert SENT_TWICE in landing and NOT_DRAFT not in landing
    db.session.expire_all()
    assert db.session.get(Application, application.id).number == "AMI-2026-001"
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 1


def test_the_same_submission_double_clicked_at_once_says_so_without_error(app, world, login):  # noqa: F811
    application = _complete(world["application"])
    data = {"submit": "1", "once": new_token()}
    clients, results = post_at_once(app, login, world["person"], submit_url(application), data)
    pages = [unescape(one.get(results[0].headers["Location"]).text) for one in clients]
    assert sum(SENT_TWICE in page for page in pages) == 1
    assert not any(NOT_DRAFT in page for page in pages)
    db.session.expire_all()
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 1
    assert db.session.scalar(select(func.count(SubmissionToken.id))) == 1
