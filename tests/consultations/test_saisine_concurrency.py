"""Answers submitted at the same moment: none is lost, none silently overwrites another.

The same form sent twice (its one-time token: a double click on « Signer ») signs once, with one
receipt, and says that it was already recorded rather than « edited meanwhile ».

Every thread has its own test client; each request runs in its own application context and
database session (FreshContextClient), as it would in its own worker in production.
"""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from sqlalchemy import func, select

from app.db import db
from app.mail.models import OutboxEmail
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.submissions import new_token
from app.submissions.models import SubmissionToken
from app.users.models import Role
from consultations.saisines import queries
from consultations.saisines.models import (
    ResponseStatus,
    ResponseVersion,
    SaisineResponse,
)
from tests import factories
from tests.concurrency import SENT_TWICE, run_together

AIX_MARSEILLE = "200054807"
HOST = "amp.test"
LIEVIN = "62510"
RECEIPT = "Accusé de réception"
EDITED_MEANWHILE = "a enregistré cette réponse pendant que vous la modifiiez"


def test_92_mayors_submitting_in_the_same_minute_lose_no_answer(app, login):
    org = factories.organisation(AIX_MARSEILLE, host=HOST)
    communes = sorted(org.communes, key=lambda c: c.insee_code)
    assert len(communes) == 92
    mayors = {c.insee_code: factories.user(org, Role.MAYOR, commune=c.insee_code) for c in communes}
    # the deadline is ten minutes away
    saisine = factories.saisine(org, kind="opinion", deadline_in=10 / (24 * 60))
    saisine_id = saisine.id
    emails = {insee: mayor.email for insee, mayor in mayors.items()}

    def submission(insee):
        client = app.test_client()
        login(client, mayors[insee], host=HOST)

        def call():
            response = client.post(
                f"/concertation/communes/{insee}/saisines/{saisine_id}",
                base_url=f"http://{HOST}",
                data={"opinion": "favorable", "sign": "1", "lock_version": ""},
            )
            return response.status_code, response.headers.get("Location", "")

        return call

    calls = [submission(insee) for insee in emails]  # clients logged in before any thread
    started = time.monotonic()
    results, failures = run_together(calls)
    elapsed = time.monotonic() - started

    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures[:3])
    statuses = [status for status, _location in results]
    assert statuses == [302] * 92, statuses
    assert all(f"/saisines/{saisine_id}" in location for _status, location in results)
    assert elapsed < 30, f"92 submissions took {elapsed:.1f} s"

    db.session.expire_all()
    submitted = db.session.scalars(
        select(SaisineResponse).where(SaisineResponse.saisine_id == saisine_id)
    ).all()
    assert len(submitted) == 92
    assert all(r.status is ResponseStatus.SUBMITTED for r in submitted)
    assert {r.commune_id for r in submitted} == {c.id for c in communes}
    by_commune = {c.id: c.insee_code for c in communes}
    assert all(r.submitted_by_id == mayors[by_commune[r.commune_id]].id for r in submitted)
    assert all(r.signed_as == "mayor" for r in submitted)
    versions = db.session.scalars(
        select(ResponseVersion)
        .join(SaisineResponse)
        .where(SaisineResponse.saisine_id == saisine_id)
    ).all()
    assert len(versions) == 92 and {v.number for v in versions} == {1}

    receipts = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.subject.startswith(RECEIPT))
    ).all()
    assert sorted(e.to_address for e in receipts) == sorted(emails.values())
    assert all("Avis : Favorable" in e.body_text for e in receipts)


@pytest.fixture
def lievin_staff(org):
    add_host(org, "localhost")
    db.session.commit()
    return [
        factories.user(org, Role.COMMUNE_STAFF, commune=LIEVIN, name=name)
        for name in ("DGS de Liévin", "Secrétaire de mairie")
    ]


def _clients(app, login, people):
    clients = []
    for person in people:
        client = app.test_client()
        login(client, person)
        clients.append(client)
    return clients


def _save(client, url, lock, motivation):
    def call():
        response = client.post(
            url,
            data={
                "opinion": "unfavorable",
                "motivation": motivation,
                "lock_version": lock,
                "save": "1",
            },
        )
        return response.status_code, unescape(response.text)

    return call


def test_two_first_drafts_at_the_same_moment_make_one_draft_and_one_warning(
    app, org, lievin_staff, login
):
    saisine = factories.saisine(org, communes=[LIEVIN])
    url = f"/concertation/communes/{LIEVIN}/saisines/{saisine.id}"
    clients = _clients(app, login, lievin_staff)
    texts = ["Texte de la DGS", "Texte du secrétariat"]

    results, failures = run_together(
        [_save(client, url, "", text) for client, text in zip(clients, texts, strict=True)]
    )

    assert not failures, "\n".join(failures)
    assert sorted(status for status, _page in results) == [200, 302]
    loser_page = next(page for status, page in results if status == 200)
    assert EDITED_MEANWHILE in loser_page
    db.session.expire_all()
    assert db.session.scalar(select(func.count(SaisineResponse.id))) == 1
    saved = queries.response_of(saisine, commune_by_insee(org, LIEVIN))
    winner = next(i for i, (status, _page) in enumerate(results) if status == 302)
    assert saved.motivation == texts[winner]
    assert saved.edited_by_id == lievin_staff[winner].id


