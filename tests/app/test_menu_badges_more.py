"""The menu counts what awaits the signed-in person next to each entry: convocations to
confirm, unread network news, applications to score, mayors' questions to answer,
contributions to moderate. Each counter is one query; the pages do not run more queries as
data grows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app

from ami.models import ApplicationStatus, InterestDeclaration, Score
from ami.network.home import waiting_for
from ami.network.models import NetworkMessage
from app.db import db, utcnow
from app.organisations.services import add_host
from app.users.models import Role
from app.web.home import badge_count
from consultations.bodies import services as body_services
from consultations.mailbox.models import MailboxService, MessageStatus
from participation.citizen.models import ContentStatus
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as net
from tests.consultations.test_bodies_member import make_group, seats_of
from tests.consultations.test_mailbox import _message
from tests.participation.test_consultations_public import comment, participant, proposal

MEETINGS = "Mes instances"
NETWORK = "Réseau des associations"
JURY = "Jury AMI"
MAILBOX = "Boîte aux lettres des maires"
MODERATION = "Modération"


@pytest.fixture(autouse=True)
def _served_on_localhost(org):
    """Lens-Liévin answers on localhost even when another organisation exists."""
    add_host(org, "localhost")
    db.session.commit()


def badge(page: str, entry: str) -> str | None:
    """The badge next to the menu entry `entry`: "<count> <words for screen readers>"."""
    found = re.search(re.escape(entry) + r"</a>(.*?)</li>", page, re.S)
    if found is None:
        return None
    count = re.search(
        r'class="badge badge--count">(\d+)<span class="visually-hidden"> (.*?)</span>',
        found.group(1),
    )
    return f"{count.group(1)} {count.group(2)}" if count else None


def home_as(client, login, person) -> str:
    login(client, person)
    return client.get("/").get_data(as_text=True)


# --- body members: convocations to confirm ------------------------------------------------


def convened_meetings(org, admin, body, count: int):
    return [factories.meeting(body, admin, days=7 + i, convene=True) for i in range(count)]


def test_a_member_sees_the_convocations_to_come_not_yet_acknowledged(client, org, login):
    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    first, second = factories.mayors(org, 2)
    body = make_group(org, admin, [first, second])
    acknowledged, answered, _waiting = convened_meetings(org, admin, body, 3)
    factories.meeting(body, admin, days=20)  # not convened yet
    seat = seats_of(body, [first])[0]
    body_services.acknowledge(body_services.convocation_for(acknowledged, seat), utcnow())
    db.session.commit()
    login(client, first)
    response = client.post(f"/mes-instances/seances/{answered.id}", data={"answer": "present"})
    assert response.status_code == 302

    assert badge(home_as(client, login, first), MEETINGS) == "1 convocation à confirmer"
    assert badge(home_as(client, login, second), MEETINGS) == "3 convocations à confirmer"


def test_answering_a_convocation_takes_it_off_the_badge(client, org, login):
    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    (mayor,) = factories.mayors(org, 1)
    body = make_group(org, admin, [mayor])
    meeting, _other = convened_meetings(org, admin, body, 2)
    assert badge(home_as(client, login, mayor), MEETINGS) == "2 convocations à confirmer"
    client.post(f"/mes-instances/seances/{meeting.id}/accuse-reception", data={"submit": "1"})
    assert badge(home_as(client, login, mayor), MEETINGS) == "1 convocation à confirmer"


def test_past_or_cancelled_meetings_and_other_people_show_no_convocation_badge(client, org, login):
    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    (mayor,) = factories.mayors(org, 1)
    body = make_group(org, admin, [mayor])
    (meeting,) = convened_meetings(org, admin, body, 1)
    meeting.starts_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    assert badge(home_as(client, login, mayor), MEETINGS) is None
    # the agent has the menu entry but sits in no body
    assert badge(home_as(client, login, admin), MEETINGS) is None


# --- associations: network news -----------------------------------------------------------


def message(match, sender, when=None) -> NetworkMessage:
    row = NetworkMessage(
        match_id=match.id, sender_association_id=sender.id, body="Bonjour", created_at=when
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_an_association_member_sees_unread_messages_and_matches_not_yet_opened(client, org, login):
    mine, member = ami.association_member(org, "Femmes et quartiers")
    theirs, their_member = ami.association_member(org, "Théâtre de l'Arrière-Cour")
    ended_with, _ = ami.association_member(org, "Club de pétanque")
    match = net.match(org, mine, theirs)
    now = utcnow()
    # the member opened the thread an hour ago: the older message is read, not the two after
    setattr(match, match.read_column(mine.id), now - timedelta(hours=1))
    message(match, theirs, now - timedelta(hours=2))
    message(match, theirs, now)
    message(match, theirs, now)
    message(match, mine, now)  # one's own message is never unread
    ended = net.match(org, mine, ended_with)
    ended.ended_at = now
    message(ended, ended_with, now)
    db.session.commit()

    assert (
        badge(home_as(client, login, member), NETWORK) == "2 messages ou mises en relation non lus"
    )
    # the other side has not opened the match yet, and has one unread message
    assert (
        badge(home_as(client, login, their_member), NETWORK)
        == "2 messages ou mises en relation non lus"
    )
    with current_app.test_request_context():
        waiting = waiting_for([mine.id, theirs.id])
    assert waiting[mine.id].unread + waiting[mine.id].new_matches == 2
    assert waiting[theirs.id].unread + waiting[theirs.id].new_matches == 2


def test_reading_the_thread_clears_the_network_badge_and_admins_have_none(client, org, login):
    mine, member = ami.association_member(org, "Femmes et quartiers")
    theirs, _ = ami.association_member(org, "Théâtre de l'Arrière-Cour")
    match = net.match(org, mine, theirs)
    message(match, theirs)
    assert badge(home_as(client, login, member), NETWORK) == (
        "2 messages ou mises en relation non lus"
    )
    assert client.get(f"/ami/reseau/{mine.id}/mises-en-relation/{match.id}").status_code == 200
    assert badge(home_as(client, login, member), NETWORK) is None
    admin = factories.user(org, Role.ADMIN)
    assert badge(home_as(client, login, admin), NETWORK) is None


# --- jury members: applications to score ---------------------------------------------------


def jury_world(org):
    call = ami.call(org, open_=False)
    seat = ami.jury_member(call)
    applications = [
        ami.application(
            call, factories.association(org, f"Association {i}"), status=ApplicationStatus.ELIGIBLE
        )
        for i in range(4)
    ]
    ami.application(call, factories.association(org, "Déposée"))  # not yet eligible
    scored, half_scored, conflicted, _untouched = applications
    now = utcnow()
    for criterion in call.criteria:
        db.session.add(
            Score(
                jury_member_id=seat.id,
                application_id=scored.id,
                criterion_id=criterion.id,
                value=3,
                scored_at=now,
            )
        )
    db.session.add(
        Score(
            jury_member_id=seat.id,
            application_id=half_scored.id,
            criterion_id=call.criteria[0].id,
            value=2,
            scored_at=now,
        )
    )
    db.session.add(
        InterestDeclaration(
            jury_member_id=seat.id,
            application_id=conflicted.id,
            conflict_of_interest=True,
            reason="Je préside l'association",
            declared_at=now,
        )
    )
    db.session.commit()
    return call, seat


def test_a_jury_member_sees_the_applications_still_to_score(client, org, login):
    call, seat = jury_world(org)
    other_seat = ami.jury_member(call)
    page = home_as(client, login, seat.user)
    assert badge(page, JURY) == "2 candidatures à noter"
    assert "2 candidatures à noter" in page  # the same figure as the home panel's
    assert badge(home_as(client, login, other_seat.user), JURY) == "4 candidatures à noter"


def test_no_jury_badge_once_the_deliberation_is_open_nor_for_others(client, org, login):
    call, seat = jury_world(org)
    call.deliberation_opened_at = utcnow()
    db.session.commit()
    assert badge(home_as(client, login, seat.user), JURY) is None
    unseated = factories.user(org, Role.JURY_MEMBER)
    assert badge(home_as(client, login, unseated), JURY) is None


# --- EPCI agents: mayors' questions --------------------------------------------------------


def test_an_agent_sees_the_questions_awaiting_an_answer_for_them_or_nobody(client, org, login):
    agent = factories.user(org, Role.ADMIN, name="Agent EPCI")
    colleague = factories.user(org, Role.ADMIN, name="Agente voirie")
    mayor = factories.user(org, Role.MAYOR, commune="62510", name="Maire de Liévin")
    service = MailboxService(organisation_id=org.id, name="Voirie", email="voirie@epci.fr")
    db.session.add(service)
    db.session.commit()
    _message(org, mayor, "Nouvelle")
    _message(org, mayor, "Relance", status=MessageStatus.NEW)
    _message(org, mayor, "Au service", status=MessageStatus.ASSIGNED, service_id=service.id)
    _message(org, mayor, "À moi", status=MessageStatus.ASSIGNED, assigned_to_id=agent.id)
    _message(org, mayor, "À elle", status=MessageStatus.ASSIGNED, assigned_to_id=colleague.id)
    _message(org, mayor, "Répondue", status=MessageStatus.ANSWERED, assigned_to_id=agent.id)
    _message(org, mayor, "Close", status=MessageStatus.CLOSED)

    assert badge(home_as(client, login, agent), MAILBOX) == "4 questions en attente de réponse"
    assert badge(home_as(client, login, colleague), MAILBOX) == (
        "4 questions en attente de réponse"
    )
    page = home_as(client, login, mayor)
    assert MAILBOX not in page
    assert "badge--count" not in page.split("Mes questions à l'EPCI</a>")[1].split("</li>")[0]


def test_no_mailbox_badge_for_an_agent_of_another_organisation(client, org, other_org, login):
    mayor = factories.user(org, Role.MAYOR, commune="62510")
    _message(org, mayor, "Nouvelle")
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    page = client.get("/", base_url="http://carcassonne.test").get_data(as_text=True)
    assert badge(page, MAILBOX) is None


# --- moderators: contributions awaiting moderation -----------------------------------------


def test_a_moderator_sees_the_contributions_awaiting_moderation(client, org, other_org, login):
    admin = factories.user(org, Role.ADMIN)
    author = participant(org)
    consultation = factories.consultation(org, moderation="pre")
    proposal(consultation, author, "En attente", status=ContentStatus.PENDING)
    proposal(consultation, author, "En attente aussi", status=ContentStatus.PENDING)
    published = proposal(consultation, author, "Publiée")
    comment(published, author, status=ContentStatus.PENDING)
    comment(published, author)
    elsewhere = factories.consultation(other_org, moderation="pre")
    proposal(elsewhere, participant(other_org), "Ailleurs", status=ContentStatus.PENDING)

    assert (
        badge(home_as(client, login, admin), MODERATION)
        == "3 contributions en attente de modération"
    )
    citizen_page = home_as(client, login, author)
    assert badge(citizen_page, MODERATION) is None
    assert "badge--count" not in citizen_page


# --- cost: one query per counter, pages bounded --------------------------------------------


def everything_for_one_person(org, scale: int):
    """An agent who moderates, handles the mailbox, sits in a body and on a jury and acts for
    an association; `scale` times as much waiting for them of each kind."""
    from app.users import services as user_services

    person = factories.user(org, Role.ADMIN, name="Agent polyvalent")
    mine = factories.association(org, f"Femmes et quartiers {scale}")
    user_services.add_role(None, person, Role.JURY_MEMBER)
    user_services.add_role(None, person, Role.ASSOCIATION_MEMBER, association=mine)
    db.session.commit()
    mayor = factories.user(org, Role.MAYOR, commune="62510")
    body = make_group(org, person, [person, mayor], name=f"Groupe {scale}")
    convened_meetings(org, person, body, scale)
    call = ami.call(org, year=2020 + scale, open_=False)
    ami.jury_member(call, person)
    consultation = factories.consultation(org, moderation="pre")
    for i in range(scale):
        ami.application(
            call,
            factories.association(org, f"Candidate {scale}-{i}"),
            status=ApplicationStatus.ELIGIBLE,
        )
        theirs = factories.association(org, f"Partenaire {scale}-{i}")
        message(net.match(org, mine, theirs), theirs)
        _message(org, mayor, f"Question {i}")
        proposal(consultation, mayor, f"Proposition {i}", status=ContentStatus.PENDING)
    return person


ENDPOINTS = (
    "bodies_member.index",
    "ami.network_home",
    "ami.jury_index",
    "mailbox.manage",
    "citizen.moderation",
)


def test_each_badge_is_counted_in_one_query(app, org, count_queries):
    person = everything_for_one_person(org, 2)
    assert person.roles and person.memberships and org.id  # loaded before counting
    now = utcnow()
    for endpoint in ENDPOINTS:
        with app.test_request_context():
            with count_queries() as counter:
                assert badge_count(endpoint, person, org, now) > 0
        assert counter.count == 1, (endpoint, counter.statements)


def test_a_page_with_every_badge_runs_as_many_queries_for_1_or_6_of_each(
    client, org, login, count_queries
):
    def queries_of_account_page(scale: int) -> tuple[int, str]:
        person = everything_for_one_person(org, scale)
        login(client, person)
        client.get("/compte")  # warm-up: the first request loads what is cached
        with count_queries() as counter:
            page = client.get("/compte").get_data(as_text=True)
        return counter.count, page

    small, page = queries_of_account_page(1)
    for entry in (MEETINGS, NETWORK, JURY, MAILBOX, MODERATION):
        assert badge(page, entry), entry
    large, page = queries_of_account_page(6)
    assert badge(page, MODERATION) == "7 contributions en attente de modération"
    assert large == small
