"""The members' side of bodies: convocations and receipts, answers and proxies, live votes,
meeting requests, minutes and calendars.

Every route is exercised through the test client for each kind of person: a member of the
body, a member of another body, a mayor who does not sit in it, a citizen, an EPCI admin, a
person of another organisation and an anonymous visitor.
"""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from flask import current_app
from icalendar import Calendar
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.uploads import services as uploads
from app.users.models import Role
from consultations.bodies import services
from consultations.bodies.models import (
    AttendanceAnswer,
    BodyKind,
    CalendarFeed,
    MeetingRequest,
    Proxy,
    RequestSignature,
    RequestStatus,
    Vote,
    VoteChoice,
)
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
ITEM = "Avis sur le plan de mobilité"

PROXY_NOT_MEMBER = "Un pouvoir ne peut être donné qu'à un autre membre de l'instance"
PROXY_CHAIN_HOLDER = "Ce membre a lui-même donné pouvoir à un autre membre"
PROXY_CHAIN_GIVER = "Vous détenez le pouvoir d'un autre membre"
PROXY_FULL = "Ce membre détient déjà 1 pouvoir, le maximum"
HOLDER_REQUIRED = "Choisissez le membre à qui vous donnez pouvoir."
ALREADY_VOTED = "Ce vote est déjà enregistré : il ne peut plus être modifié."
NO_VOICE = "Vous n'avez pas de voix à exprimer ici"
VOTE_NOT_OPEN = "Le vote sur ce point n'est pas ouvert"
YEARLY_CAP = (
    "4 demandes de réunion ont déjà été déclarées recevables cette année civile, le maximum "
    "permis : une nouvelle demande ne peut pas aboutir avant le 1er janvier."
)


# --- people, bodies and meetings -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _served_on_localhost(org):
    """Lens-Liévin answers on localhost even when another organisation exists."""
    add_host(org, "localhost")
    db.session.commit()


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


def make_group(org, admin, people, name="Groupe mobilités", **body_rules):
    """A working group of these people (mayors sit for their commune)."""
    body_rules.setdefault("request_numerator", 1)
    body_rules.setdefault("request_denominator", 3)
    with current_app.test_request_context():
        body = services.create_body(
            admin, org, BodyKind.WORKING_GROUP, name, rules=services.BodyRules(**body_rules)
        )
        for person in people:
            communes = person.communes_for(Role.MAYOR)
            services.add_member(admin, body, person, commune=communes[0] if communes else None)
    db.session.commit()
    return body


def seats_of(body, people) -> list:
    seats = {m.user_id: m for m in services.current_members(body)}
    return [seats[p.id] for p in people]


@pytest.fixture
def mayors(org):
    """Five mayors: A, B, C, D, E of the working group."""
    return factories.mayors(org, 5)


@pytest.fixture
def group(org, admin, mayors):
    return make_group(org, admin, mayors)


@pytest.fixture
def seats(group, mayors):
    return seats_of(group, mayors)


@pytest.fixture
def meeting(group, admin):
    return factories.meeting(
        group,
        admin,
        items=[
            {"title": ITEM, "vote": True, "opinion": "Avis favorable au plan de mobilité."},
            {"title": "Questions diverses"},
        ],
        convene=True,
    )


def add_document(org, admin, meeting, name="plan-mobilite.pdf"):
    stored = uploads.store(FileStorage(io.BytesIO(PDF), filename=name), org.id, admin.id)
    document = services.add_item_document(admin, meeting.items[0], stored)
    db.session.commit()
    return document


def published(body, admin, public=False, minutes="<p>Séance ouverte à 18 h par le président.</p>"):
    """A meeting held, its minutes written and published."""
    held = factories.meeting(body, admin, items=[{"title": "Point d'information"}], convene=True)
    now = utcnow()
    with current_app.test_request_context():
        services.mark_held(admin, held)
        services.write_minutes(admin, held, minutes)
        services.publish_minutes(admin, held, public, now)
    db.session.commit()
    return held


def open_request(seat, subject="Desserte en bus des zones d'activité"):
    with current_app.test_request_context():
        created = services.open_request(seat, subject, "Les horaires ne conviennent pas.", utcnow())
    db.session.commit()
    return created


@pytest.fixture
def cast(org, other_org, admin, mayors):
    """Everyone who may knock at a member's door, by the name used in the parameters."""
    other_body_member = factories.user(org, Role.COMMUNE_STAFF, name="DGS d'une autre commune")
    make_group(org, admin, [other_body_member], name="Commission culture")
    return {
        "member": mayors[1],
        "other_body_member": other_body_member,
        "mayor_not_member": factories.user(
            org, Role.MAYOR, commune=org.communes[10].insee_code, name="Maire non membre"
        ),
        "citizen": factories.user(org, Role.CITIZEN, name="Habitant"),
        "admin": admin,
        "other_org": factories.user(other_org, Role.MAYOR, commune="11069"),
        "anonymous": None,
    }


