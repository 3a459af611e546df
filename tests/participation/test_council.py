"""The conseil de développement: referrals and auto-saisines, co-written contributions with
versions, the members' vote, transmission to the EPCI, its answer, the public pages and the
annual activity report."""

from __future__ import annotations

import base64
import html
import io
import re
import zlib
from datetime import date, time, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.users.models import Role
from app.voting import VoteChoice
from participation.council import queries, rules, services
from participation.council.home import council_panel
from participation.council.models import (
    Contribution,
    ContributionStatus,
    ContributionVersion,
    ContributionVote,
    CouncilFunction,
    CouncilOffice,
    FollowUp,
    FollowUpStatus,
    Referral,
    ReferralKind,
)
from participation.council.permissions import CouncilCase
from tests import factories

BASE = "/conseil-de-developpement"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


# --- fixtures and builders ------------------------------------------------------------------


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI", email="agent@epci.fr")


@pytest.fixture
def people(org, admin):
    """Everyone who may knock at the council's door, by the name used in the tests."""
    member = Role.DEVELOPMENT_COUNCIL_MEMBER
    cast = {
        "admin": admin,
        "president": factories.user(org, member, name="Présidente Lefebvre"),
        "bureau": factories.user(org, member, name="Bureau Benali"),
        "author": factories.user(org, member, name="Autrice Delattre"),
        "member": factories.user(org, member, name="Membre Caron"),
        "citizen": factories.user(org, Role.CITIZEN, name="Habitante"),
        "mayor": factories.user(org, Role.MAYOR, commune=org.communes[3].insee_code),
    }
    services.set_offices(admin, org, cast["president"], [cast["bureau"]])
    db.session.commit()
    return cast


def _referral(org, actor, kind=ReferralKind.REFERRAL, title="Projet de territoire"):
    with current_app.test_request_context():
        referral = services.create_referral(
            actor, org, kind, services.ReferralData(title, "<p>Présentation</p>", None)
        )
    db.session.commit()
    return referral


def _draft(org, author, referral=None, body="<p>Le conseil propose.</p>", title="Mobilités"):
    contribution = services.start_contribution(author, org, title, body, referral, "Première")
    db.session.commit()
    return contribution


def _voted(org, people, choices: dict[str, VoteChoice], close=True):
    contribution = _draft(org, people["author"])
    now = utcnow()
    with current_app.test_request_context():
        services.open_vote(people["president"], contribution, now)
        for name, choice in choices.items():
            services.cast_vote(people[name], contribution, choice, now)
        if close:
            services.close_vote(people["president"], contribution, now)
    db.session.commit()
    return contribution


def _transmitted(org, people, title="Mobilités", now=None):
    contribution = _voted(org, people, {"author": VoteChoice.FOR})
    contribution.title = title
    with current_app.test_request_context():
        services.transmit(people["president"], contribution, now or utcnow())
    db.session.commit()
    return contribution


def _emails_to(address) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)))


def _text(response) -> str:
    """The page, with its character references read (l&#39;EPCI -> l'EPCI)."""
    return html.unescape(response.get_data(as_text=True))


def _lock(contribution) -> int:
    db.session.refresh(contribution)
    return contribution.lock_version


# --- who may see what -----------------------------------------------------------------------


@pytest.fixture
def world(org, people):
    referral = _referral(org, people["admin"])
    services.add_document(people["admin"], referral, _stored(org, people["admin"]))
    draft = _draft(org, people["author"], referral)
    transmitted = _transmitted(org, people, "Contribution transmise")
    db.session.commit()
    return {"referral": referral, "draft": draft, "transmitted": transmitted}


def _stored(org, actor):
    from werkzeug.datastructures import FileStorage

    from app.uploads import services as uploads

    return uploads.store(
        FileStorage(io.BytesIO(PDF), filename="note.pdf"), org.id, actor.id, allowed=None
    )


def _pages(world) -> dict[str, str]:
    r, d, t = world["referral"], world["draft"], world["transmitted"]
    return {
        "index": f"{BASE}/espace",
        "members": f"{BASE}/espace/membres",
        "offices": f"{BASE}/espace/bureau",
        "referral_create": f"{BASE}/espace/saisines/nouvelle",
        "own_initiative": f"{BASE}/espace/auto-saisine",
        "referral": f"{BASE}/espace/saisines/{r.id}",
        "referral_edit": f"{BASE}/espace/saisines/{r.id}/modifier",
        "document": f"{BASE}/espace/saisines/{r.id}/documents/{r.documents[0].id}",
        "contribution_create": f"{BASE}/espace/contributions/nouvelle",
        "contribution": f"{BASE}/espace/contributions/{d.id}",
        "edit": f"{BASE}/espace/contributions/{d.id}/modifier",
        "history": f"{BASE}/espace/contributions/{d.id}/historique",
        "follow_up": f"{BASE}/espace/contributions/{t.id}/suite",
        "report": f"{BASE}/espace/rapport-annuel",
        "public": f"{BASE}/",
        "public_contribution": f"{BASE}/contributions/{t.id}",
    }


