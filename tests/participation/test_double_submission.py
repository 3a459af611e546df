"""Double clicks: the proposal and comment forms carry a one-time token, so the same POST sent
twice, one after the other or at the same moment, creates one object; the second copy lands on
the first one's result."""

from __future__ import annotations

import re
from html import unescape

import pytest

from app.db import db
from app.submissions import new_token
from app.submissions.models import SubmissionToken
from participation.citizen.models import Comment, Proposal, Support
from tests import factories
from tests.concurrency import SENT_TWICE, post_at_once
from tests.participation.test_consultations_public import (
    count,
    page_of,
    participant,
    proposal,
    proposal_url,
)


def _token(html: str) -> str:
    return re.search(r'name="once" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def citizen(client, org, login):
    person = participant(org)
    login(client, person)
    return person


def test_the_proposal_form_carries_a_fresh_token_each_time(client, org, citizen):
    c = factories.consultation(org)
    first = _token(client.get(f"{page_of(c)}/proposer").text)
    second = _token(client.get(f"{page_of(c)}/proposer").text)
    assert first != second and len(first) >= 40


def test_the_same_proposal_sent_twice_is_created_once(client, org, citizen):
    c = factories.consultation(org)
    token = _token(client.get(f"{page_of(c)}/proposer").text)
    data = {"title": "Des arceaux à vélo", "body": "Devant la mairie.", "once": token}
    first = client.post(f"{page_of(c)}/proposer", data=data)
    second = client.post(f"{page_of(c)}/proposer", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert count(Proposal) == 1
    landing = client.get(second.headers["Location"])
    assert SENT_TWICE in unescape(landing.text)


def test_two_proposals_with_their_own_tokens_are_both_created(client, org, citizen):
    c = factories.consultation(org)
    for title in ("Des arceaux à vélo", "Un banc"):
        sent = client.post(
            f"{page_of(c)}/proposer", data={"title": title, "body": "Texte.", "once": new_token()}
        )
        assert sent.status_code == 302
    assert count(Proposal) == 2


def test_a_refused_proposal_keeps_its_token_and_is_created_once_corrected(client, org, citizen):
    c = factories.consultation(org)
    token = new_token()
    refused = client.post(f"{page_of(c)}/proposer", data={"title": "", "once": token})
    assert refused.status_code == 200 and _token(refused.text) == token
    data = {"title": "Corrigée", "body": "Texte.", "once": token}
    assert client.post(f"{page_of(c)}/proposer", data=data).status_code == 302
    assert count(Proposal) == 1


def test_a_token_is_honoured_only_for_the_person_who_sent_it(client, org, citizen, login):
    c = factories.consultation(org)
    token = new_token()
    data = {"title": "La mienne", "body": "Texte.", "once": token}
    assert client.post(f"{page_of(c)}/proposer", data=data).status_code == 302
    login(client, participant(org))
    other = client.post(f"{page_of(c)}/proposer", data={**data, "title": "La sienne"})
    assert other.status_code == 302
    assert count(Proposal) == 2  # another person's token is ignored, not replayed
    assert SENT_TWICE not in unescape(client.get(other.headers["Location"]).text)


def test_a_double_click_at_the_same_moment_makes_one_proposal_and_no_error(app, org, login):
    c = factories.consultation(org)
    person = participant(org)
    data = {"title": "Double clic", "body": "Texte.", "once": new_token()}
    _clients, results = post_at_once(app, login, person, f"{page_of(c)}/proposer", data)
    assert results[0].headers["Location"] == results[1].headers["Location"]
    assert count(Proposal) == 1 and count(SubmissionToken) == 1


def test_the_same_comment_sent_twice_is_created_once(client, org, citizen):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    page = client.get(proposal_url(c, p)).text
    data = {"body": "Bonne idée.", "once": _token(page)}
    first = client.post(f"{proposal_url(c, p)}/commentaires", data=data)
    second = client.post(f"{proposal_url(c, p)}/commentaires", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert count(Comment) == 1


def test_a_double_click_on_a_comment_at_the_same_moment_makes_one_comment(app, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    person = participant(org)
    data = {"body": "Double clic.", "once": new_token()}
    post_at_once(app, login, person, f"{proposal_url(c, p)}/commentaires", data)
    assert count(Comment) == 1


def test_supports_need_no_token_the_unique_constraint_makes_a_double_click_one_support(
    app, org, login
):
    """The support button is a toggle with nothing typed: one support per person and proposal
    (the unique constraint) already makes the second copy harmless, and it says so kindly."""
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    person = participant(org)
    clients, _results = post_at_once(app, login, person, f"{proposal_url(c, p)}/soutien")
    pages = [unescape(one.get(proposal_url(c, p)).text) for one in clients]
    assert sum("Merci pour votre soutien !" in page for page in pages) == 1
    assert sum("Vous soutenez déjà cette proposition." in page for page in pages) == 1
    assert count(Support) == 1
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).support_count == 1