def test_two_saves_of_the_same_version_at_once_never_overwrite_silently(
    app, org, lievin_staff, login
):
    saisine = factories.saisine(org, communes=[LIEVIN])
    url = f"/concertation/communes/{LIEVIN}/saisines/{saisine.id}"
    clients = _clients(app, login, lievin_staff)
    assert _save(clients[0], url, "", "Premier brouillon")()[0] == 302

    for round_ in range(1, 6):
        db.session.expire_all()
        lock = queries.response_of(saisine, commune_by_insee(org, LIEVIN)).lock_version
        texts = [f"DGS, tour {round_}", f"Secrétariat, tour {round_}"]
        results, failures = run_together(
            [_save(c, url, str(lock), t) for c, t in zip(clients, texts, strict=True)]
        )
        assert not failures, "\n".join(failures)
        assert sorted(status for status, _page in results) == [200, 302], round_
        assert EDITED_MEANWHILE in next(page for status, page in results if status == 200)
        winner = next(i for i, (status, _page) in enumerate(results) if status == 302)
        db.session.expire_all()
        saved = queries.response_of(saisine, commune_by_insee(org, LIEVIN))
        assert saved.motivation == texts[winner]
        assert saved.lock_version == lock + 1


# --- the same form sent twice: its one-time token -------------------------------------------

ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"')


@pytest.fixture
def lievin_mayor(org):
    add_host(org, "localhost")
    db.session.commit()
    return factories.user(org, Role.MAYOR, commune=LIEVIN, name="Maire de Liévin")


def _signed(saisine):
    db.session.expire_all()
    return db.session.scalars(
        select(ResponseVersion)
        .join(SaisineResponse)
        .where(SaisineResponse.saisine_id == saisine.id)
    ).all()


def _receipts():
    return db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.subject.startswith(RECEIPT))
    ).all()


def test_the_same_signature_sent_twice_signs_once_and_says_so(client, org, lievin_mayor, login):
    saisine = factories.saisine(org, kind="opinion", communes=[LIEVIN])
    url = f"/concertation/communes/{LIEVIN}/saisines/{saisine.id}"
    login(client, lievin_mayor)
    token = ONCE.search(client.get(url).text).group(1)
    assert token != ONCE.search(client.get(url).text).group(1)  # a fresh one each time
    data = {"opinion": "favorable", "sign": "1", "lock_version": "", "once": token}
    first = client.post(url, data=data)
    second = client.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    landing = unescape(client.get(second.headers["Location"]).text)
    assert SENT_TWICE in landing and EDITED_MEANWHILE not in landing
    assert [v.number for v in _signed(saisine)] == [1]
    assert len(_receipts()) == 1


def test_the_same_draft_sent_twice_is_saved_once(client, org, lievin_staff, login):
    saisine = factories.saisine(org, communes=[LIEVIN])
    url = f"/concertation/communes/{LIEVIN}/saisines/{saisine.id}"
    login(client, lievin_staff[0])
    data = {"opinion": "unfavorable", "motivation": "Trop tôt.", "lock_version": "", "save": "1"}
    data["once"] = ONCE.search(client.get(url).text).group(1)
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data)
    assert again.status_code == 302  # not « edited meanwhile » about one's own first copy
    assert SENT_TWICE in unescape(client.get(again.headers["Location"]).text)
    db.session.expire_all()
    saved = queries.response_of(saisine, commune_by_insee(org, LIEVIN))
    assert saved.motivation == "Trop tôt." and saved.lock_version == 1


def test_a_refused_signature_keeps_its_token_and_signs_once_corrected(
    client, org, lievin_mayor, login
):
    saisine = factories.saisine(org, kind="opinion", communes=[LIEVIN])
    url = f"/concertation/communes/{LIEVIN}/saisines/{saisine.id}"
    login(client, lievin_mayor)
    token = new_token()
    refused = client.post(url, data={"sign": "1", "lock_version": "", "once": token})
    assert refused.status_code == 200 and ONCE.search(refused.text).group(1) == token
    data = {"opinion": "favorable", "sign": "1", "lock_version": "", "once": token}
    assert client.post(url, data=data).status_code == 302
    assert [v.number for v in _signed(saisine)] == [1]


def test_a_double_click_on_sign_at_the_same_moment_signs_once_without_error(
    app, org, lievin_mayor, login
):
    saisine = factories.saisine(org, kind="opinion", communes=[LIEVIN])
    url = f"/concertation/communes/{LIEVIN}/saisines/{saisine.id}"
    clients = _clients(app, login, [lievin_mayor, lievin_mayor])
    data = {"opinion": "favorable", "sign": "1", "lock_version": "", "once": new_token()}
    results, failures = run_together([lambda one=one: one.post(url, data=data) for one in clients])
    assert not failures, "\n".join(failures)
    assert [r.status_code for r in results] == [302, 302]
    pages = [unescape(one.get(url).text) for one in clients]
    assert sum(SENT_TWICE in page for page in pages) == 1
    assert not any(EDITED_MEANWHILE in page for page in pages)
    assert [v.number for v in _signed(saisine)] == [1]
    assert len(_receipts()) == 1
    assert db.session.scalar(select(func.count(SubmissionToken.id))) == 1