ALL = {"admin", "president", "bureau", "author", "member"}
MEMBERS = {"president", "bureau", "author", "member"}
OFFICERS = {"president", "bureau"}
EVERYONE = ALL | {"citizen", "mayor", "anonymous"}
ALLOWED = {
    "index": ALL,
    "members": ALL,
    "offices": {"admin"},
    "referral_create": {"admin"},
    "own_initiative": OFFICERS,
    "referral": ALL,
    "referral_edit": {"admin"},
    "document": ALL,
    "contribution_create": MEMBERS,
    "contribution": ALL,
    "edit": {"author"},
    "history": ALL,
    "follow_up": {"admin"},
    "report": ALL,
    "public": EVERYONE,
    "public_contribution": EVERYONE,
}


@pytest.mark.parametrize(
    "who", ["admin", "president", "bureau", "author", "member", "citizen", "mayor", "anonymous"]
)
def test_each_page_answers_each_role_as_the_policy_says(client, login, world, people, who):
    if who != "anonymous":
        login(client, people[who])
    for name, url in _pages(world).items():
        response = client.get(url)
        response.close()  # the document is a file
        if who in ALLOWED[name]:
            assert response.status_code == 200, (name, who)
        elif who == "anonymous":
            assert response.status_code == 302, (name, who)
            assert "/login" in response.headers["Location"], (name, who)
        else:
            assert response.status_code == 403, (name, who)


def _posts(world) -> dict[str, tuple[str, dict]]:
    d, t = world["draft"], world["transmitted"]
    base = f"{BASE}/espace/contributions"
    return {
        "open_vote": (f"{base}/{d.id}/vote/ouverture", {"submit": "1"}),
        "close_vote": (f"{base}/{d.id}/vote/cloture", {"submit": "1"}),
        "transmit": (f"{base}/{d.id}/transmission", {"submit": "1"}),
        "vote": (f"{base}/{d.id}/vote", {"choice": "for"}),
        "add_author": (f"{base}/{d.id}/co-auteurs", {"user_id": "1"}),
        "edit": (f"{base}/{d.id}/modifier", {"title": "X", "body": "Y", "lock_version": "1"}),
        "follow_up": (f"{base}/{t.id}/suite", {"retained": "Oui"}),
        "referral_create": (f"{BASE}/espace/saisines/nouvelle", {"title": "Sujet"}),
        "own_initiative": (f"{BASE}/espace/auto-saisine", {"title": "Sujet"}),
        "offices": (f"{BASE}/espace/bureau", {"president_id": ""}),
    }


REFUSED = {
    "open_vote": {"author", "member", "citizen", "mayor"},
    "close_vote": {"author", "member", "citizen", "mayor"},
    "transmit": {"admin", "author", "member", "citizen", "mayor"},
    "vote": {"admin", "citizen", "mayor"},
    "add_author": {"admin", "president", "bureau", "member", "citizen", "mayor"},
    "edit": {"admin", "president", "bureau", "member", "citizen", "mayor"},
    "follow_up": {"president", "bureau", "author", "member", "citizen", "mayor"},
    "referral_create": {"president", "bureau", "author", "member", "citizen", "mayor"},
    "own_initiative": {"admin", "author", "member", "citizen", "mayor"},
    "offices": {"president", "bureau", "author", "member", "citizen", "mayor"},
}


@pytest.mark.parametrize(
    "who", ["admin", "president", "bureau", "author", "member", "citizen", "mayor"]
)
def test_actions_are_refused_with_403_to_those_without_the_right(client, login, world, people, who):
    login(client, people[who])
    for name, (url, data) in _posts(world).items():
        if who in REFUSED[name]:
            assert client.post(url, data=data).status_code == 403, (name, who)
    assert db.session.scalar(select(func.count(ContributionVote.id))) == 1  # the fixture's
    db.session.refresh(world["draft"])
    assert world["draft"].status is ContributionStatus.DRAFT


def test_anonymous_visitors_are_sent_to_log_in_for_every_action(client, world):
    for name, (url, data) in _posts(world).items():
        response = client.post(url, data=data)
        assert response.status_code == 302, name
        assert "/login" in response.headers["Location"], name


