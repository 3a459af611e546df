"""Double clicks on the mayors' mailbox: the question form carries a one-time token, so the
same question sent twice, one after the other or at the same moment, is one question."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from app.db import db
from app.organisations.services import add_host
from app.submissions import new_token
from app.users.models import Role
from consultations.mailbox.models import Message
from tests import factories
from tests.concurrency import SENT_TWICE, post_at_once

BASE = "/concertation/boite-aux-lettres"


@pytest.fixture
def mayor(org):
    add_host(org, "localhost")
    db.session.commit()
    return factories.user(org, Role.MAYOR, commune="62510", name="Maire de Liévin")


def _questions() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Message.id)))


def test_the_question_form_carries_a_one_time_token(client, mayor, login):
    login(client, mayor)
    assert 'name="once" type="hidden"' in client.get(f"{BASE}/nouvelle").text


def test_the_same_question_sent_twice_is_one_question(client, mayor, login):
    login(client, mayor)
    data = {"subject": "Éclairage public", "body": "Éteint.", "once": new_token()}
    first = client.post(f"{BASE}/nouvelle", data=data)
    second = client.post(f"{BASE}/nouvelle", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert _questions() == 1
    assert SENT_TWICE in unescape(client.get(second.headers["Location"]).text)


def test_a_double_click_at_the_same_moment_is_one_question(app, mayor, login):
    data = {"subject": "Voirie", "body": "Nid de poule.", "once": new_token()}
    post_at_once(app, login, mayor, f"{BASE}/nouvelle", data)
    assert _questions() == 1
