"""The EPCI's pages of bodies: bodies, members, meetings, agendas, convocations, attendance,
votes, minutes and meeting requests."""

from __future__ import annotations

import base64
import io
import re
import zlib
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.users import services as user_services
from app.users.models import Role
from consultations.bodies import services
from consultations.bodies.models import (
    AgendaDocument,
    Attendance,
    Body,
    BodyKind,
    Meeting,
    MeetingStatus,
    RequestStatus,
    VoteChoice,
    VoteStatus,
)
from consultations.saisines.rules import to_paris
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


def _group(org, admin, count=5, name="Groupe mobilités", **rules):
    """A working group of the first `count` communes' mayors. Returns (body, seats by user)."""
    mayors = factories.mayors(org, count)
    with current_app.test_request_context():
        body = services.create_body(
            admin, org, BodyKind.WORKING_GROUP, name, rules=services.BodyRules(**rules)
        )
        for mayor in mayors:
            services.add_member(admin, body, mayor, commune=mayor.memberships[0].commune)
    db.session.commit()
    seats = [next(m for m in body.members if m.user_id == mayor.id) for mayor in mayors]
    return body, seats


def _conference(org, admin):
    with current_app.test_request_context():
        body = services.ensure_mayors_conference(admin, org)
    db.session.commit()
    return body


def _emails_to(address) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)))


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- who may see what -------------------------------------------------------------------------


@pytest.fixture
def world(org, admin):
    body, seats = _group(org, admin, 3, request_numerator=1, request_denominator=1)
    with current_app.test_request_context():
        services.update_member(admin, seats[0], 1, True)
        meeting_request = services.open_request(seats[1], "Collecte des déchets", "", utcnow())
    db.session.commit()
    meeting = factories.meeting(body, admin, convene=True)
    people = {
        "admin": admin,
        "secretary": seats[0].user,
        "member": seats[1].user,
        "mayor": factories.user(org, Role.MAYOR, commune=org.communes[10].insee_code),
        "citizen": factories.user(org, Role.CITIZEN),
    }
    return {
        "body": body,
        "meeting": meeting,
        "item": meeting.items[0],
        "request": meeting_request,
        "people": people,
    }


def _urls(world) -> dict[str, str]:
    b, m, i, r = world["body"].id, world["meeting"].id, world["item"].id, world["request"].id
    return {
        "index": "/instances/",
        "create": "/instances/nouvelle",
        "detail": f"/instances/{b}",
        "edit": f"/instances/{b}/modifier",
        "requests": f"/instances/{b}/demandes",
        "meeting_create": f"/instances/{b}/seances/nouvelle",
        "meeting_manage": f"/instances/seances/{m}",
        "meeting_edit": f"/instances/seances/{m}/modifier",
        "item_edit": f"/instances/seances/{m}/points/{i}/modifier",
        "minutes": f"/instances/seances/{m}/proces-verbal",
        "attendance": f"/instances/seances/{m}/presences",
        "paper_votes": f"/instances/seances/{m}/points/{i}/vote/papier",
        "request_detail": f"/instances/demandes/{r}",
    }


def _posts(world) -> dict[str, str]:
    b, m, i = world["body"].id, world["meeting"].id, world["item"].id
    member = world["body"].members[1].id
    return {
        "mayors_conference": "/instances/conference-des-maires",
        "member_add": f"/instances/{b}/membres",
        "member_update": f"/instances/{b}/membres/{member}",
        "member_remove": f"/instances/{b}/membres/{member}/retirer",
        "item_add": f"/instances/seances/{m}/points",
        "item_delete": f"/instances/seances/{m}/points/{i}/supprimer",
        "item_move": f"/instances/seances/{m}/points/{i}/deplacer",
        "convene": f"/instances/seances/{m}/convoquer",
        "remind": f"/instances/seances/{m}/relancer",
        "publish": f"/instances/seances/{m}/proces-verbal/publier",
        "open_vote": f"/instances/seances/{m}/points/{i}/vote/ouvrir",
        "close_vote": f"/instances/seances/{m}/points/{i}/vote/clore",
        "mark_held": f"/instances/seances/{m}/tenue",
    }


SECRETARY_PAGES = {"attendance", "paper_votes"}
SECRETARY_POSTS = {"open_vote", "close_vote", "mark_held"}
MEMBER_PAGES = {"request_detail"}


def _expected_get(role: str, name: str) -> int:
    if role == "admin":
        return 200
    if role == "secretary" and name in SECRETARY_PAGES | MEMBER_PAGES:
        return 200
    if role == "member" and name in MEMBER_PAGES:
        return 200
    return 403