def test_another_organisations_admin_finds_nothing(client, login, world, org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    for name, url in _pages(world).items():
        response = client.get(f"http://carcassonne.test{url}")
        if name in ("index", "members", "offices", "referral_create", "report", "public"):
            assert response.status_code == 200, name
        elif name in ("contribution_create", "own_initiative"):
            assert response.status_code == 403, name
        else:
            assert response.status_code == 404, name
    for name, (url, data) in _posts(world).items():
        if name not in ("referral_create", "own_initiative", "offices"):
            response = client.post(f"http://carcassonne.test{url}", data=data)
            assert response.status_code == 404, name
    # the other organisation's public page lists nothing of this one
    assert "Contribution transmise" not in _text(client.get(f"http://carcassonne.test{BASE}/"))


ROLES = ["admin", "president", "bureau", "author", "member", "citizen", "mayor"]
POLICY = {
    # action: who may, given the draft contribution (author is its co-author)
    "council.view": ALL,
    "council.manage": {"admin"},
    "council.contribute": MEMBERS,
    "council.lead": OFFICERS,
    "council.contribution.view": ALL,
    "council.contribution.edit": {"author"},
    "council.contribution.steer": OFFICERS | {"admin"},
    "council.contribution.vote": MEMBERS,
    "council.contribution.transmit": OFFICERS,
    "council.contribution.answer": {"admin"},
    "council.referral.view": ALL,
    "council.referral.edit": {"admin"},
}


def test_policy_answers_per_role(org, people, world):
    from app.access import can

    council = queries.council_of(org)
    draft, referral = world["draft"], world["referral"]
    objects = {
        "council.lead": council,
        "council.contribution.steer": CouncilCase(draft, council),
        "council.contribution.transmit": CouncilCase(draft, council),
        "council.referral.edit": CouncilCase(referral, council),
        "council.referral.view": referral,
    }
    for action, allowed in POLICY.items():
        for who in ROLES:
            obj = objects.get(action, draft if "contribution" in action else None)
            assert can(people[who], action, obj) is (who in allowed), (action, who)
        assert can(None, action, objects.get(action)) is False


def test_officers_may_edit_their_auto_saisine_but_not_the_epcis_referrals(org, people):
    from app.access import can

    own = _referral(org, people["president"], ReferralKind.OWN_INITIATIVE)
    council = queries.council_of(org)
    assert can(people["bureau"], "council.referral.edit", CouncilCase(own, council))
    assert can(people["admin"], "council.referral.edit", CouncilCase(own, council))
    assert not can(people["member"], "council.referral.edit", CouncilCase(own, council))


def test_an_officer_who_leaves_the_council_loses_the_office_rights(org, people):
    from app.access import can
    from app.users import services as user_services

    president = people["president"]
    membership = next(m for m in president.memberships if m.role == Role.DEVELOPMENT_COUNCIL_MEMBER)
    user_services.remove_role(people["admin"], membership)
    db.session.commit()
    assert not can(president, "council.lead", queries.council_of(org))


# --- the council: members, president and bureau -------------------------------------------


def test_admin_designates_the_president_and_the_bureau_among_the_members(
    client, login, org, people
):
    login(client, people["admin"])
    page = client.get(f"{BASE}/espace/bureau")
    assert "Membre Caron" in _text(page) and "Habitante" not in _text(page)
    response = client.post(
        f"{BASE}/espace/bureau",
        data={
            "president_id": str(people["member"].id),
            "bureau_ids": [str(people["author"].id), str(people["member"].id)],
        },
    )
    assert response.status_code == 302
    offices = {o.user_id: o.function for o in queries.offices_of(org)}
    assert offices == {
        people["member"].id: CouncilFunction.PRESIDENT,
        people["author"].id: CouncilFunction.BUREAU,
    }
    members = _text(client.get(f"{BASE}/espace/membres"))
    assert "Membre Caron" in members and "Président(e)" in members
    # someone who is not a member cannot be chosen
    refused = client.post(f"{BASE}/espace/bureau", data={"president_id": str(people["citizen"].id)})
    assert refused.status_code == 200
    assert db.session.scalar(select(func.count(CouncilOffice.id))) == 2


def test_offices_are_given_to_members_only(org, people):
    with pytest.raises(services.CouncilError) as refused:
        services.set_offices(people["admin"], org, people["citizen"], [])
    assert refused.value.code == "not_a_member"


# --- referrals ------------------------------------------------------------------------------


def test_admin_refers_a_subject_with_a_document_and_the_members_are_emailed(
    client, login, org, people
):
    login(client, people["admin"])
    response = client.post(
        f"{BASE}/espace/saisines/nouvelle",
        data={
            "title": "Plan climat",
            "description": "Premier paragraphe.\n\n<script>alert(1)</script>Second.",
            "deadline_on": "2030-07-01",
            "deadline_time": "18:00",
            "documents": [(io.BytesIO(PDF), "plan climat.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert referral.kind is ReferralKind.REFERRAL and referral.title == "Plan climat"
    assert "<script>" not in referral.description and "<p>Premier paragraphe.</p>" in (
        referral.description
    )
    assert referral.deadline.isoformat() == "2030-07-01T16:00:00+00:00"  # 18:00 in Paris
    assert [d.file.original_name for d in referral.documents] == ["plan climat.pdf"]
    for name in MEMBERS:
        emails = _emails_to(people[name].email)
        assert len(emails) == 1 and "Plan climat" in emails[0].subject, name
        assert f"/espace/saisines/{referral.id}" in emails[0].body_text
    assert _emails_to(people["citizen"].email) == []
    login(client, people["member"])
    page = _text(client.get(f"{BASE}/espace/saisines/{referral.id}"))
    assert "plan climat.pdf" in page and "1 juillet 2030" in page
    document = client.get(
        f"{BASE}/espace/saisines/{referral.id}/documents/{referral.documents[0].id}"
    )
    assert document.data == PDF and document.mimetype == "application/pdf"
    document.close()


def test_a_document_is_checked_by_its_content_not_its_name(client, login, org, people):
    login(client, people["admin"])
    response = client.post(
        f"{BASE}/espace/saisines/nouvelle",
        data={"title": "Plan climat", "documents": [(io.BytesIO(b"#!/bin/sh\n"), "faux.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "faux.pdf" in _text(response) and "pas accepté" in _text(response)
    assert db.session.scalar(select(func.count(Referral.id))) == 0
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0


def test_admin_edits_a_referral_and_its_deadline_shows_in_paris_time(client, login, org, people):
    referral = _referral(org, people["admin"])
    login(client, people["admin"])
    response = client.post(
        f"{BASE}/espace/saisines/{referral.id}/modifier",
        data={"title": "Nouveau sujet", "deadline_on": "2030-01-15", "deadline_time": ""},
    )
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.title == "Nouveau sujet"
    assert referral.deadline.isoformat() == "2030-01-15T22:59:00+00:00"  # 23:59 in Paris, winter
    form = _text(client.get(f"{BASE}/espace/saisines/{referral.id}/modifier"))
    assert 'value="2030-01-15"' in form and 'value="23:59"' in form


def test_the_president_takes_up_a_subject_on_the_councils_own_initiative(
    client, login, org, people
):
    login(client, people["president"])
    response = client.post(f"{BASE}/espace/auto-saisine", data={"title": "Accès aux soins"})
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert referral.kind is ReferralKind.OWN_INITIATIVE
    assert referral.created_by_id == people["president"].id
    assert len(_emails_to(people["admin"].email)) == 1  # the EPCI is told
    assert len(_emails_to(people["member"].email)) == 1
    assert _emails_to(people["president"].email) == []
    page = _text(client.get(f"{BASE}/espace/saisines/{referral.id}"))
    assert "Auto-saisine" in page and "Modifier" in page


# --- co-writing -----------------------------------------------------------------------------


def test_co_authors_write_together_and_every_save_is_a_version(client, login, org, people):
    referral = _referral(org, people["admin"])
    login(client, people["author"])
    response = client.post(
        f"{BASE}/espace/contributions/nouvelle",
        data={"title": "Mobilités", "referral_id": str(referral.id), "body": "Premier jet."},
    )
    assert response.status_code == 302
    contribution = db.session.scalar(select(Contribution))
    assert contribution.referral_id == referral.id and contribution.body == "<p>Premier jet.</p>"
    added = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/co-auteurs",
        data={"user_id": str(people["member"].id)},
    )
    assert added.status_code == 302
    invited = [e for e in _emails_to(people["member"].email) if "co-auteur" in e.subject]
    assert len(invited) == 1 and f"/espace/contributions/{contribution.id}" in invited[0].body_text
    login(client, people["member"])
    saved = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/modifier",
        data={
            "title": "Mobilités du quotidien",
            "body": "Premier jet.\n\nAjout des gares.",
            "note": "Ajout des gares",
            "lock_version": str(_lock(contribution)),
        },
    )
    assert saved.status_code == 302
    versions = db.session.scalars(
        select(ContributionVersion).order_by(ContributionVersion.number)
    ).all()
    assert [(v.number, v.author_id, v.note) for v in versions] == [
        (1, people["author"].id, "Première version"),
        (2, people["member"].id, "Ajout des gares"),
    ]
    history = _text(client.get(f"{BASE}/espace/contributions/{contribution.id}/historique"))
    assert "Ajout des gares" in history and "Membre Caron" in history
    assert "<ins>" in history and "Ajout des gares.</ins>" in history
    assert "<del>" in history and "Mobilités</del>" in history  # the title changed
    compared = _text(
        client.get(f"{BASE}/espace/contributions/{contribution.id}/historique?de=2&a=1")
    )
    assert '<del><span class="visually-hidden">Retiré : </span>Ajout des gares.</del>' in compared


def test_a_stale_save_is_refused_and_the_typed_text_is_kept(client, login, org, people):
    contribution = _draft(org, people["author"])
    services.add_author(people["author"], contribution, people["member"])
    db.session.commit()
    login(client, people["author"])
    opened = _text(client.get(f"{BASE}/espace/contributions/{contribution.id}/modifier"))
    seen = re.search(r'name="lock_version" type="hidden" value="(\d+)"', opened).group(1)
    # meanwhile, the co-author saves
    services.save_text(
        people["member"], contribution, "Mobilités", "<p>Texte du co-auteur.</p>", "", int(seen)
    )
    db.session.commit()
    response = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/modifier",
        data={"title": "Mobilités", "body": "Mon texte à moi.", "lock_version": seen},
    )
    page = _text(response)
    assert response.status_code == 200
    assert "Membre Caron a enregistré une nouvelle version" in page
    assert "Mon texte à moi." in page  # what was typed is given back
    assert "Texte du co-auteur." in page  # next to the version saved meanwhile
    db.session.refresh(contribution)
    assert contribution.body == "<p>Texte du co-auteur.</p>"
    assert len(contribution.versions) == 2
    # saving again, knowingly, now succeeds
    fresh = re.search(r'name="lock_version" type="hidden" value="(\d+)"', page).group(1)
    again = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/modifier",
        data={"title": "Mobilités", "body": "Mon texte à moi.", "lock_version": fresh},
    )
    assert again.status_code == 302
    db.session.refresh(contribution)
    assert contribution.body == "<p>Mon texte à moi.</p>" and len(contribution.versions) == 3


def test_a_save_racing_another_is_caught_by_the_database_version_check(org, people):
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    contribution = _draft(org, people["author"])
    seen = contribution.lock_version
    # another request saves between our check and our write
    db.session.execute(
        update(Contribution)
        .where(Contribution.id == contribution.id)
        .values(lock_version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleDataError):
        services.save_text(people["author"], contribution, "Autre", "<p>Autre</p>", "", seen)


def test_a_save_without_change_makes_no_version(org, people):
    contribution = _draft(org, people["author"])
    with pytest.raises(services.CouncilError) as refused:
        services.save_text(
            people["author"], contribution, contribution.title, contribution.body, "", None
        )
    assert refused.value.code == "unchanged"


def test_only_members_become_co_authors_and_only_drafts_change(org, people):
    contribution = _draft(org, people["author"])
    with pytest.raises(services.CouncilError) as not_member:
        services.add_author(people["author"], contribution, people["citizen"])
    assert not_member.value.code == "not_a_member"
    with pytest.raises(services.CouncilError) as twice:
        services.add_author(people["author"], contribution, people["author"])
    assert twice.value.code == "already_author"
    voting = _voted(org, people, {}, close=False)
    with pytest.raises(services.CouncilError) as frozen:
        services.save_text(people["author"], voting, "Autre", "<p>Autre</p>", "", None)
    assert frozen.value.code == "not_draft"


def test_the_edit_page_of_a_contribution_put_to_the_vote_sends_back(client, login, org, people):
    voting = _voted(org, people, {}, close=False)
    login(client, people["author"])
    response = client.get(f"{BASE}/espace/contributions/{voting.id}/modifier")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/espace/contributions/{voting.id}")


# --- adoption -------------------------------------------------------------------------------


def test_members_vote_once_and_closing_counts_one_voice_each(client, login, org, people):
    contribution = _draft(org, people["author"])
    url = f"{BASE}/espace/contributions/{contribution.id}"
    login(client, people["president"])
    assert client.post(f"{url}/vote/ouverture", data={"submit": "1"}).status_code == 302
    db.session.refresh(contribution)
    assert contribution.status is ContributionStatus.VOTING
    assert len(_emails_to(people["member"].email)) == 1
    for who, choice in [
        ("president", "for"),
        ("author", "for"),
        ("member", "against"),
        ("bureau", "not_voting"),
    ]:
        login(client, people[who])
        assert client.post(f"{url}/vote", data={"choice": choice}).status_code == 302
    again = client.post(f"{url}/vote", data={"choice": "for"}, follow_redirects=True)
    assert "Vous avez déjà voté" in _text(again)
    assert "Votre vote : Ne prend pas part au vote" in _text(again)
    assert db.session.scalar(select(func.count(ContributionVote.id))) == 4
    assert client.post(f"{url}/vote/cloture", data={"submit": "1"}).status_code == 302
    db.session.refresh(contribution)
    assert contribution.status is ContributionStatus.ADOPTED
    assert (contribution.votes_for, contribution.votes_against, contribution.votes_abstain) == (
        2,
        1,
        0,
    )
    assert contribution.vote_closed_at is not None


def test_a_tie_or_a_majority_against_rejects(org, people):
    tie = _voted(org, people, {"author": VoteChoice.FOR, "member": VoteChoice.AGAINST})
    assert tie.status is ContributionStatus.REJECTED
    with pytest.raises(services.CouncilError) as refused:
        services.transmit(people["president"], tie, utcnow())
    assert refused.value.code == "not_adopted"
    abstentions = _voted(org, people, {"author": VoteChoice.ABSTAIN})
    assert abstentions.status is ContributionStatus.REJECTED and abstentions.votes_abstain == 1


def test_admin_may_open_and_close_a_vote_but_not_vote(client, login, org, people):
    contribution = _draft(org, people["author"])
    url = f"{BASE}/espace/contributions/{contribution.id}"
    login(client, people["admin"])
    client.post(f"{url}/vote/ouverture", data={"submit": "1"})
    assert client.post(f"{url}/vote", data={"choice": "for"}).status_code == 403
    client.post(f"{url}/vote/cloture", data={"submit": "1"})
    db.session.refresh(contribution)
    assert contribution.status is ContributionStatus.REJECTED  # nobody voted for


def test_an_empty_text_cannot_be_put_to_the_vote(client, login, org, people):
    contribution = _draft(org, people["author"], body="")
    login(client, people["president"])
    response = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/vote/ouverture",
        data={"submit": "1"},
        follow_redirects=True,
    )
    assert "Écrivez le texte de la contribution" in _text(response)
    db.session.refresh(contribution)
    assert contribution.status is ContributionStatus.DRAFT


def test_votes_are_refused_before_the_vote_opens(org, people):
    contribution = _draft(org, people["author"])
    with pytest.raises(services.CouncilError) as refused:
        services.cast_vote(people["member"], contribution, VoteChoice.FOR, utcnow())
    assert refused.value.code == "vote_not_open"


# --- transmission and the EPCI's answer ------------------------------------------------------


def test_transmission_creates_the_follow_up_due_in_two_months_and_emails_the_admins(
    client, login, org, people
):
    contribution = _voted(org, people, {"author": VoteChoice.FOR})
    login(client, people["bureau"])
    response = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/transmission",
        data={"submit": "1"},
        follow_redirects=True,
    )
    assert "Contribution transmise à l'EPCI" in _text(response)
    db.session.refresh(contribution)
    follow_up = contribution.follow_up
    assert contribution.status is ContributionStatus.TRANSMITTED
    assert contribution.transmitted_at is not None
    assert follow_up.status is FollowUpStatus.PENDING
    assert follow_up.due_on == rules.add_months(rules.paris_date(contribution.transmitted_at), 2)
    emails = _emails_to(people["admin"].email)
    assert len(emails) == 1 and "Mobilités" in emails[0].subject
    assert f"/espace/contributions/{contribution.id}/suite" in emails[0].body_text


def test_the_follow_up_delay_is_configurable(client, login, org, people, app):
    contribution = _voted(org, people, {"author": VoteChoice.FOR})
    login(client, people["president"])
    app.config["COUNCIL_FOLLOW_UP_MONTHS"] = 3
    try:
        client.post(
            f"{BASE}/espace/contributions/{contribution.id}/transmission", data={"submit": "1"}
        )
    finally:
        del app.config["COUNCIL_FOLLOW_UP_MONTHS"]
    db.session.refresh(contribution)
    expected = rules.add_months(rules.paris_date(contribution.transmitted_at), 3)
    assert contribution.follow_up.due_on == expected


def test_the_epci_answers_and_the_answer_is_published(client, login, org, people):
    contribution = _transmitted(org, people)
    login(client, people["admin"])
    form = _text(client.get(f"{BASE}/espace/contributions/{contribution.id}/suite"))
    assert "Ce que l'EPCI retient" in form
    response = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/suite",
        data={
            "retained": "Le rabattement vers les gares.",
            "not_retained": "La gratuité : <b>hors compétence</b>.<script>x</script>",
        },
    )
    assert response.status_code == 302
    db.session.refresh(contribution)
    follow_up = contribution.follow_up
    assert follow_up.status is FollowUpStatus.ANSWERED
    assert follow_up.answered_by_id == people["admin"].id and follow_up.answered_at is not None
    assert "<script>" not in follow_up.not_retained
    told = [e for e in _emails_to(people["member"].email) if "Réponse de l'EPCI" in e.subject]
    assert len(told) == 1 and f"/contributions/{contribution.id}" in told[0].body_text
    with client.session_transaction(base_url="http://localhost") as session:
        session.clear()  # signed out: the answer is public
    page = _text(client.get(f"{BASE}/contributions/{contribution.id}"))
    assert "Le rabattement vers les gares." in page and "<b>hors compétence</b>" in page
    assert "Réponse de l'EPCI le" in _text(client.get(f"{BASE}/"))


def test_an_empty_answer_is_refused(client, login, org, people):
    contribution = _transmitted(org, people)
    login(client, people["admin"])
    response = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/suite",
        data={"retained": " ", "not_retained": ""},
        follow_redirects=True,
    )
    assert "Indiquez ce que l'EPCI retient" in _text(response)
    db.session.refresh(contribution)
    assert contribution.follow_up.status is FollowUpStatus.PENDING


def test_overdue_answers_are_flagged_for_everyone(client, login, org, people):
    late = _transmitted(org, people, "Contribution en souffrance")
    on_time = _transmitted(org, people, "Contribution récente")
    late.follow_up.due_on = rules.paris_date(utcnow()) - timedelta(days=1)
    on_time.follow_up.due_on = rules.paris_date(utcnow())  # due today: not late yet
    db.session.commit()
    page = _text(client.get(f"{BASE}/"))
    assert page.count("badge--late") == 1
    assert "Réponse en retard" in page
    overdue = _text(client.get(f"{BASE}/?en_retard=1"))
    assert "Contribution en souffrance" in overdue and "Contribution récente" not in overdue
    detail = _text(client.get(f"{BASE}/contributions/{late.id}"))
    assert "sa réponse est en retard" in detail
    with current_app.test_request_context():
        panel = council_panel(people["admin"], org)[0]
    assert any(
        "Réponse en retard : Contribution en souffrance" in label for label, _ in panel.items
    )


def test_the_overdue_rule_counts_in_paris_days():
    due = date(2030, 3, 1)
    evening = rules.paris_to_utc(date(2030, 3, 1), time(23, 30))
    next_morning = rules.paris_to_utc(date(2030, 3, 2), time(0, 30))
    assert not rules.is_overdue(True, due, evening)
    assert rules.is_overdue(True, due, next_morning)
    assert not rules.is_overdue(False, due, next_morning)


# --- public pages ---------------------------------------------------------------------------


def test_the_public_page_shows_only_transmitted_contributions(client, org, people):
    _draft(org, people["author"], title="Brouillon secret")
    adopted = _voted(org, people, {"author": VoteChoice.FOR})
    adopted.title = "Adoptée pas encore transmise"
    db.session.commit()
    sent = _transmitted(org, people, "Contribution publique")
    page = _text(client.get(f"{BASE}/"))
    assert "Contribution publique" in page
    assert "Brouillon secret" not in page and "Adoptée pas encore transmise" not in page
    assert client.get(f"{BASE}/contributions/{adopted.id}").status_code == 404
    assert client.get(f"{BASE}/contributions/{sent.id}").status_code == 200
    assert client.get(f"{BASE}/contributions/999999").status_code == 404
    # anonymous visitors find the page from the footer
    assert f'href="{BASE}/"' in _text(client.get("/"))


def _many_transmitted(org, people, count: int) -> None:
    now = utcnow()
    for n in range(count):
        contribution = Contribution(
            organisation_id=org.id,
            title=f"Contribution {n}",
            body="<p>Texte</p>",
            status=ContributionStatus.TRANSMITTED,
            transmitted_at=now,
            vote_closed_at=now,
            votes_for=3,
        )
        contribution.follow_up = FollowUp(due_on=rules.paris_date(now) - timedelta(days=n % 2))
        db.session.add(contribution)
    db.session.commit()


def test_the_public_list_runs_the_same_queries_for_5_or_50_contributions(
    client, org, people, count_queries
):
    _many_transmitted(org, people, 5)
    client.get(f"{BASE}/")
    with count_queries() as few:
        assert client.get(f"{BASE}/").status_code == 200
    _many_transmitted(org, people, 45)
    with count_queries() as many:
        response = client.get(f"{BASE}/")
    assert response.status_code == 200 and _text(response).count("<tr>") == 21  # 20 + header
    assert many.count == few.count


# --- home page and navigation ---------------------------------------------------------------


def test_members_find_the_council_in_the_menu_and_their_votes_on_the_home_page(
    client, login, org, people
):
    _voted(org, people, {}, close=False)
    login(client, people["member"])
    home = _text(client.get("/"))
    assert f'href="{BASE}/espace"' in home
    assert "Vote en cours : Mobilités" in home
    login(client, people["citizen"])
    assert f'href="{BASE}/espace"' not in _text(client.get("/"))


def test_every_council_form_carries_a_csrf_token(client, login, org, people, csrf_on):
    contribution = _draft(org, people["author"])
    login(client, people["author"])
    response = client.post(
        f"{BASE}/espace/contributions/{contribution.id}/modifier",
        data={"title": "X", "body": "Y", "lock_version": "1"},
    )
    assert response.status_code == 400
    page = _text(client.get(f"{BASE}/espace/contributions/{contribution.id}"))
    assert page.count('name="csrf_token"') >= 3  # language, logout, co-author


# --- annual report --------------------------------------------------------------------------


def _unescape(raw: bytes) -> bytes:
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match):
        token = match.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8)])
        return simple.get(token, token)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def pdf_lines(content: bytes) -> str:
    """The text drawn by the PDF, one line per text operator (reportlab's WinAnsi fonts)."""
    streams = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        stream = stream.strip()
        if stream.endswith(b"~>"):
            stream = zlib.decompress(base64.a85decode(stream[:-2]))
        streams.append(stream)
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", b"\n".join(streams), re.S)
    return "\n".join(_unescape(s).decode("cp1252") for s in strings)