PEOPLE = [
    "member",
    "other_body_member",
    "mayor_not_member",
    "citizen",
    "admin",
    "other_org",
    "anonymous",
]


def sign_in(client, login, person, who=None):
    if person is None:
        return "http://localhost"
    host = "carcassonne.test" if who == "other_org" else "localhost"
    login(client, person, host=host)
    return f"http://{host}"


def status(client, url: str, base: str = "http://localhost") -> int:
    """The status of a GET, its body closed (downloads are streamed from open files)."""
    with client.get(url, base_url=base) as response:
        return response.status_code


def text(response) -> str:
    return unescape(response.text)


def flashed(client, response, base="http://localhost") -> str:
    """The page a POST redirects to, with its flash messages."""
    assert response.status_code == 302, response.status_code
    return text(client.get(response.headers["Location"], base_url=base))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- who may do what -------------------------------------------------------------------------

# (index, body, meeting, .ics, document, request, new request, private minutes, agenda)
READ_STATUS = {
    "member": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "other_body_member": (200, 403, 403, 403, 403, 403, 403, 404, 200),
    "mayor_not_member": (200, 403, 403, 403, 403, 403, 403, 404, 200),
    "citizen": (200, 403, 403, 403, 403, 403, 403, 404, 200),
    "admin": (200, 200, 200, 200, 200, 200, 403, 200, 200),
    "other_org": (200, 404, 404, 404, 404, 404, 404, 404, 200),
    "anonymous": (302, 302, 302, 302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_member_pages_are_for_the_members_of_the_body(
    client, org, admin, group, seats, meeting, cast, login, who
):
    document = add_document(org, admin, meeting)
    request = open_request(seats[0])
    minutes = published(group, admin, public=False)
    base = sign_in(client, login, cast[who], who)
    urls = [
        "/mes-instances/",
        f"/mes-instances/{group.id}",
        f"/mes-instances/seances/{meeting.id}",
        f"/mes-instances/seances/{meeting.id}/seance.ics",
        f"/mes-instances/seances/{meeting.id}/documents/{document.id}",
        f"/mes-instances/demandes/{request.id}",
        f"/mes-instances/{group.id}/demandes/nouvelle",
        f"/mes-instances/seances/{minutes.id}/proces-verbal",
        "/mes-instances/agenda",
    ]
    assert tuple(status(client, url, base) for url in urls) == READ_STATUS[who]
    if who == "anonymous":
        for url in urls:
            assert "/login" in client.get(url).headers["Location"]


# (answer, acknowledge, vote, sign, withdraw signature, new request, new calendar address)
WRITE_STATUS = {
    "member": (302, 302, 302, 302, 302, 302, 302),
    "other_body_member": (403, 403, 403, 403, 403, 403, 302),
    "mayor_not_member": (403, 403, 403, 403, 403, 403, 302),
    "citizen": (403, 403, 403, 403, 403, 403, 302),
    "admin": (403, 404, 302, 403, 403, 403, 302),
    "other_org": (404, 404, 404, 404, 404, 404, 302),
    "anonymous": (302, 302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_only_members_answer_vote_and_sign(
    client, org, admin, group, seats, meeting, cast, login, who
):
    request = open_request(seats[0])
    item = meeting.items[0]
    with current_app.test_request_context():
        services.record_attendance(admin, meeting, seats[1], True, utcnow())
        services.open_vote(admin, item)
    db.session.commit()
    base = sign_in(client, login, cast[who], who)
    posts = [
        (f"/mes-instances/seances/{meeting.id}", {"answer": "present"}),
        (f"/mes-instances/seances/{meeting.id}/accuse-reception", {"submit": "1"}),
        (
            f"/mes-instances/seances/{meeting.id}/points/{item.id}/vote",
            {"member_id": str(seats[1].id), "choice": "for"},
        ),
        (f"/mes-instances/demandes/{request.id}/signer", {"submit": "1"}),
        (f"/mes-instances/demandes/{request.id}/retirer-signature", {"submit": "1"}),
        (f"/mes-instances/{group.id}/demandes/nouvelle", {"subject": "Tarifs du réseau"}),
        ("/mes-instances/agenda", {"submit": "1"}),
    ]
    statuses = tuple(client.post(url, data=data, base_url=base).status_code for url, data in posts)
    assert statuses == WRITE_STATUS[who]
    db.session.expire_all()
    expected_votes = 1 if who == "member" else 0
    assert count(Vote) == expected_votes
    # the member's signature completed the request (two of five), then they opened another
    assert count(MeetingRequest) == (2 if who == "member" else 1)
    if who == "anonymous":
        assert all(
            "/login" in client.post(url, data=data).headers["Location"] for url, data in posts
        )


def test_unknown_things_are_not_found(client, org, group, seats, meeting, login):
    login(client, seats[0].user)
    for url in (
        "/mes-instances/999999",
        "/mes-instances/seances/999999",
        f"/mes-instances/seances/{meeting.id}/documents/999999",
        "/mes-instances/demandes/999999",
        "/mes-instances/999999/demandes/nouvelle",
        "/mes-instances/seances/999999/proces-verbal",
    ):
        assert status(client, url) == 404, url


def test_a_meeting_in_preparation_is_not_shown_to_members(client, admin, group, seats, login):
    draft = factories.meeting(group, admin, convene=False)
    login(client, seats[0].user)
    assert status(client, f"/mes-instances/seances/{draft.id}") == 404
    assert draft.title not in text(client.get(f"/mes-instances/{group.id}"))
    login(client, admin)
    assert status(client, f"/mes-instances/seances/{draft.id}") == 200


def test_a_document_of_another_meeting_is_not_found(client, org, admin, group, seats, login):
    first = factories.meeting(group, admin, convene=True)
    second = factories.meeting(group, admin, days=14, convene=True)
    document = add_document(org, admin, second)
    login(client, seats[0].user)
    assert status(client, f"/mes-instances/seances/{first.id}/documents/{document.id}") == 404
    with client.get(f"/mes-instances/seances/{second.id}/documents/{document.id}") as response:
        assert response.status_code == 200 and response.data == PDF


def test_the_navigation_shows_my_bodies_to_elected_people_and_staff(client, org, login):
    login(client, factories.user(org, Role.MAYOR, commune=org.communes[3].insee_code))
    assert "Mes instances" in text(client.get("/"))
    login(client, factories.user(org, Role.CITIZEN))
    assert "Mes instances" not in text(client.get("/"))


# --- convocations: receipts ------------------------------------------------------------------


def test_the_email_link_acknowledges_receipt_without_logging_in(client, meeting, seats):
    email = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == seats[0].user.email)
    ).one()
    link = re.search(r"http://localhost(/mes-instances/convocations/\S+)", email.body_text)
    assert link, email.body_text
    page = client.get(link.group(1))
    assert page.status_code == 200 and ITEM in text(page)
    assert "J'accuse réception" in text(page)
    done = client.post(link.group(1), data={"submit": "1"})
    assert "Réception de la convocation confirmée" in flashed(client, done)
    db.session.expire_all()
    convocation = services.convocation_for(meeting, seats[0])
    assert convocation.acknowledged_at is not None
    assert services.convocation_for(meeting, seats[1]).acknowledged_at is None


def test_a_wrong_or_foreign_token_is_not_found(client, org, other_org, meeting, seats):
    assert status(client, "/mes-instances/convocations/not-a-token") == 404
    assert client.post("/mes-instances/convocations/not-a-token").status_code == 404
    token = services.convocation_for(meeting, seats[0]).token
    assert status(client, f"/mes-instances/convocations/{token}", "http://carcassonne.test") == 404


def test_acknowledging_in_the_platform(client, meeting, seats, login):
    login(client, seats[0].user)
    page = text(client.get(f"/mes-instances/seances/{meeting.id}"))
    assert "Vous n'avez pas encore accusé réception de cette convocation." in page
    index = text(client.get("/mes-instances/"))
    assert "à confirmer" in index
    done = client.post(f"/mes-instances/seances/{meeting.id}/accuse-reception")
    assert "Réception de la convocation confirmée" in flashed(client, done)
    db.session.expire_all()
    assert services.convocation_for(meeting, seats[0]).acknowledged_at is not None
    assert "confirmée le" in text(client.get("/mes-instances/"))


# --- convocations: answers and proxies -------------------------------------------------------


def answer(client, meeting, reply, holder=None):
    data = {"answer": reply, "holder_id": str(holder.id) if holder else ""}
    return client.post(f"/mes-instances/seances/{meeting.id}", data=data)


def test_answers_present_absent_and_represented(client, meeting, seats, login):
    a, b = seats[0], seats[1]
    login(client, a.user)
    assert "Votre présence est enregistrée" in flashed(client, answer(client, meeting, "present"))
    db.session.expire_all()
    convocation = services.convocation_for(meeting, a)
    assert convocation.answer is AttendanceAnswer.PRESENT
    assert convocation.acknowledged_at is not None  # answering is also a receipt
    assert "Votre absence est enregistrée" in flashed(client, answer(client, meeting, "absent"))
    page = flashed(client, answer(client, meeting, "represented", b))
    assert f"Votre pouvoir est donné à {b.user.display_name}" in page
    assert f"pouvoir donné à {b.user.display_name}" in page
    db.session.expire_all()
    assert [(p.giver_id, p.holder_id) for p in services.proxies_of(meeting)] == [(a.id, b.id)]
    # the holder sees it
    login(client, b.user)
    assert f"Vous détenez le pouvoir de {a.user.display_name}" in text(
        client.get(f"/mes-instances/seances/{meeting.id}")
    )
    login(client, a.user)
    flashed(client, answer(client, meeting, "present"))
    db.session.expire_all()
    assert services.proxies_of(meeting) == []


def test_the_proxy_select_lists_the_other_current_members(client, org, meeting, seats, login):
    login(client, seats[0].user)
    page = client.get(f"/mes-instances/seances/{meeting.id}").text
    select_html = re.search(r'<select[^>]*name="holder_id".*?</select>', page, re.S).group(0)
    values = set(re.findall(r'value="(\d+)"', select_html))
    assert values == {str(s.id) for s in seats[1:]}


def test_a_proxy_to_a_non_member_is_refused(client, org, admin, group, meeting, seats, login):
    outsider = factories.user(org, Role.COMMUNE_STAFF, name="Hors instance")
    other = make_group(org, admin, [outsider], name="Commission culture")
    foreign_seat = seats_of(other, [outsider])[0]
    login(client, seats[0].user)
    for holder_id in (str(foreign_seat.id), "999999"):
        response = client.post(
            f"/mes-instances/seances/{meeting.id}",
            data={"answer": "represented", "holder_id": holder_id},
        )
        assert response.status_code == 200
        assert PROXY_NOT_MEMBER in text(response)
    # a former member is no longer a member
    with current_app.test_request_context():
        services.remove_member(admin, seats[4])
    db.session.commit()
    response = answer(client, meeting, "represented", seats[4])
    assert response.status_code == 200 and PROXY_NOT_MEMBER in text(response)
    assert count(Proxy) == 0


def test_represented_needs_a_holder(client, meeting, seats, login):
    login(client, seats[0].user)
    response = answer(client, meeting, "represented")
    assert response.status_code == 200 and HOLDER_REQUIRED in text(response)
    assert count(Proxy) == 0


def test_chains_of_proxies_are_refused(client, meeting, seats, login):
    a, b, c, d = seats[:4]
    login(client, b.user)
    flashed(client, answer(client, meeting, "represented", c))  # b -> c
    login(client, a.user)
    refused = answer(client, meeting, "represented", b)  # a -> b, but b gave to c
    assert refused.status_code == 200 and PROXY_CHAIN_HOLDER in text(refused)
    login(client, c.user)
    refused = answer(client, meeting, "represented", d)  # c holds b's proxy
    assert refused.status_code == 200 and PROXY_CHAIN_GIVER in text(refused)
    db.session.expire_all()
    assert [(p.giver_id, p.holder_id) for p in services.proxies_of(meeting)] == [(b.id, c.id)]


def test_one_proxy_held_at_most_by_default_and_more_when_configured(
    client, group, meeting, seats, login
):
    a, b, c = seats[:3]
    login(client, b.user)
    flashed(client, answer(client, meeting, "represented", c))
    login(client, a.user)
    page = text(client.get(f"/mes-instances/seances/{meeting.id}"))
    assert "détient déjà le nombre maximal de pouvoirs" in page
    refused = answer(client, meeting, "represented", c)
    assert refused.status_code == 200 and PROXY_FULL in text(refused)
    group.max_proxies_held = 2
    db.session.commit()
    assert "Votre pouvoir est donné" in flashed(client, answer(client, meeting, "represented", c))
    db.session.expire_all()
    assert count(Proxy) == 2


def test_no_answer_once_the_meeting_is_held(client, admin, meeting, seats, login):
    with current_app.test_request_context():
        services.mark_held(admin, meeting)
    db.session.commit()
    login(client, seats[0].user)
    page = text(client.get(f"/mes-instances/seances/{meeting.id}"))
    assert "Enregistrer ma réponse" not in page
    response = answer(client, meeting, "present")
    assert response.status_code == 200 and "n'attend plus de réponse" in text(response)


# --- live votes ------------------------------------------------------------------------------


@pytest.fixture
def live(client, admin, meeting, seats, login):
    """A and B present, C gave A a proxy, D and E absent; the vote on the first item is open."""
    a, b, c = seats[:3]
    now = utcnow()
    with current_app.test_request_context():
        services.answer(c, meeting, AttendanceAnswer.REPRESENTED, a, now)
        services.record_attendance(admin, meeting, a, True, now)
        services.record_attendance(admin, meeting, b, True, now)
        services.open_vote(admin, meeting.items[0])
    db.session.commit()
    return meeting.items[0]


def vote(client, meeting, item, seat, choice="for"):
    return client.post(
        f"/mes-instances/seances/{meeting.id}/points/{item.id}/vote",
        data={"member_id": str(seat.id), "choice": choice},
    )


def test_a_present_member_votes_for_themselves_and_by_proxy(client, meeting, seats, live, login):
    a, b, c = seats[:3]
    login(client, a.user)
    page = client.get(f"/mes-instances/seances/{meeting.id}").text
    assert page.count(f'action="/mes-instances/seances/{meeting.id}/points/{live.id}/vote"') == 2
    assert "qui vous a donné pouvoir" in unescape(page)
    assert "Vote enregistré." in flashed(client, vote(client, meeting, live, a, "for"))
    page = flashed(client, vote(client, meeting, live, c, "against"))
    assert f"Vote enregistré pour {c.user.display_name}, par pouvoir." in page
    assert "Vote enregistré : Pour" in page
    assert "(par pouvoir) : Contre" in page
    db.session.expire_all()
    votes = {v.member_id: v for v in db.session.scalars(select(Vote))}
    assert votes[a.id].choice is VoteChoice.FOR and not votes[a.id].by_proxy
    assert votes[c.id].choice is VoteChoice.AGAINST and votes[c.id].by_proxy
    assert votes[c.id].cast_by_id == a.user.id
    # no result while the vote is open
    assert "Avis adopté" not in page and "pour : 1, contre : 1" not in page


def test_a_vote_cannot_be_cast_twice(client, meeting, seats, live, login):
    login(client, seats[1].user)
    flashed(client, vote(client, meeting, live, seats[1], "for"))
    assert ALREADY_VOTED in flashed(client, vote(client, meeting, live, seats[1], "against"))
    db.session.expire_all()
    assert [v.choice for v in db.session.scalars(select(Vote))] == [VoteChoice.FOR]


def test_an_absent_member_cannot_vote(client, meeting, seats, live, login):
    d = seats[3]
    login(client, d.user)
    page = text(client.get(f"/mes-instances/seances/{meeting.id}"))
    assert "votre présence n'est pas enregistrée" in page
    assert NO_VOICE in flashed(client, vote(client, meeting, live, d))
    # nor for someone else's voice
    login(client, seats[1].user)
    assert NO_VOICE in flashed(client, vote(client, meeting, live, seats[0]))
    assert count(Vote) == 0


def test_a_closed_vote_shows_its_result_and_refuses_votes(
    client, admin, meeting, seats, live, login
):
    a, b = seats[:2]
    login(client, a.user)
    flashed(client, vote(client, meeting, live, a, "for"))
    login(client, b.user)
    flashed(client, vote(client, meeting, live, b, "abstain"))
    with current_app.test_request_context():
        services.close_vote(admin, live, utcnow())
    db.session.commit()
    login(client, a.user)
    page = flashed(client, vote(client, meeting, live, seats[2], "against"))
    assert VOTE_NOT_OPEN in page
    assert "Avis adopté" in page
    assert "pour : 1, contre : 0, abstentions : 1, ne prennent pas part au vote : 0" in page
    assert count(Vote) == 2


def test_a_vote_without_a_choice_is_refused(client, meeting, seats, live, login):
    login(client, seats[0].user)
    response = client.post(
        f"/mes-instances/seances/{meeting.id}/points/{live.id}/vote",
        data={"member_id": str(seats[0].id)},
    )
    assert "Choisissez votre vote" in flashed(client, response)
    assert count(Vote) == 0


def test_votes_on_an_item_of_another_meeting_are_not_found(
    client, admin, group, meeting, seats, live, login
):
    other = factories.meeting(group, admin, days=14, convene=True)
    login(client, seats[0].user)
    response = client.post(
        f"/mes-instances/seances/{other.id}/points/{live.id}/vote",
        data={"member_id": str(seats[0].id), "choice": "for"},
    )
    assert response.status_code == 404


# --- meeting requests ------------------------------------------------------------------------


def conference(org, admin=None):
    """The conférence des maires of `org`, one mayor per commune."""
    people = factories.mayors(org)
    with current_app.test_request_context():
        body = services.ensure_mayors_conference(admin, org)
    db.session.commit()
    return body, seats_of(body, people)


@pytest.mark.parametrize(
    "siren, slug, host, mayors_count, threshold",
    [
        ("246200364", None, "localhost", 36, 12),
        ("200035715", "carcassonne", "carcassonne.test", 83, 28),
        ("200054807", None, "amp.test", 92, 31),
    ],
)
def test_a_third_of_the_mayors(client, org, login, siren, slug, host, mayors_count, threshold):
    place = org if siren == org.siren else factories.organisation(siren, slug=slug, host=host)
    body, seats = conference(place)
    assert len(seats) == mayors_count
    request = open_request(seats[0])
    login(client, seats[1].user, host=host)
    page = text(client.get(f"/mes-instances/demandes/{request.id}", base_url=f"http://{host}"))
    assert f"1 signature sur {threshold} nécessaires" in page
    assert f"Il manque {threshold - 1} signatures" in page
    assert "Signer la demande" in page
    body_page = text(client.get(f"/mes-instances/{body.id}", base_url=f"http://{host}"))
    assert f"recevable avec {threshold} signatures de membres sur {mayors_count}" in body_page


def test_a_request_is_admissible_at_exactly_the_threshold(client, org, admin, login):
    body, seats = conference(org, admin)
    request = open_request(seats[0])
    now = utcnow()
    with current_app.test_request_context():
        for seat in seats[1:11]:
            services.sign_request(seat, request, now)
    db.session.commit()
    login(client, seats[11].user)
    page = text(client.get(f"/mes-instances/demandes/{request.id}"))
    assert "11 signatures sur 12 nécessaires" in page and "Il manque 1 signature " in page
    assert count(OutboxEmail) == 0
    done = flashed(client, client.post(f"/mes-instances/demandes/{request.id}/signer"))
    assert "la demande est recevable" in done
    assert "12 signatures sur 12 nécessaires" in done
    assert "Signer la demande" not in done
    db.session.expire_all()
    request = db.session.get(MeetingRequest, request.id)
    assert request.status is RequestStatus.ADMISSIBLE and request.threshold == 12
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert [e.to_address for e in emails] == [admin.email]
    assert "Demande de réunion recevable" in emails[0].subject
    # the thirteenth mayor comes too late
    login(client, seats[12].user)
    late = flashed(client, client.post(f"/mes-instances/demandes/{request.id}/signer"))
    assert "Cette demande ne recueille plus de signatures." in late
    assert count(RequestSignature) == 12


def test_a_fifth_admissible_request_in_the_year_is_refused(client, org, admin, login):
    people = factories.mayors(org, 3)  # a third of 3: one signature is enough
    with current_app.test_request_context():
        body = services.ensure_mayors_conference(admin, org)
    db.session.commit()
    seats = seats_of(body, people)
    for n in range(4):
        assert open_request(seats[0], f"Sujet {n}").status is RequestStatus.ADMISSIBLE
    login(client, seats[1].user)
    page = text(client.get(f"/mes-instances/{body.id}/demandes/nouvelle"))
    assert "Cette année : 4 demandes recevables." in page
    response = client.post(
        f"/mes-instances/{body.id}/demandes/nouvelle",
        data={"subject": "Cinquième demande", "description": "Urgent"},
    )
    assert response.status_code == 200
    page = text(response)
    assert YEARLY_CAP in page
    assert 'value="Cinquième demande"' in page  # what was typed is kept
    assert count(MeetingRequest) == 4


def test_a_request_reaching_the_threshold_over_the_cap_is_refused(
    client, org, admin, group, seats, login
):
    """Collecting when four others became admissible: reaching the threshold refuses it."""
    late = open_request(seats[0], "Demande tardive")
    now = utcnow()
    with current_app.test_request_context():
        for n in range(4):
            other = services.open_request(seats[0], f"Sujet {n}", "", now)
            services.sign_request(seats[1], other, now)
    db.session.commit()
    login(client, seats[2].user)
    page = flashed(client, client.post(f"/mes-instances/demandes/{late.id}/signer"))
    assert YEARLY_CAP in page
    assert "refusée : plafond annuel atteint" in page
    db.session.expire_all()
    assert db.session.get(MeetingRequest, late.id).status is RequestStatus.REFUSED


def test_opening_signing_and_withdrawing(client, org, admin, group, seats, login):
    a, b = seats[:2]
    login(client, a.user)
    form = client.get(f"/mes-instances/{group.id}/demandes/nouvelle")
    assert "La demande est recevable lorsque 2 membres sur 5 l'ont signée" in text(form)
    missing = client.post(f"/mes-instances/{group.id}/demandes/nouvelle", data={"subject": ""})
    assert missing.status_code == 200 and "Ce champ est obligatoire." in text(missing)
    opened = client.post(
        f"/mes-instances/{group.id}/demandes/nouvelle",
        data={"subject": "Pistes cyclables", "description": "Continuités entre communes"},
    )
    page = flashed(client, opened)
    assert "Signature enregistrée : 1 signature sur 2 nécessaires." in page
    assert "Continuités entre communes" in page
    request = db.session.scalars(select(MeetingRequest)).one()
    assert request.opened_by_id == a.id and request.status is RequestStatus.COLLECTING
    login(client, b.user)
    signed = flashed(client, client.post(f"/mes-instances/demandes/{request.id}/signer"))
    assert "la demande est recevable" in signed
    assert "2 signatures sur 2 nécessaires" in signed


def test_withdrawing_a_signature(client, org, admin, mayors, login):
    more = [  # nine members: three signatures are needed
        factories.user(org, Role.MAYOR, commune=c.insee_code) for c in org.communes[5:9]
    ]
    body = make_group(org, admin, mayors + more, name="Groupe élargi")
    seats = seats_of(body, mayors + more)
    request = open_request(seats[0])
    login(client, seats[1].user)
    page = flashed(client, client.post(f"/mes-instances/demandes/{request.id}/signer"))
    assert "2 signatures sur 3 nécessaires" in page and "Retirer ma signature" in page
    page = flashed(client, client.post(f"/mes-instances/demandes/{request.id}/retirer-signature"))
    assert "Votre signature est retirée." in page
    assert "1 signature sur 3 nécessaires" in page
    again = client.post(f"/mes-instances/demandes/{request.id}/retirer-signature")
    assert "Vous n'avez pas signé cette demande." in flashed(client, again)
    # the opener withdrawing withdraws the request
    login(client, seats[0].user)
    page = flashed(client, client.post(f"/mes-instances/demandes/{request.id}/retirer-signature"))
    assert "la demande que vous aviez ouverte est retirée" in page
    db.session.expire_all()
    assert db.session.get(MeetingRequest, request.id).status is RequestStatus.WITHDRAWN
    assert "Cette demande ne recueille plus de signatures." in flashed(
        client, client.post(f"/mes-instances/demandes/{request.id}/signer")
    )


def test_requests_and_their_outcome_are_listed(client, org, admin, group, seats, login):
    collecting = open_request(seats[0], "Tarifs du réseau de bus")
    admissible = open_request(seats[0], "Plan vélo")
    with current_app.test_request_context():
        services.sign_request(seats[1], admissible, utcnow())
    db.session.commit()
    login(client, seats[1].user)
    body_page = text(client.get(f"/mes-instances/{group.id}"))
    index = text(client.get("/mes-instances/"))
    for page in (body_page, index):
        assert "Tarifs du réseau de bus" in page and "Plan vélo" in page
        assert "recueil des signatures" in page
        assert "recevable : le président doit convoquer" in page
        assert "2 signatures sur 2 nécessaires" in page
    request_page = text(client.get(f"/mes-instances/demandes/{admissible.id}"))
    assert "Le président de l'instance et l'EPCI en ont été informés" in request_page
    for seat in seats[:2]:
        assert seat.user.display_name in request_page
    assert collecting.status is RequestStatus.COLLECTING


def test_bodies_without_requests_offer_none(client, org, admin, mayors, login):
    body = make_group(org, admin, mayors, name="Bureau", request_numerator=0)
    login(client, mayors[0])
    assert "Demander une réunion" not in text(client.get(f"/mes-instances/{body.id}"))
    assert status(client, f"/mes-instances/{body.id}/demandes/nouvelle") == 403


# --- minutes ---------------------------------------------------------------------------------


def test_private_minutes_are_for_the_members(client, org, admin, group, seats, login):
    held = published(group, admin, public=False)
    url = f"/mes-instances/seances/{held.id}/proces-verbal"
    assert "/login" in client.get(url).headers["Location"]
    login(client, factories.user(org, Role.CITIZEN))
    assert status(client, url) == 404
    login(client, seats[0].user)
    page = text(client.get(url))
    assert "Séance ouverte à 18 h par le président." in page
    assert "Présences" in page and "Avis et votes" in page
    assert "commande d'impression" in page
    meeting_page = text(client.get(f"/mes-instances/seances/{held.id}"))
    assert "Lire le procès-verbal" in meeting_page


def test_public_minutes_are_read_without_logging_in(client, org, other_org, admin, group, seats):
    held = published(
        group, admin, public=True, minutes="<p>Compte rendu.</p><script>alert(1)</script>"
    )
    url = f"/mes-instances/seances/{held.id}/proces-verbal"
    response = client.get(url)
    assert response.status_code == 200
    assert "Compte rendu." in text(response) and "<script>" not in response.text
    assert "← La séance" not in text(response)
    # not from another organisation's address
    assert status(client, url, "http://carcassonne.test") == 404


def test_minutes_not_yet_published_are_not_found(client, admin, group, meeting, seats, login):
    login(client, seats[0].user)
    assert status(client, f"/mes-instances/seances/{meeting.id}/proces-verbal") == 404


def test_minutes_show_the_votes_by_name(client, admin, group, meeting, seats, live, login):
    a = seats[0]
    login(client, a.user)
    flashed(client, vote(client, meeting, live, a, "for"))
    now = utcnow()
    with current_app.test_request_context():
        services.close_vote(admin, live, now)
        services.mark_held(admin, meeting)
        services.write_minutes(admin, meeting, "<p>Texte.</p>")
        services.publish_minutes(admin, meeting, True, now)
    db.session.commit()
    page = text(client.get(f"/mes-instances/seances/{meeting.id}/proces-verbal"))
    assert ITEM in page and "Avis adopté" in page
    assert f"{seats[2].user.display_name}" in page  # represented by A
    assert "pouvoir à" in page


# --- calendars -------------------------------------------------------------------------------


def feed_token(client) -> str:
    page = client.get("/mes-instances/agenda").text
    found = re.search(r"/mes-instances/calendrier/([\w-]+)\.ics", page)
    assert found, page
    return found.group(1)


def summaries(data: bytes) -> set[str]:
    parsed = Calendar.from_ical(data)
    return {str(event["SUMMARY"]) for event in parsed.walk("VEVENT")}


def test_the_calendar_feed_holds_only_my_meetings(
    client, org, other_org, admin, group, seats, login
):
    mine = factories.meeting(group, admin, convene=True)
    mine.title = "Séance des mobilités"
    outsider = factories.user(org, Role.COMMUNE_STAFF, name="DGS")
    other_body = make_group(org, admin, [outsider], name="Commission culture")
    theirs = factories.meeting(other_body, admin, convene=True)
    theirs.title = "Séance de la culture"
    db.session.commit()
    login(client, seats[0].user)
    assert "Créer l'adresse de mon agenda" in text(client.get("/mes-instances/agenda"))
    created = flashed(client, client.post("/mes-instances/agenda", data={"submit": "1"}))
    assert "Adresse de votre agenda créée" in created
    assert "webcal://localhost/mes-instances/calendrier/" in created
    token = feed_token(client)
    # no login: the token is the credential
    anonymous = current_app.test_client()
    response = anonymous.get(f"/mes-instances/calendrier/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert summaries(response.data) == {"Groupe mobilités — Séance des mobilités"}
    assert status(anonymous, "/mes-instances/calendrier/unknown-token.ics") == 404
    assert (
        status(anonymous, f"/mes-instances/calendrier/{token}.ics", "http://carcassonne.test")
        == 404
    )


def test_a_new_calendar_address_invalidates_the_old_one(client, org, group, seats, meeting, login):
    login(client, seats[0].user)
    client.post("/mes-instances/agenda", data={"submit": "1"})
    old = feed_token(client)
    renewed = flashed(client, client.post("/mes-instances/agenda", data={"submit": "1"}))
    assert "l'ancienne ne fonctionne plus" in renewed
    new = feed_token(client)
    assert new != old
    anonymous = current_app.test_client()
    assert status(anonymous, f"/mes-instances/calendrier/{old}.ics") == 404
    assert status(anonymous, f"/mes-instances/calendrier/{new}.ics") == 200
    assert count(CalendarFeed) == 1


def test_a_meeting_downloads_as_an_ics_file(client, group, meeting, seats, login):
    login(client, seats[0].user)
    response = client.get(f"/mes-instances/seances/{meeting.id}/seance.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert f'filename="seance-{meeting.id}.ics"' in response.headers["Content-Disposition"]
    events = list(Calendar.from_ical(response.data).walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["UID"]).startswith(meeting.uid)
    assert str(events[0]["SUMMARY"]) == f"Groupe mobilités — {meeting.title}"
    assert ITEM in str(events[0]["DESCRIPTION"])


# --- home panel ------------------------------------------------------------------------------


def test_the_home_panel_lists_convocations_votes_and_requests(
    client, org, group, meeting, seats, live, login
):
    open_request(seats[1], "Pistes cyclables")
    login(client, seats[0].user)
    home = text(client.get("/"))
    assert "à confirmer" in home  # C answered for A's proxy; A has not acknowledged
    assert f"Vote ouvert : {ITEM} (Groupe mobilités)" in home
    assert "Demande de réunion « Pistes cyclables » : 1 signature sur 2 nécessaires" in home
    client.post(f"/mes-instances/seances/{meeting.id}/accuse-reception")
    assert "Séance ordinaire" in text(client.get("/"))
    assert ": confirmée" in text(client.get("/"))


def test_no_home_panel_for_people_outside_bodies(client, org, group, login):
    login(client, factories.user(org, Role.MAYOR, commune=org.communes[20].insee_code))
    assert "Aucune convocation, aucun vote" not in text(client.get("/"))


# --- bounded queries -------------------------------------------------------------------------


def meeting_page_queries(client, login, count_queries, org, host) -> int:
    body, seats = conference(org)
    admin = factories.user(org, Role.ADMIN)
    live_meeting = factories.meeting(
        body,
        admin,
        items=[
            {"title": ITEM, "vote": True},
            {"title": "Budget", "vote": True},
            {"title": "Divers"},
        ],
        convene=True,
    )
    now = utcnow()
    with current_app.test_request_context():
        services.answer(seats[2], live_meeting, AttendanceAnswer.REPRESENTED, seats[0], now)
        for seat in seats:
            if seat is not seats[2]:
                services.record_attendance(admin, live_meeting, seat, True, now)
        services.open_vote(admin, live_meeting.items[0])
        for seat in seats[3:]:
            services.cast_vote(seat.user, live_meeting.items[0], seat, VoteChoice.FOR, now)
    db.session.commit()
    login(client, seats[0].user, host=host)
    url = f"/mes-instances/seances/{live_meeting.id}"
    client.get(url, base_url=f"http://{host}")  # warm up
    with count_queries() as counter:
        response = client.get(url, base_url=f"http://{host}")
    assert response.status_code == 200
    assert response.text.count('/vote"') == 2  # A's own voice and C's
    return counter.count


def test_the_meeting_page_does_not_grow_with_the_members(client, org, login, count_queries):
    small = meeting_page_queries(client, login, count_queries, org, "localhost")
    amp = factories.organisation("200054807", host="amp.test")
    large = meeting_page_queries(client, login, count_queries, amp, "amp.test")
    assert small == large, (small, large)
    assert small < 40