@pytest.mark.parametrize("role", ["admin", "secretary", "member", "mayor", "citizen"])
def test_pages_by_role(client, login, world, role):
    login(client, world["people"][role])
    for name, url in _urls(world).items():
        assert client.get(url).status_code == _expected_get(role, name), (role, name)


@pytest.mark.parametrize("role", ["secretary", "member", "mayor", "citizen"])
def test_actions_refused_by_role(client, login, world, role):
    login(client, world["people"][role])
    for name, url in _posts(world).items():
        if role == "secretary" and name in SECRETARY_POSTS:
            continue
        assert client.post(url, data={"submit": "1"}).status_code == 403, (role, name)
    assert world["meeting"].status is MeetingStatus.CONVENED
    assert len(services.current_members(world["body"])) == 3


def test_the_secretary_records_attendance_but_cannot_manage(client, login, world):
    meeting = world["meeting"]
    secretary = world["people"]["secretary"]
    login(client, secretary)
    seat = next(m for m in world["body"].members if m.user_id == secretary.id)
    response = client.post(
        f"/instances/seances/{meeting.id}/presences", data={"mark": f"{seat.id}:1"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Attendance.present).where(Attendance.member_id == seat.id))
    page = _text(client.get(f"/instances/seances/{meeting.id}/presences"))
    assert "Retour à la séance" not in page  # no link to the manager's page