def test_the_annual_report_counts_the_years_work_delays_and_attendance(client, login, org, people):
    year = rules.paris_date(utcnow()).year
    referral = _referral(org, people["admin"], title="Plan climat")
    answered = _transmitted(org, people, "Avis sur le plan climat")
    answered.referral = referral
    with current_app.test_request_context():
        services.answer_follow_up(
            people["admin"],
            answered,
            "<p>Retenu</p>",
            "",
            answered.transmitted_at + timedelta(days=10),
        )
    second = _voted(
        org,
        people,
        {"president": VoteChoice.FOR, "member": VoteChoice.NOT_VOTING, "author": VoteChoice.FOR},
    )
    second.title = "Avis sur les mobilités"
    old = _transmitted(org, people, "Contribution ancienne")
    old.created_at = old.vote_closed_at = old.transmitted_at = utcnow() - timedelta(days=800)
    db.session.commit()

    login(client, people["member"])
    response = client.get(f"{BASE}/espace/rapport-annuel?annee={year}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_lines(response.data)
    assert f"Rapport d'activité {year} du conseil de développement" in text
    assert "Plan climat" in text and "Avis sur le plan climat" in text
    assert "Avis sur les mobilités" in text and "Contribution ancienne" not in text
    assert "10 j" in text and "répondu dans le délai" in text
    assert "Participation des membres aux votes du conseil" in text
    assert "Les séances du conseil de développement ne sont pas enregistrées" in " ".join(
        text.split()
    )
    # two votes closed this year: the author voted in both, the member once (not taking part
    # counts as present), the bureau member in none
    lines = text.splitlines()
    assert lines[lines.index("Autrice Delattre") + 1] == "2 / 2"
    assert lines[lines.index("Membre Caron") + 1] == "1 / 2"
    assert lines[lines.index("Bureau Benali") + 1] == "0 / 2"


def test_the_annual_report_of_a_quiet_year_says_so(client, login, org, people):
    login(client, people["admin"])
    response = client.get(f"{BASE}/espace/rapport-annuel?annee=2001")
    text = pdf_lines(response.data)
    assert "Aucune saisine dans l'année." in text
    assert "Aucun vote du conseil clos dans l'année." in text
    assert client.get(f"{BASE}/espace/rapport-annuel?annee=1850").status_code == 404


# --- rules ----------------------------------------------------------------------------------


def test_months_are_added_to_the_last_day_of_shorter_months():
    assert rules.add_months(date(2030, 12, 31), 2) == date(2031, 2, 28)
    assert rules.add_months(date(2031, 12, 31), 2) == date(2032, 2, 29)
    assert rules.add_months(date(2030, 5, 15), 2) == date(2030, 7, 15)


def test_a_paris_deadline_is_stored_in_utc_across_daylight_saving():
    assert rules.paris_to_utc(date(2030, 1, 10), time(18, 0)).hour == 17
    assert rules.paris_to_utc(date(2030, 7, 10), time(18, 0)).hour == 16
    assert rules.paris_to_utc(date(2030, 7, 10)).strftime("%H:%M") == "21:59"


def test_the_diff_shows_the_lines_removed_and_added():
    old = "<p>Un</p><p>Deux</p><ul><li>trois</li></ul>"
    new = "<p>Un</p><p>Deux bis</p><ul><li>trois</li><li>quatre &amp; cinq</li></ul>"
    assert rules.text_diff(old, new) == [
        ("same", "Un"),
        ("removed", "Deux"),
        ("added", "Deux bis"),
        ("same", "• trois"),
        ("added", "• quatre & cinq"),
    ]


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_council_is_created_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    transmitted = db.session.scalars(
        select(Contribution).where(Contribution.status == ContributionStatus.TRANSMITTED)
    ).all()
    assert len(transmitted) == 1
    contribution = transmitted[0]
    assert len(contribution.authors) == 3 and len(contribution.versions) == 3
    assert contribution.votes_for > contribution.votes_against
    assert contribution.follow_up.status is FollowUpStatus.ANSWERED
    assert db.session.scalar(select(func.count(Referral.id))) == 2
    from app.demo import DOMAIN
    from app.organisations.queries import by_slug

    members = queries.members_of(by_slug("lens-lievin"))
    assert len(members) == 6 and f"codev@{DOMAIN}" in {m.email for m in members}