def test_another_organisations_admin_finds_nothing(client, login, world, other_org, org):
    add_host(org, "localhost")
    db.session.commit()
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    for name, url in _urls(world).items():
        if name in ("index", "create"):
            continue
        assert client.get(f"http://carcassonne.test{url}").status_code == 404, name
    for name, url in _posts(world).items():
        if name == "mayors_conference":
            continue
        response = client.post(f"http://carcassonne.test{url}", data={"submit": "1"})
        assert response.status_code == 404, name
    index = _text(client.get("http://carcassonne.test/instances/"))
    assert "Groupe mobilités" not in index


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in _urls(world).values():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(_posts(world)["convene"], data={"submit": "1"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_menu_and_home_panel_are_for_admins(client, login, world):
    meeting_request = world["request"]
    login(client, world["people"]["mayor"])
    assert 'href="/instances/"' not in _text(client.get("/"))
    login(client, world["people"]["admin"])
    home = _text(client.get("/"))
    assert 'href="/instances/"' in home
    assert "Instances et séances" in home and "Groupe mobilités" in home
    assert f"/instances/seances/{world['meeting'].id}" in home
    assert meeting_request.status is RequestStatus.COLLECTING
    assert "Demande de réunion recevable" not in home


# --- bodies, rules and members ----------------------------------------------------------------


def _rules_form(**overrides):
    data = {
        "name": "Commission aménagement",
        "description": "Urbanisme et habitat.",
        "president_id": "",
        "quorum_numerator": "1",
        "quorum_denominator": "2",
        "quorum_strict": "strict",
        "quorum_counts_proxies": "y",
        "request_numerator": "0",
        "request_denominator": "3",
        "request_yearly_cap": "4",
        "max_proxies_held": "2",
        "public_votes": "y",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_body_then_sets_its_rules(client, login, org, admin):
    mayors = factories.mayors(org, 4)
    login(client, admin)
    assert "Commission" in _text(client.get("/instances/nouvelle"))
    response = client.post(
        "/instances/nouvelle",
        data={"kind": "commission", "name": "Commission aménagement", "description": ""},
    )
    body = db.session.scalar(select(Body))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/instances/{body.id}"
    )
    assert body.kind is BodyKind.COMMISSION and body.quorum_numerator == 0
    assert "aucun quorum" in _text(client.get(f"/instances/{body.id}"))

    response = client.post(
        f"/instances/{body.id}/modifier", data=_rules_form(president_id=admin.id)
    )
    assert response.status_code == 302
    db.session.refresh(body)
    assert (body.quorum_numerator, body.quorum_denominator, body.quorum_strict) == (1, 2, True)
    assert body.quorum_counts_proxies and body.max_proxies_held == 2
    assert body.president_id == admin.id and not body.rotating_host
    for mayor in mayors:
        client.post(f"/instances/{body.id}/membres", data={"user_id": mayor.id, "weight": "1"})
    page = _text(client.get(f"/instances/{body.id}"))
    assert "plus de la moitié des membres (3 sur 4), pouvoirs compris" in page
    assert "les membres ne peuvent pas demander de réunion" in page


def test_body_names_are_unique_and_bad_rules_are_refused(client, login, org, admin):
    login(client, admin)
    client.post("/instances/nouvelle", data={"kind": "bureau", "name": "Bureau"})
    response = client.post("/instances/nouvelle", data={"kind": "bureau", "name": "Bureau"})
    assert response.status_code == 200
    assert "Une autre instance porte déjà ce nom." in _text(response)
    body = db.session.scalar(select(Body))
    response = client.post(
        f"/instances/{body.id}/modifier",
        data=_rules_form(name="Bureau", quorum_numerator="3", quorum_denominator="2"),
    )
    assert response.status_code == 200 and "Une fraction n&#39;est pas valable" in _text(response)
    db.session.refresh(body)
    assert body.quorum_numerator == 1  # the bureau's usual rule is kept


def test_members_are_added_updated_and_removed(client, login, org, admin):
    body, seats = _group(org, admin, 2)
    staff = factories.user(org, Role.COMMUNE_STAFF, name="DGS de Lens", commune="62498")
    citizen = factories.user(org, Role.CITIZEN, name="Habitant")
    login(client, admin)
    page = _text(client.get(f"/instances/{body.id}"))
    assert "DGS de Lens" in page and "Habitant" not in page
    lens = commune_by_insee(org, "62498")
    response = client.post(
        f"/instances/{body.id}/membres",
        data={"user_id": staff.id, "commune_id": lens.id, "weight": "2", "is_secretary": "y"},
    )
    assert response.status_code == 302
    seat = next(m for m in body.members if m.user_id == staff.id)
    assert (seat.commune_id, seat.weight, seat.is_secretary) == (lens.id, 2, True)
    # an inhabitant cannot be chosen
    response = client.post(f"/instances/{body.id}/membres", data={"user_id": citizen.id})
    assert response.status_code == 200 and "field--error" in _text(response)

    client.post(f"/instances/{body.id}/membres/{seat.id}", data={"weight": "3"})
    db.session.refresh(seat)
    assert seat.weight == 3 and not seat.is_secretary
    assert "pondérées selon les membres" in _text(client.get(f"/instances/{body.id}"))
    client.post(f"/instances/{body.id}/membres/{seat.id}/retirer", data={"submit": "1"})
    db.session.refresh(seat)
    assert seat.left_at is not None
    assert len(services.current_members(body)) == 2


def test_the_conference_des_maires_is_created_and_follows_the_mayors(client, login, org, admin):
    factories.mayors(org)
    login(client, admin)
    assert "Créer la conférence des maires" in _text(client.get("/instances/"))
    response = client.post("/instances/conference-des-maires", data={"submit": "1"})
    body = db.session.scalar(select(Body).where(Body.auto_mayors.is_(True)))
    assert response.headers["Location"].endswith(f"/instances/{body.id}")
    assert len(services.current_members(body)) == 36
    page = _text(client.get(f"/instances/{body.id}"))
    assert "un tiers des membres (12 sur 36), 4 par an" in page
    assert "aucun quorum" in page
    # members are not added by hand
    mayor = factories.user(org, Role.VICE_PRESIDENT)
    client.post(f"/instances/{body.id}/membres", data={"user_id": mayor.id})
    assert len(services.current_members(body)) == 36
    # a new mayor replaces the former one
    first = org.communes[0]
    newcomer = factories.user(org, None, name="Nouvelle maire")
    with current_app.test_request_context():
        user_services.add_role(admin, newcomer, Role.MAYOR, commune=first)
    db.session.commit()
    client.post(f"/instances/{body.id}/maires", data={"submit": "1"})
    db.session.refresh(body)
    assert newcomer.id in {m.user_id for m in services.current_members(body)}
    # the conference can be created once: the button now only updates it
    client.post("/instances/conference-des-maires", data={"submit": "1"})
    assert len(db.session.scalars(select(Body)).all()) == 1
    assert "mayors_conference" not in _text(client.get("/instances/nouvelle"))


# --- meetings and agendas ---------------------------------------------------------------------


def _meeting_form(days=10, **overrides):
    day = to_paris(utcnow() + timedelta(days=days)).date()
    data = {
        "title": "Séance de rentrée",
        "starts_on": day.isoformat(),
        "starts_time": "18:30",
        "ends_time": "20:00",
        "host_commune_id": "",
        "venue": "Salle des fêtes",
        "online_url": "",
    }
    data.update(overrides)
    return data


def test_a_rotating_group_suggests_the_next_host_and_keeps_the_history(client, login, org, admin):
    body, seats = _group(org, admin, 3, rotating_host=True)
    login(client, admin)
    suggested = services.suggested_host(body)
    page = _text(client.get(f"/instances/{body.id}/seances/nouvelle"))
    assert f'<option selected value="{suggested.id}">' in page
    assert "Aucune séance n'a encore été accueillie" in page
    response = client.post(
        f"/instances/{body.id}/seances/nouvelle",
        data=_meeting_form(host_commune_id=suggested.id),
    )
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/instances/seances/{meeting.id}")
    assert meeting.host_commune_id == suggested.id
    assert to_paris(meeting.starts_at).strftime("%H:%M") == "18:30"
    assert to_paris(meeting.ends_at).strftime("%H:%M") == "20:00"
    page = _text(client.get(f"/instances/{body.id}/seances/nouvelle"))
    following = services.suggested_host(body)
    assert following.id != suggested.id
    assert f'<option selected value="{following.id}">' in page
    assert f"{suggested.name} (Séance de rentrée)" in page


def test_a_meeting_needs_a_place_and_a_sensible_time(client, login, org, admin):
    body, _seats = _group(org, admin, 2)
    login(client, admin)
    response = client.post(
        f"/instances/{body.id}/seances/nouvelle", data=_meeting_form(venue="", online_url="")
    )
    assert response.status_code == 200 and "Indiquez où se tient la séance" in _text(response)
    response = client.post(
        f"/instances/{body.id}/seances/nouvelle", data=_meeting_form(ends_time="17:00")
    )
    assert "L&#39;heure de fin doit être postérieure" in _text(response)
    response = client.post(
        f"/instances/{body.id}/seances/nouvelle",
        data=_meeting_form(venue="", online_url="https://visio.example.fr/conseil"),
    )
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    response = client.post(
        f"/instances/seances/{meeting.id}/modifier", data=_meeting_form(title="Séance déplacée")
    )
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert meeting.title == "Séance déplacée" and meeting.sequence == 1


def test_the_agenda_with_documents(client, login, org, admin):
    body, _seats = _group(org, admin, 2)
    meeting = factories.meeting(body, admin, items=[{"title": "Point d'information"}])
    login(client, admin)
    response = client.post(
        f"/instances/seances/{meeting.id}/points",
        data={
            "title": "Avis sur le plan de mobilité",
            "description": "Premier paragraphe.\n\nSecond paragraphe.",
            "calls_for_vote": "y",
            "opinion_text": "Avis favorable au plan de mobilité.",
            "documents": [(io.BytesIO(PDF), "plan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(meeting)
    item = meeting.items[1]
    assert item.vote_status is VoteStatus.PENDING and item.position == 2
    assert item.description == "<p>Premier paragraphe.</p><p>Second paragraphe.</p>"
    document = db.session.scalar(select(AgendaDocument))
    url = f"/instances/seances/{meeting.id}/points/{item.id}/documents/{document.id}"
    assert url in _text(client.get(f"/instances/seances/{meeting.id}"))
    with client.get(url) as download:
        assert download.data.startswith(b"%PDF")
    # a file that is not a document is refused, nothing is added
    response = client.post(
        f"/instances/seances/{meeting.id}/points",
        data={"title": "Autre", "documents": [(io.BytesIO(b"MZ\x90\x00"), "virus.exe")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and len(meeting.items) == 2
    # moved up, edited, then the other one is deleted
    client.post(
        f"/instances/seances/{meeting.id}/points/{item.id}/deplacer", data={"direction": "up"}
    )
    db.session.refresh(meeting)
    assert [i.title for i in meeting.items][0] == "Avis sur le plan de mobilité"
    response = client.post(
        f"/instances/seances/{meeting.id}/points/{item.id}/modifier",
        data={"title": "Avis sur le PDM", "description": "", "opinion_text": ""},
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.title == "Avis sur le PDM" and item.vote_status is VoteStatus.NONE
    other = meeting.items[1]
    client.post(f"/instances/seances/{meeting.id}/points/{other.id}/supprimer")
    db.session.refresh(meeting)
    assert [i.title for i in meeting.items] == ["Avis sur le PDM"]


# --- convocations -----------------------------------------------------------------------------


def test_convening_emails_every_member_and_the_reminder_skips_acknowledged(
    client, login, org, admin
):
    body, seats = _group(org, admin, 4)
    meeting = factories.meeting(body, admin)
    login(client, admin)
    page = _text(client.get(f"/instances/seances/{meeting.id}"))
    assert "Convoquer les membres" in page
    response = client.post(f"/instances/seances/{meeting.id}/convoquer", follow_redirects=True)
    assert "Convocations envoyées aux 4 membres." in _text(response)
    db.session.refresh(meeting)
    assert meeting.status is MeetingStatus.CONVENED
    assert all(len(_emails_to(seat.user.email)) == 1 for seat in seats)
    convocations = {c.member_id: c for c in services.convocations_of(meeting)}
    now = utcnow()
    with current_app.test_request_context():
        services.acknowledge(convocations[seats[0].id], now)
        services.answer(seats[1], meeting, services.AttendanceAnswer.REPRESENTED, seats[2], now)
    db.session.commit()
    page = _text(client.get(f"/instances/seances/{meeting.id}"))
    assert "2 accusés de réception sur 4 convocations." in page
    assert "Représenté(e)" in page and seats[2].user.display_name in page
    response = client.post(f"/instances/seances/{meeting.id}/relancer", follow_redirects=True)
    assert "Rappel envoyé aux 2 membres" in _text(response)
    for seat, count in zip(seats, (1, 1, 2, 2), strict=True):
        assert len(_emails_to(seat.user.email)) == count
    assert "Rappel de convocation" in _emails_to(seats[3].user.email)[-1].subject
    # a convened meeting is not convened twice
    response = client.post(f"/instances/seances/{meeting.id}/convoquer", follow_redirects=True)
    assert "La séance est déjà convoquée." in _text(response)


def test_an_empty_agenda_is_not_convened(client, login, org, admin):
    body, _seats = _group(org, admin, 2)
    meeting = factories.meeting(body, admin, items=[])
    meeting.items.clear()
    db.session.commit()
    login(client, admin)
    response = client.post(f"/instances/seances/{meeting.id}/convoquer", follow_redirects=True)
    assert "Ajoutez au moins un point" in _text(response)
    assert db.session.scalar(select(OutboxEmail)) is None


# --- attendance, quorum and votes -------------------------------------------------------------


def _quorum_meeting(org, admin, **rules):
    rules = {"quorum_numerator": 1, "quorum_denominator": 2, **rules}
    body, seats = _group(org, admin, 5, **rules)
    meeting = factories.meeting(
        body,
        admin,
        convene=True,
        items=[{"title": "Avis sur le PLH", "vote": True, "opinion": "Avis favorable au PLH."}],
    )
    return meeting, seats


def test_attendance_and_the_live_quorum(client, login, org, admin):
    meeting, (a, b, c, d, e) = _quorum_meeting(org, admin, quorum_counts_proxies=True)
    with current_app.test_request_context():
        services.answer(e, meeting, services.AttendanceAnswer.REPRESENTED, a, utcnow())
    db.session.commit()
    login(client, admin)
    url = f"/instances/seances/{meeting.id}/presences"
    page = _text(client.get(url))
    assert "Quorum non atteint" in page
    assert "0 présents + 0 représentés sur 5, requis 3" in page
    assert f"pouvoir à {a.user.display_name}" in page
    # the whole list at once
    client.post(url, data={"present": [str(b.id)]})
    page = _text(client.get(url))
    assert "1 présents + 0 représentés sur 5, requis 3" in page
    # one row at a time: a holds e's proxy
    client.post(url, data={"mark": f"{a.id}:1"})
    page = _text(client.get(url))
    assert "Quorum atteint" in page and "2 présents + 1 représentés sur 5, requis 3" in page
    # b is unticked in a later submission
    client.post(url, data={"present": [str(a.id)]})
    rows = {r.member_id: r.present for r in db.session.scalars(select(Attendance))}
    assert rows == {a.id: True, b.id: False}


def test_no_vote_without_quorum(client, login, org, admin):
    meeting, (a, b, c, d, e) = _quorum_meeting(org, admin)
    item = meeting.items[0]
    login(client, admin)
    client.post(f"/instances/seances/{meeting.id}/presences", data={"present": [a.id, b.id]})
    response = client.post(
        f"/instances/seances/{meeting.id}/points/{item.id}/vote/ouvrir", follow_redirects=True
    )
    assert "Le quorum n&#39;est pas atteint (2 sur 3 requis)" in _text(response)
    response = client.post(
        f"/instances/seances/{meeting.id}/points/{item.id}/vote/papier",
        data={"votes-0-member_id": a.id, "votes-0-choice": "for"},
        follow_redirects=True,
    )
    assert "Le quorum n&#39;est pas atteint" in _text(response)
    db.session.refresh(item)
    assert item.vote_status is VoteStatus.PENDING and not item.votes


def _paper(members_choices) -> dict:
    data = {}
    for n, (seat, choice) in enumerate(members_choices):
        data[f"votes-{n}-member_id"] = str(seat.id)
        data[f"votes-{n}-choice"] = choice
    return data


def test_paper_votes_then_closing_adopts_the_opinion(client, login, org, admin):
    meeting, (a, b, c, d, e) = _quorum_meeting(org, admin)
    item = meeting.items[0]
    secretary = a.user
    with current_app.test_request_context():
        services.update_member(admin, a, 1, True)
    db.session.commit()
    login(client, secretary)
    base = f"/instances/seances/{meeting.id}"
    client.post(f"{base}/presences", data={"present": [a.id, b.id, c.id, d.id]})
    response = client.post(f"{base}/points/{item.id}/vote/ouvrir", follow_redirects=True)
    assert "Vote ouvert" in _text(response)
    page = _text(client.get(f"{base}/points/{item.id}/vote/papier"))
    assert page.count("Ne prend pas part au vote") == 5
    response = client.post(
        f"{base}/points/{item.id}/vote/papier",
        data=_paper([(a, "for"), (b, "for"), (c, "against"), (d, "not_voting"), (e, "")]),
        follow_redirects=True,
    )
    assert "4 votes enregistrés." in _text(response)
    # a mistake is corrected before closing
    client.post(f"{base}/points/{item.id}/vote/papier", data=_paper([(d, "abstain")]))
    choices = {v.member_id: v.choice for v in item.votes}
    assert choices[d.id] is VoteChoice.ABSTAIN and e.id not in choices
    response = client.post(f"{base}/points/{item.id}/vote/clore", follow_redirects=True)
    assert "Avis adopté : 2 pour, 1 contre, 1 abstentions." in _text(response)
    db.session.refresh(item)
    assert item.vote_status is VoteStatus.CLOSED and item.adopted is True
    response = client.post(f"{base}/tenue", follow_redirects=True)
    assert "Séance déclarée tenue" in _text(response)
    db.session.refresh(meeting)
    assert meeting.status is MeetingStatus.HELD
    # the secretary does not write the minutes
    assert client.get(f"{base}/proces-verbal").status_code == 403


def test_a_bogus_paper_vote_is_refused(client, login, org, admin):
    meeting, (a, b, *_others) = _quorum_meeting(org, admin, quorum_numerator=0)
    item = meeting.items[0]
    login(client, admin)
    url = f"/instances/seances/{meeting.id}/points/{item.id}/vote/papier"
    response = client.post(url, data=_paper([(a, "maybe")]))
    assert response.status_code == 200
    assert "Un vote saisi n'est pas valable" in _text(response)
    with current_app.test_request_context():
        services.remove_member(admin, b)  # b left the body: no voice any more
    db.session.commit()
    response = client.post(url, data=_paper([(b, "for")]), follow_redirects=True)
    assert "Ce membre n&#39;a pas de voix dans ce vote." in _text(response)
    assert not item.votes


# --- minutes ----------------------------------------------------------------------------------


def _voted_meeting(org, admin, public_votes=True):
    meeting, seats = _quorum_meeting(org, admin, public_votes=public_votes)
    item = meeting.items[0]
    now = utcnow()
    with current_app.test_request_context():
        for seat in seats[:4]:
            services.record_attendance(admin, meeting, seat, True, now)
        services.open_vote(admin, item)
        services.enter_paper_votes(
            admin,
            item,
            {
                seats[0].id: VoteChoice.FOR,
                seats[1].id: VoteChoice.FOR,
                seats[2].id: VoteChoice.FOR,
                seats[3].id: VoteChoice.AGAINST,
            },
            now,
        )
        services.close_vote(admin, item, now)
    db.session.commit()
    return meeting, seats


MINUTES = (
    "<h2>Ouverture</h2><p>La séance est ouverte à 18 h 35 par <strong>le président</strong>.</p>"
    "<ul><li>Rappel de l'ordre du jour</li><li>Tour de table</li></ul>"
    "<p>Fin de séance &amp; remerciements.</p><script>alert(1)</script>"
)


def test_minutes_show_the_automatic_record_and_are_published(client, login, org, admin):
    meeting, seats = _voted_meeting(org, admin)
    login(client, admin)
    base = f"/instances/seances/{meeting.id}"
    page = _text(client.get(f"{base}/proces-verbal"))
    assert "Déclarez d'abord la séance tenue" in page
    assert client.get(f"{base}/proces-verbal.pdf").status_code == 404
    client.post(f"{base}/tenue")
    page = _text(client.get(f"{base}/proces-verbal"))
    assert "Présents : 4 — représentés : 0 — absents : 1, sur 5 membres." in page
    assert "Avis adopté" in page and "pour : 3, contre : 1" in page
    assert "Votes par membre" in page and seats[3].user.display_name in page
    response = client.post(f"{base}/proces-verbal/publier", follow_redirects=True)
    assert "Rédigez le procès-verbal avant de le publier." in _text(response)
    client.post(f"{base}/proces-verbal", data={"minutes": MINUTES})
    db.session.refresh(meeting)
    assert "<strong>le président</strong>" in meeting.minutes and "<script" not in meeting.minutes
    response = client.post(
        f"{base}/proces-verbal/publier", data={"public": "y"}, follow_redirects=True
    )
    assert "Procès-verbal publié" in _text(response)
    db.session.refresh(meeting)
    assert meeting.status is MeetingStatus.MINUTES_PUBLISHED and meeting.minutes_public
    subjects = [e.subject for e in _emails_to(seats[0].user.email)]
    assert sum("Procès-verbal publié" in s for s in subjects) == 1
    # published again, privately: no new e-mail
    client.post(f"{base}/proces-verbal/publier", data={})
    db.session.refresh(meeting)
    assert not meeting.minutes_public
    subjects = [e.subject for e in _emails_to(seats[0].user.email)]
    assert sum("Procès-verbal publié" in s for s in subjects) == 1


def test_plain_text_minutes_become_paragraphs(client, login, org, admin):
    meeting, _seats = _voted_meeting(org, admin)
    login(client, admin)
    base = f"/instances/seances/{meeting.id}"
    client.post(f"{base}/tenue")
    client.post(f"{base}/proces-verbal", data={"minutes": "Premier.\n\nSecond\nligne."})
    db.session.refresh(meeting)
    assert meeting.minutes == "<p>Premier.</p><p>Second<br>ligne.</p>"


def test_secret_votes_list_no_names(client, login, org, admin):
    meeting, seats = _voted_meeting(org, admin, public_votes=False)
    login(client, admin)
    base = f"/instances/seances/{meeting.id}"
    client.post(f"{base}/tenue")
    page = _text(client.get(f"{base}/proces-verbal"))
    assert "pour : 3, contre : 1" in page and "Votes par membre" not in page
    lines = _pdf_lines(client.get(f"{base}/proces-verbal.pdf").data)
    assert "Avis adopté" in lines and "Membre" not in lines.split("\n")


def _unescape(raw: bytes) -> bytes:
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match):
        token = match.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8)])
        return simple.get(token, token)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def _pdf_lines(content: bytes) -> str:
    """The text drawn by the PDF, one line per text operator."""
    streams = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        stream = stream.strip()
        if stream.endswith(b"~>"):
            stream = zlib.decompress(base64.a85decode(stream[:-2]))
        streams.append(stream)
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", b"\n".join(streams), re.S)
    return "\n".join(_unescape(s).decode("cp1252") for s in strings)


def test_the_minutes_pdf(client, login, org, admin):
    meeting, seats = _voted_meeting(org, admin)
    login(client, admin)
    base = f"/instances/seances/{meeting.id}"
    client.post(f"{base}/tenue")
    client.post(f"{base}/proces-verbal", data={"minutes": MINUTES})
    response = client.get(f"{base}/proces-verbal.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    lines = _pdf_lines(response.data)
    for text in (
        "Procès-verbal de séance",
        "Groupe mobilités",
        "Présents : 4",
        "Le quorum (3) est atteint.",
        "1. Avis sur le PLH",
        "Avis favorable au PLH.",
        "Avis adopté",
        "Ouverture",
        "La séance est ouverte à 18 h 35 par",
        "le président",
        "Rappel de l'ordre du jour",
        "Fin de séance & remerciements.",
        seats[3].user.display_name,
    ):
        assert text in lines, text


def test_the_pdf_converter_keeps_blocks_and_emphasis():
    from consultations.bodies.minutes_pdf import _Blocks

    parser = _Blocks()
    parser.feed(
        "<p>Un <b>gras <i>italique</p><p>suite</i></b> fin</p>"
        "<ol><li><p>un</p></li><li>deux</li></ol><table><tr><td>a</td><td>b</td></tr></table>"
    )
    parser.close()
    assert parser.blocks == [
        ("para", "Un <b>gras <i>italique</i></b>"),
        ("para", "<b><i>suite</i></b> fin"),
        ("para", "1.  un"),
        ("para", "2. deux"),
        ("para", "a | b"),
    ]


# --- meeting requests -------------------------------------------------------------------------


def test_an_admissible_request_becomes_a_meeting(client, login, org, admin):
    factories.mayors(org, 6)
    body = _conference(org, admin)
    seats = services.current_members(body)
    now = utcnow()
    with current_app.test_request_context():
        meeting_request = services.open_request(seats[0], "Collecte des déchets", "Urgent.", now)
        services.sign_request(seats[1], meeting_request, now)
    db.session.commit()
    assert meeting_request.status is RequestStatus.ADMISSIBLE
    login(client, admin)
    home = _text(client.get("/"))
    assert "Demande de réunion recevable : Collecte des déchets" in home
    listing = _text(client.get(f"/instances/{body.id}/demandes"))
    assert "Collecte des déchets" in listing and "Recevable" in listing
    assert "un tiers des membres (2 sur 6), 4 par an" in listing
    page = _text(client.get(f"/instances/demandes/{meeting_request.id}"))
    assert "2 sur 2 nécessaires (6 membres)" in page
    create = f"/instances/{body.id}/seances/nouvelle?demande={meeting_request.id}"
    assert create.replace("?", "?").split("?")[1] in page
    assert "Séance demandée : Collecte des déchets" in _text(client.get(create))
    response = client.post(create, data=_meeting_form(title="Séance demandée"))
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.request_id == meeting_request.id
    db.session.refresh(meeting_request)
    assert meeting_request.status is RequestStatus.CONVENED
    assert "Séance convoquée le" in _text(client.get(f"/instances/demandes/{meeting_request.id}"))
    # a second meeting on the same request is refused
    response = client.post(create, data=_meeting_form(), follow_redirects=True)
    assert "Cette demande n&#39;est pas recevable" in _text(response)
    assert len(db.session.scalars(select(Meeting)).all()) == 1


def test_a_request_of_another_body_is_not_found(client, login, org, admin):
    factories.mayors(org, 3)
    conference = _conference(org, admin)
    group, _seats = _group(org, admin, 2, name="Autre groupe")
    with current_app.test_request_context():
        meeting_request = services.open_request(
            services.current_members(conference)[0], "Sujet", "", utcnow()
        )
    db.session.commit()
    login(client, admin)
    url = f"/instances/{group.id}/seances/nouvelle?demande={meeting_request.id}"
    assert client.get(url).status_code == 404


# --- bounded queries --------------------------------------------------------------------------


def test_body_and_meeting_pages_use_bounded_queries_for_36_and_92_mayors(
    client, login, count_queries
):
    counts = []
    for siren, host in (("246200364", "lens.test"), ("200054807", "amp.test")):
        org = factories.organisation(siren, host=host)
        admin = factories.user(org, Role.ADMIN)
        factories.mayors(org)
        body = _conference(org, admin)
        meeting = factories.meeting(body, admin, convene=True)
        members = services.current_members(body)
        now = utcnow()
        with current_app.test_request_context():
            services.answer(
                members[1], meeting, services.AttendanceAnswer.REPRESENTED, members[0], now
            )
            for seat in members[: len(members) // 2 + 1]:
                services.record_attendance(admin, meeting, seat, True, now)
        db.session.commit()
        login(client, admin, host=host)
        pages = []
        for url in (
            f"/instances/{body.id}",
            f"/instances/seances/{meeting.id}",
            f"/instances/seances/{meeting.id}/presences",
            f"/instances/seances/{meeting.id}/points/{meeting.items[0].id}/vote/papier",
            "/instances/",
        ):
            with count_queries() as counter:
                assert client.get(f"http://{host}{url}").status_code == 200
            pages.append(counter.count)
        counts.append(pages)
    assert counts[0] == counts[1]
    assert max(counts[0]) <= 35


# --- forms without JavaScript, messages ---------------------------------------------------------


def test_the_attendance_buttons_work_with_csrf_protection(client, login, org, admin, csrf_on):
    meeting, (a, *_others) = _quorum_meeting(org, admin)
    login(client, admin)
    url = f"/instances/seances/{meeting.id}/presences"
    page = _text(client.get(url))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(url, data={"mark": f"{a.id}:1"}).status_code == 400
    response = client.post(url, data={"csrf_token": token, "mark": f"{a.id}:1"})
    assert response.status_code == 302
    assert db.session.scalar(select(Attendance.present).where(Attendance.member_id == a.id))


def test_every_refusal_of_the_services_has_its_message(app):
    from pathlib import Path

    from consultations.bodies.messages import error_message
    from consultations.bodies.services.common import BodyError

    root = Path(__file__).resolve().parents[2] / "consultations" / "bodies"
    codes = set()
    for path in (root / "services").glob("*.py"):
        codes |= set(re.findall(r'BodyError\("([a-z_]+)"', path.read_text()))
    rules_source = (root / "rules.py").read_text()
    codes |= {f"proxy_{c}" for c in re.findall(r'ProxyRefused\("([a-z_]+)"\)', rules_source)}
    assert "quorum_not_met" in codes and "proxy_holder_full" in codes
    with app.test_request_context():
        fallback = error_message(BodyError("no_such_code"))
        for code in codes:
            assert error_message(BodyError(code, cap=4, counted=2, required=3)) != fallback, code
