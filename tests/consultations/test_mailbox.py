"""The mayors' mailbox: questions to the EPCI, their handling, e-mails and reply times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.access import can
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.users import services as user_services
from app.users.models import Role
from consultations.mailbox import queries, services
from consultations.mailbox.models import MailboxService, Message, MessageStatus, Reply
from tests import factories

LIEVIN, LENS, AVION = "62510", "62498", "62065"
BASE = "/concertation/boite-aux-lettres"
CLOSED = "Cette question est close."
REQUIRED = "Ce champ est obligatoire."


@pytest.fixture(autouse=True)
def _served_on_localhost(org):
    """Lens-Liévin answers on localhost even when another organisation exists."""
    add_host(org, "localhost")
    db.session.commit()


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI", email="agent@epci.fr")


@pytest.fixture
def colleague(org):
    return factories.user(org, Role.ADMIN, name="Agente voirie", email="voirie.agent@epci.fr")


@pytest.fixture
def mayor(org):
    return factories.user(
        org, Role.MAYOR, commune=LIEVIN, name="Maire de Liévin", email="maire@lievin.fr"
    )


@pytest.fixture
def staff(org):
    return factories.user(org, Role.COMMUNE_STAFF, commune=LIEVIN, name="Adjointe de Liévin")


@pytest.fixture
def lens_mayor(org):
    return factories.user(org, Role.MAYOR, commune=LENS, name="Maire de Lens")


@pytest.fixture
def service(org):
    entry = MailboxService(organisation_id=org.id, name="Voirie", email="voirie@epci.fr")
    db.session.add(entry)
    db.session.commit()
    return entry


def ask(org, sender, insee=LIEVIN, subject="Nids-de-poule rue Thiers", body="Quand ?", now=None):
    with current_app.test_request_context():
        message = services.send_question(
            sender, org, commune_by_insee(org, insee), subject, body, now or utcnow()
        )
    db.session.commit()
    return message


def act(action, *args):
    """Run a service inside a request context (for e-mail links), then commit."""
    with current_app.test_request_context():
        result = action(*args)
    db.session.commit()
    return result


def outbox_to(address: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)))


def audit_actions() -> list[str]:
    """The mailbox's audit entries, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.startswith("mailbox."))
            .order_by(AuditEntry.id)
        )
    )


def goes_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


# --- sending a question -----------------------------------------------------------------


def test_mayor_sends_a_question_for_their_commune_and_the_agents_are_told(
    client, org, admin, colleague, mayor, login
):
    factories.user(org, Role.CITIZEN)
    login(client, mayor)
    form = client.get(f"{BASE}/nouvelle")
    assert form.status_code == 200
    assert "Vous écrivez au nom de la commune de Liévin." in form.text
    assert 'name="commune"' not in form.text
    response = client.post(
        f"{BASE}/nouvelle",
        data={"subject": "Éclairage public", "body": "Les lampadaires sont éteints."},
    )
    message = db.session.scalar(select(Message))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/{message.id}")
    assert message.status is MessageStatus.NEW
    assert message.commune.insee_code == LIEVIN and message.sender_id == mayor.id
    recipients = set(db.session.scalars(select(OutboxEmail.to_address)))
    assert recipients == {admin.email, colleague.email}
    email = outbox_to(admin.email)[0]
    assert email.subject == "Nouvelle question de Liévin : Éclairage public"
    assert "Les lampadaires sont éteints." in email.body_text
    assert f"{BASE}/gestion/{message.id}" in email.body_text
    assert audit_actions() == ["mailbox.send"]


def test_a_person_of_several_communes_chooses_the_commune(client, org, admin, staff, login):
    user_services.add_role(None, staff, Role.COMMUNE_STAFF, commune=commune_by_insee(org, LENS))
    db.session.commit()
    login(client, staff)
    form = client.get(f"{BASE}/nouvelle")
    assert 'name="commune"' in form.text and ">Lens<" in form.text and ">Liévin<" in form.text
    missing = client.post(f"{BASE}/nouvelle", data={"subject": "Mon objet", "body": "Texte"})
    assert missing.status_code == 200 and REQUIRED in missing.text
    assert 'value="Mon objet"' in missing.text
    avion = commune_by_insee(org, AVION)
    foreign = client.post(
        f"{BASE}/nouvelle", data={"commune": avion.id, "subject": "Objet", "body": "Texte"}
    )
    assert foreign.status_code == 200
    assert db.session.scalar(select(func.count(Message.id))) == 0
    lens = commune_by_insee(org, LENS)
    sent = client.post(
        f"{BASE}/nouvelle", data={"commune": lens.id, "subject": "Objet", "body": "Texte"}
    )
    assert sent.status_code == 302
    assert db.session.scalar(select(Message)).commune_id == lens.id


def test_an_invalid_question_keeps_what_was_typed(client, org, mayor, login):
    login(client, mayor)
    response = client.post(
        f"{BASE}/nouvelle", data={"subject": "", "body": "Mon long texte de question"}
    )
    assert response.status_code == 200
    assert REQUIRED in response.text and "Mon long texte de question" in response.text
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_the_service_refuses_a_commune_the_sender_does_not_belong_to(org, mayor):
    with pytest.raises(services.MailboxError) as error:
        ask(org, mayor, insee=LENS)
    assert error.value.code == "not_your_commune"


# --- who sees what ----------------------------------------------------------------------


@pytest.fixture
def cast(org, admin, mayor, staff, lens_mayor):
    association = factories.association(org)
    return {
        "mayor": mayor,
        "staff": staff,
        "other_mayor": lens_mayor,
        "citizen": factories.user(org, Role.CITIZEN),
        "association_member": factories.user(org, Role.ASSOCIATION_MEMBER, association=association),
        "admin": admin,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mayor", 200),
        ("staff", 200),
        ("other_mayor", 200),
        ("citizen", 403),
        ("association_member", 403),
        ("admin", 403),
    ],
)
def test_sender_pages_are_for_mayors_and_municipal_elected(client, cast, login, who, expected):
    login(client, cast[who])
    assert client.get(f"{BASE}/").status_code == expected
    assert client.get(f"{BASE}/nouvelle").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mayor", 200),
        ("staff", 404),
        ("other_mayor", 404),
        ("citizen", 403),
        ("association_member", 403),
        ("admin", 403),
    ],
)
def test_a_question_is_seen_and_followed_up_only_by_its_sender(
    client, org, cast, login, who, expected
):
    message = ask(org, cast["mayor"], subject="Question privée")
    login(client, cast[who])
    page = client.get(f"{BASE}/{message.id}")
    assert page.status_code == expected
    follow = client.post(f"{BASE}/{message.id}/complement", data={"body": "Relance"})
    assert follow.status_code == (302 if expected == 200 else expected)
    listing = client.get(f"{BASE}/")
    if listing.status_code == 200:
        assert ("Question privée" in listing.text) == (who == "mayor")


ADMIN_PAGES = ["/gestion/", "/gestion/{id}", "/gestion/services", "/gestion/statistiques"]
ADMIN_POSTS = [
    ("/gestion/{id}/attribution", {"service_id": "", "assigned_to_id": ""}),
    ("/gestion/{id}/reponse", {"reply": "Réponse"}),
    ("/gestion/{id}/note", {"note": "Note"}),
    ("/gestion/{id}/cloture", {}),
    ("/gestion/{id}/reouverture", {}),
    ("/gestion/services", {"name": "Finances", "email": ""}),
    ("/gestion/services/{service}", {"name": "Finances", "email": ""}),
    ("/gestion/services/{service}/suppression", {}),
]


@pytest.mark.parametrize("who", ["mayor", "staff", "other_mayor", "citizen", "association_member"])
def test_epci_pages_are_refused_to_everyone_but_its_agents(client, org, cast, service, login, who):
    message = ask(org, cast["mayor"])
    login(client, cast[who])
    for path in ADMIN_PAGES:
        url = BASE + path.format(id=message.id)
        assert client.get(url).status_code == 403, url
    for path, data in ADMIN_POSTS:
        url = BASE + path.format(id=message.id, service=service.id)
        assert client.post(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Message, message.id).status is MessageStatus.NEW
    assert db.session.scalar(select(func.count(MailboxService.id))) == 1


def test_agents_see_every_page(client, org, admin, mayor, service, login):
    message = ask(org, mayor)
    login(client, admin)
    for path in ADMIN_PAGES:
        assert client.get(BASE + path.format(id=message.id)).status_code == 200, path
    assert client.get(f"{BASE}/gestion/services/{service.id}").status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, org, mayor, service):
    message = ask(org, mayor)
    for path in ["/", "/nouvelle", "/{id}", *ADMIN_PAGES]:
        assert goes_to_login(client.get(BASE + path.format(id=message.id))), path
    assert goes_to_login(client.post(f"{BASE}/{message.id}/complement", data={"body": "x"}))
    for path, data in ADMIN_POSTS:
        url = BASE + path.format(id=message.id, service=service.id)
        assert goes_to_login(client.post(url, data=data)), url
    assert db.session.scalar(select(func.count(Reply.id))) == 0


def test_agents_of_another_organisation_never_reach_the_questions(
    client, org, other_org, mayor, service, login
):
    message = ask(org, mayor, subject="Question de Liévin")
    carcassonne_admin = factories.user(other_org, Role.ADMIN)
    other = "http://carcassonne.test"
    login(client, carcassonne_admin, host="carcassonne.test")
    listing = client.get(f"{BASE}/gestion/", base_url=other)
    assert listing.status_code == 200 and "Question de Liévin" not in listing.text
    assert client.get(f"{BASE}/gestion/{message.id}", base_url=other).status_code == 404
    reply = client.post(f"{BASE}/gestion/{message.id}/reponse", data={"reply": "x"}, base_url=other)
    assert reply.status_code == 404
    assert client.get(f"{BASE}/gestion/services/{service.id}", base_url=other).status_code == 404
    # their session is worth nothing on Lens-Liévin's host
    login(client, carcassonne_admin)
    assert goes_to_login(client.get(f"{BASE}/gestion/{message.id}"))
    assert db.session.scalar(select(func.count(Reply.id))) == 0


@pytest.mark.parametrize(
    ("who", "write", "manage", "read_own"),
    [
        ("mayor", True, False, True),
        ("staff", True, False, False),
        ("other_mayor", True, False, False),
        ("citizen", False, False, False),
        ("association_member", False, False, False),
        ("admin", False, True, False),
    ],
)
def test_policy_per_role(org, cast, who, write, manage, read_own):
    message = ask(org, cast["mayor"])
    person = cast[who]
    assert can(person, "mailbox.write") is write
    assert can(person, "mailbox.manage") is manage
    assert can(person, "mailbox.manage", message) is manage
    assert can(person, "mailbox.read_own", message) is read_own
    assert can(person, "mailbox.follow_up", message) is read_own
    assert can(None, "mailbox.write") is False


def test_policy_refuses_an_agent_of_another_organisation(org, other_org, mayor):
    message = ask(org, mayor)
    outsider = factories.user(other_org, Role.ADMIN)
    assert can(outsider, "mailbox.manage") is True
    assert can(outsider, "mailbox.manage", message) is False


# --- handling by the EPCI ---------------------------------------------------------------


def test_assigning_tells_the_service_address_and_the_chosen_agent(
    client, org, admin, colleague, mayor, service, login
):
    message = ask(org, mayor)
    before = db.session.scalar(select(func.count(OutboxEmail.id)))
    login(client, admin)
    response = client.post(
        f"{BASE}/gestion/{message.id}/attribution",
        data={"service_id": service.id, "assigned_to_id": colleague.id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    message = db.session.get(Message, message.id)
    assert message.status is MessageStatus.ASSIGNED
    assert message.service_id == service.id and message.assigned_to_id == colleague.id
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == before + 2
    to_service = outbox_to("voirie@epci.fr")[0]
    assert to_service.subject == "Question attribuée : Nids-de-poule rue Thiers"
    assert "service Voirie et à Agente voirie" in to_service.body_text
    assert [e.subject for e in outbox_to(colleague.email)] == [
        "Nouvelle question de Liévin : Nids-de-poule rue Thiers",
        "Question attribuée : Nids-de-poule rue Thiers",
    ]
    page = client.get(f"{BASE}/gestion/{message.id}")
    assert "Agente voirie" in page.text
    # the same assignment again tells nobody; removing it puts the question back to new
    client.post(
        f"{BASE}/gestion/{message.id}/attribution",
        data={"service_id": service.id, "assigned_to_id": colleague.id},
    )
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == before + 2
    client.post(
        f"{BASE}/gestion/{message.id}/attribution", data={"service_id": "", "assigned_to_id": ""}
    )
    db.session.expire_all()
    assert db.session.get(Message, message.id).status is MessageStatus.NEW
    assert audit_actions().count("mailbox.assign") == 3


def test_assigning_to_oneself_sends_no_email_to_oneself(client, org, admin, mayor, login):
    message = ask(org, mayor)
    login(client, admin)
    client.post(
        f"{BASE}/gestion/{message.id}/attribution",
        data={"service_id": "", "assigned_to_id": admin.id},
    )
    assert len(outbox_to(admin.email)) == 1  # only the arrival of the question


def test_assigning_refuses_people_who_are_not_agents(client, org, admin, mayor, login):
    message = ask(org, mayor)
    login(client, admin)
    response = client.post(
        f"{BASE}/gestion/{message.id}/attribution",
        data={"service_id": "", "assigned_to_id": mayor.id},
    )
    assert response.status_code == 200 and "N&#39;est pas un choix valide." in response.text
    with pytest.raises(services.MailboxError) as error:
        act(services.assign, admin, message, None, mayor, utcnow())
    assert error.value.code == "not_an_agent"


def test_a_reply_emails_the_sender_and_dates_the_first_reply(client, org, admin, mayor, login):
    message = ask(org, mayor)
    login(client, admin)
    response = client.post(
        f"{BASE}/gestion/{message.id}/reponse", data={"reply": "Les travaux ont lieu lundi."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    message = db.session.get(Message, message.id)
    first = message.first_reply_at
    assert message.status is MessageStatus.ANSWERED and first is not None
    email = outbox_to(mayor.email)[0]
    assert email.subject == "Réponse à votre question : Nids-de-poule rue Thiers"
    assert "Les travaux ont lieu lundi." in email.body_text
    assert f"{BASE}/{message.id}" in email.body_text
    client.post(f"{BASE}/gestion/{message.id}/reponse", data={"reply": "Précision."})
    db.session.expire_all()
    assert db.session.get(Message, message.id).first_reply_at == first
    assert len(outbox_to(mayor.email)) == 2


def test_an_empty_reply_is_refused_and_a_long_one_kept(client, org, admin, mayor, login):
    message = ask(org, mayor)
    login(client, admin)
    empty = client.post(f"{BASE}/gestion/{message.id}/reponse", data={"reply": "  "})
    assert empty.status_code == 200 and REQUIRED in empty.text
    too_long = "Texte très long. " * 1300
    long = client.post(f"{BASE}/gestion/{message.id}/reponse", data={"reply": too_long})
    assert long.status_code == 200 and too_long.strip() in long.text
    assert db.session.scalar(select(func.count(Reply.id))) == 0


def test_internal_notes_are_never_shown_or_emailed_to_the_sender(
    client, org, admin, colleague, mayor, login
):
    message = ask(org, mayor)
    login(client, admin)
    client.post(f"{BASE}/gestion/{message.id}/note", data={"note": "Secret : budget épuisé"})
    db.session.expire_all()
    assert db.session.get(Message, message.id).status is MessageStatus.NEW
    client.post(f"{BASE}/gestion/{message.id}/reponse", data={"reply": "Réponse officielle"})
    staff_page = client.get(f"{BASE}/gestion/{message.id}")
    assert "Secret : budget épuisé" in staff_page.text and "Note interne — Agent EPCI" in (
        staff_page.text
    )
    login(client, mayor)
    page = client.get(f"{BASE}/{message.id}")
    assert "Réponse officielle" in page.text
    assert "Secret" not in page.text and "Note interne" not in page.text
    bodies = list(db.session.scalars(select(OutboxEmail.body_text)))
    assert not any("Secret" in body for body in bodies)
    assert [e.subject for e in outbox_to(mayor.email)] == [
        "Réponse à votre question : Nids-de-poule rue Thiers"
    ]
    # a follow-up of the sender tells the agents, still without the note
    client.post(f"{BASE}/{message.id}/complement", data={"body": "Merci, et le trottoir ?"})
    bodies = list(db.session.scalars(select(OutboxEmail.body_text)))
    assert not any("Secret" in body for body in bodies)
    assert "mailbox.note" in audit_actions()


def test_a_follow_up_puts_an_answered_question_back_in_the_epcis_hands(
    client, org, admin, colleague, mayor, service, login
):
    unassigned = ask(org, mayor, subject="Sans service")
    assigned = ask(org, mayor, subject="Avec agent")
    act(services.assign, admin, assigned, service, colleague, utcnow())
    for message in (unassigned, assigned):
        act(services.reply, admin, message, "Réponse", utcnow())
    db.session.query(OutboxEmail).delete()
    db.session.commit()
    login(client, mayor)
    for message in (unassigned, assigned):
        response = client.post(f"{BASE}/{message.id}/complement", data={"body": "Et ensuite ?"})
        assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Message, unassigned.id).status is MessageStatus.NEW
    assert db.session.get(Message, assigned.id).status is MessageStatus.ASSIGNED
    # the assigned agent is told of their question; every agent of the unassigned one
    subjects = {(e.to_address, e.subject) for e in db.session.scalars(select(OutboxEmail))}
    assert subjects == {
        (admin.email, "Nouveau message sur la question : Sans service"),
        (colleague.email, "Nouveau message sur la question : Sans service"),
        (colleague.email, "Nouveau message sur la question : Avec agent"),
    }
    page = client.get(f"{BASE}/{assigned.id}")
    assert "Message — Maire de Liévin" in page.text and "Et ensuite ?" in page.text


def test_a_follow_up_on_a_new_question_leaves_it_new(client, org, admin, mayor, login):
    message = ask(org, mayor)
    login(client, mayor)
    empty = client.post(f"{BASE}/{message.id}/complement", data={"body": ""})
    assert empty.status_code == 200 and REQUIRED in empty.text
    client.post(f"{BASE}/{message.id}/complement", data={"body": "Une précision"})
    db.session.expire_all()
    assert db.session.get(Message, message.id).status is MessageStatus.NEW
    assert db.session.get(Message, message.id).first_reply_at is None


def test_closing_emails_the_sender_and_ends_the_exchange_until_reopened(
    client, org, admin, mayor, service, login
):
    message = ask(org, mayor)
    act(services.assign, admin, message, service, None, utcnow())
    login(client, admin)
    assert client.post(f"{BASE}/gestion/{message.id}/cloture").status_code == 302
    db.session.expire_all()
    message = db.session.get(Message, message.id)
    assert message.status is MessageStatus.CLOSED and message.closed_at is not None
    assert [e.subject for e in outbox_to(mayor.email)] == [
        "Question close : Nids-de-poule rue Thiers"
    ]
    refused = client.post(f"{BASE}/gestion/{message.id}/reponse", data={"reply": "Trop tard"})
    assert refused.status_code == 200 and CLOSED in refused.text
    assert db.session.scalar(select(func.count(Reply.id))) == 0
    login(client, mayor)
    page = client.get(f"{BASE}/{message.id}")
    assert 'name="body"' not in page.text and "Cette question est close." in page.text
    assert client.post(f"{BASE}/{message.id}/complement", data={"body": "x"}).status_code == 403
    login(client, admin)
    assert client.post(f"{BASE}/gestion/{message.id}/reouverture").status_code == 302
    db.session.expire_all()
    message = db.session.get(Message, message.id)
    assert message.status is MessageStatus.ASSIGNED and message.closed_at is None
    assert audit_actions()[-2:] == ["mailbox.close", "mailbox.reopen"]


def test_reopening_an_open_question_or_closing_twice_is_refused(client, org, admin, mayor, login):
    message = ask(org, mayor)
    login(client, admin)
    page = client.post(f"{BASE}/gestion/{message.id}/reouverture", follow_redirects=True)
    assert "Cette question n&#39;est pas close." in page.text
    client.post(f"{BASE}/gestion/{message.id}/cloture")
    again = client.post(f"{BASE}/gestion/{message.id}/cloture", follow_redirects=True)
    assert "Cette question est déjà close." in again.text
    assert len(outbox_to(mayor.email)) == 1


def test_posts_need_a_csrf_token(client, org, admin, mayor, login, csrf_on):
    message = ask(org, mayor)
    login(client, admin)
    assert (
        client.post(f"{BASE}/gestion/{message.id}/reponse", data={"reply": "x"}).status_code == 400
    )
    assert client.post(f"{BASE}/gestion/{message.id}/cloture").status_code == 400
    db.session.expire_all()
    assert db.session.get(Message, message.id).status is MessageStatus.NEW


# --- the EPCI's list --------------------------------------------------------------------


def _message(org, sender, subject, *, insee=LIEVIN, status=MessageStatus.NEW, **values):
    entry = Message(
        organisation_id=org.id,
        sender_id=sender.id,
        commune_id=commune_by_insee(org, insee).id,
        subject=subject,
        body="Texte",
        status=status,
        **values,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def test_the_epci_list_filters_by_status_service_and_commune_and_sorts(
    client, org, admin, mayor, lens_mayor, service, login
):
    now = utcnow()
    _message(org, mayor, "Alpha nouvelle", created_at=now - timedelta(days=3))
    _message(
        org,
        lens_mayor,
        "Bravo attribuée",
        insee=LENS,
        status=MessageStatus.ASSIGNED,
        service_id=service.id,
        created_at=now - timedelta(days=2),
    )
    _message(org, mayor, "Charlie close", status=MessageStatus.CLOSED, created_at=now)
    login(client, admin)

    def shown(**args):
        text = client.get(f"{BASE}/gestion/", query_string=args).text
        return [s for s in ("Alpha nouvelle", "Bravo attribuée", "Charlie close") if s in text]

    assert shown() == ["Alpha nouvelle", "Bravo attribuée", "Charlie close"]
    assert shown(status="new") == ["Alpha nouvelle"]
    assert shown(service=str(service.id)) == ["Bravo attribuée"]
    assert shown(service="none") == ["Alpha nouvelle", "Charlie close"]
    assert shown(commune=commune_by_insee(org, LENS).id) == ["Bravo attribuée"]
    assert shown(status="bogus", commune="abc") == [
        "Alpha nouvelle",
        "Bravo attribuée",
        "Charlie close",
    ]

    def order(**args):
        text = client.get(f"{BASE}/gestion/", query_string=args).text
        return sorted(("Alpha nouvelle", "Bravo attribuée", "Charlie close"), key=text.index)

    assert order(sort="recent") == ["Charlie close", "Bravo attribuée", "Alpha nouvelle"]
    assert order(sort="oldest") == ["Alpha nouvelle", "Bravo attribuée", "Charlie close"]
    assert order(sort="status") == ["Alpha nouvelle", "Bravo attribuée", "Charlie close"]
    assert order(sort="commune")[0] == "Bravo attribuée"  # Lens before Liévin
    page = client.get(f"{BASE}/gestion/", query_string={"status": "new", "sort": "oldest"})
    assert '<option selected value="new">' in page.text or 'value="new" selected' in page.text


def test_the_epci_list_is_paginated(client, org, admin, mayor, login):
    now = utcnow()
    for n in range(35):
        _message(org, mayor, f"Question numéro {n:02d}", created_at=now - timedelta(hours=n))
    login(client, admin)
    first = client.get(f"{BASE}/gestion/")
    assert "Question numéro 00" in first.text and "Question numéro 34" not in first.text
    assert "Page 1 sur 2" in first.text
    second = client.get(f"{BASE}/gestion/", query_string={"page": 2})
    assert "Question numéro 34" in second.text and "Question numéro 00" not in second.text


def test_my_questions_list_shows_status_and_first_reply(client, org, admin, mayor, login):
    answered = ask(org, mayor, subject="Question répondue")
    ask(org, mayor, subject="Question en attente")
    act(services.reply, admin, answered, "Oui", utcnow())
    login(client, mayor)
    page = client.get(f"{BASE}/")
    assert "Question répondue" in page.text and "Question en attente" in page.text
    assert "Répondue" in page.text and "Nouvelle" in page.text and "En attente" in page.text


@pytest.mark.parametrize("path", ["/gestion/", "/"])
def test_list_pages_run_the_same_number_of_queries_for_5_and_50_questions(
    client, org, admin, colleague, mayor, service, login, count_queries, path
):
    other_service = MailboxService(organisation_id=org.id, name="Finances")
    db.session.add(other_service)
    db.session.commit()
    senders = [mayor] + [
        factories.user(org, Role.MAYOR, commune=insee) for insee in (LENS, AVION, "62413")
    ]
    login(client, mayor if path == "/" else admin)

    def add(n: int):
        for i in range(n):
            sender = mayor if path == "/" else senders[i % len(senders)]
            m = Message(
                organisation_id=org.id,
                sender_id=sender.id,
                commune_id=sender.memberships[0].commune_id,
                subject=f"Question {i}",
                body="Texte",
                status=MessageStatus.ASSIGNED if i % 2 else MessageStatus.NEW,
                service_id=(service.id, other_service.id, None)[i % 3],
                assigned_to_id=(admin.id, colleague.id, None)[i % 3],
            )
            db.session.add(m)
        db.session.commit()

    def queries_for_page() -> int:
        with count_queries() as counter:
            assert client.get(BASE + path).status_code == 200
        return counter.count

    add(5)
    few = queries_for_page()
    add(45)
    assert queries_for_page() == few


# --- services of the EPCI ---------------------------------------------------------------


def test_services_are_added_renamed_and_deleted_only_when_unused(client, org, admin, mayor, login):
    login(client, admin)
    added = client.post(
        f"{BASE}/gestion/services", data={"name": "Déchets", "email": "dechets@epci.fr"}
    )
    assert added.status_code == 302
    service = db.session.scalar(select(MailboxService))
    assert service.email == "dechets@epci.fr"
    twice = client.post(
        f"{BASE}/gestion/services", data={"name": "déchets", "email": "autre@epci.fr"}
    )
    assert twice.status_code == 200 and "Un service porte déjà ce nom." in twice.text
    assert 'value="autre@epci.fr"' in twice.text
    bad = client.post(f"{BASE}/gestion/services", data={"name": "Eau", "email": "pas-une-adresse"})
    assert bad.status_code == 200 and "Saisissez une adresse e-mail valide" in bad.text
    renamed = client.post(
        f"{BASE}/gestion/services/{service.id}", data={"name": "Collecte des déchets", "email": ""}
    )
    assert renamed.status_code == 302
    db.session.expire_all()
    service = db.session.get(MailboxService, service.id)
    assert service.name == "Collecte des déchets" and service.email == ""
    message = ask(org, mayor)
    act(services.assign, admin, message, service, None, utcnow())
    refused = client.post(
        f"{BASE}/gestion/services/{service.id}/suppression", follow_redirects=True
    )
    assert "il ne peut pas être supprimé" in refused.text
    assert db.session.get(MailboxService, service.id) is not None
    unused = act(services.create_service, admin, org, "Eau", "").id
    assert client.post(f"{BASE}/gestion/services/{unused}/suppression").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(MailboxService.name)).all() == ["Collecte des déchets"]
    assert client.get(f"{BASE}/gestion/services/{unused}").status_code == 404
    assert {"mailbox.service_create", "mailbox.service_update", "mailbox.service_delete"} <= set(
        audit_actions()
    )


# --- reply times ------------------------------------------------------------------------


def test_reply_times_are_summarised_from_a_fixed_example():
    now = utcnow()
    day, hour = timedelta(days=1), timedelta(hours=1)
    stats = queries.summarise(
        None,
        [
            (now - 30 * day, now - 30 * day + 2 * hour),
            (now - 20 * day, now - 17 * day),
            (now - 10 * day, now - 1 * day),  # 9 days: answered, but late
            (now - 8 * day, None),  # unanswered after a week: late
            (now - 2 * day, None),  # too recent to count either way
        ],
        now,
        waiting=2,
    )
    assert (stats.received, stats.answered, stats.waiting) == (5, 3, 2)
    assert stats.median == 3 * day
    assert stats.average == (2 * hour + 3 * day + 9 * day) / 3
    assert stats.within_week == 0.5
    empty = queries.summarise(None, [(now - day, None)], now)
    assert empty.median is None and empty.average is None and empty.within_week is None


def test_reply_time_statistics_by_service_over_twelve_months(
    client, org, other_org, admin, mayor, login
):
    now = utcnow()
    day, hour = timedelta(days=1), timedelta(hours=1)
    voirie = MailboxService(organisation_id=org.id, name="Voirie")
    finances = MailboxService(organisation_id=org.id, name="Finances")
    db.session.add_all([voirie, finances])
    db.session.commit()

    def message(service, sent, replied=None, status=MessageStatus.ANSWERED):
        return _message(
            org,
            mayor,
            "Question",
            status=status,
            service_id=service.id if service else None,
            created_at=now - sent,
            first_reply_at=now - sent + replied if replied is not None else None,
        )

    message(voirie, 30 * day, 2 * hour)
    message(voirie, 20 * day, 3 * day)
    message(voirie, 10 * day, 9 * day)
    message(voirie, 8 * day, status=MessageStatus.ASSIGNED)
    message(finances, 2 * day, status=MessageStatus.ASSIGNED)
    message(finances, 400 * day, hour, status=MessageStatus.CLOSED)  # older than a year
    message(finances, 3 * day, day)
    message(None, day, status=MessageStatus.NEW)
    outsider = factories.user(other_org, Role.MAYOR, commune="11069")
    db.session.add(
        Message(
            organisation_id=other_org.id,
            sender_id=outsider.id,
            subject="Carcassonne",
            body="x",
            created_at=now - day,
            first_reply_at=now,
        )
    )
    db.session.commit()

    overall, by_service = queries.reply_statistics(org, now)
    assert (overall.received, overall.answered, overall.waiting) == (7, 4, 3)
    assert overall.median == 2 * day  # between 1 day and 3 days
    assert overall.average == (2 * hour + day + 3 * day + 9 * day) / 4
    assert overall.within_week == 3 / 5
    rows = {(s.service.name if s.service else None): s for s in by_service}
    assert list(rows) == ["Finances", "Voirie", None]
    assert (rows["Voirie"].received, rows["Voirie"].answered, rows["Voirie"].waiting) == (4, 3, 1)
    assert rows["Voirie"].median == 3 * day and rows["Voirie"].within_week == 0.5
    assert (rows["Finances"].received, rows["Finances"].median) == (2, day)
    assert rows["Finances"].within_week == 1.0
    assert rows[None].received == 1 and rows[None].within_week is None

    login(client, admin)
    page = client.get(f"{BASE}/gestion/statistiques")
    assert page.status_code == 200
    assert "Voirie" in page.text and "3 j 0 h" in page.text and "50 %" in page.text
    assert "60 %" in page.text and "Sans service" in page.text


# --- home page, navigation and audit ------------------------------------------------------


def test_home_page_shows_open_questions_to_senders_and_counts_to_agents(
    client, org, admin, mayor, service, login
):
    ask(org, mayor, subject="Question ouverte")
    assigned = ask(org, mayor, subject="Question attribuée")
    act(services.assign, admin, assigned, service, None, utcnow())
    closed = ask(org, mayor, subject="Question terminée")
    act(services.close, admin, closed, utcnow())
    login(client, mayor)
    home = client.get("/")
    assert "Mes questions à l&#39;EPCI" in home.text
    assert "Question ouverte — Nouvelle" in home.text and "Question terminée" not in home.text
    login(client, admin)
    home = client.get("/")
    assert "1 nouvelle question non attribuée" in home.text
    assert "1 question attribuée en attente de réponse" in home.text
    assert f"{BASE}/gestion/?status=new" in home.text


@pytest.mark.parametrize(
    ("who", "mine", "manage"),
    [
        ("mayor", True, False),
        ("staff", True, False),
        ("citizen", False, False),
        ("admin", False, True),
    ],
)
def test_navigation_links_follow_the_policy(client, cast, login, who, mine, manage):
    login(client, cast[who])
    text = client.get("/").text
    assert (f'href="{BASE}/"' in text) is mine
    assert (f'href="{BASE}/gestion/"' in text) is manage


def test_every_action_is_written_to_the_audit_log(org, admin, colleague, mayor, service):
    message = ask(org, mayor)
    act(services.assign, admin, message, service, colleague, utcnow())
    act(services.add_note, admin, message, "Note", utcnow())
    act(services.reply, admin, message, "Réponse", utcnow())
    act(services.follow_up, mayor, message, "Merci", utcnow())
    act(services.close, admin, message, utcnow())
    act(services.reopen, admin, message, utcnow())
    assert audit_actions() == [
        "mailbox.send",
        "mailbox.assign",
        "mailbox.note",
        "mailbox.reply",
        "mailbox.follow_up",
        "mailbox.close",
        "mailbox.reopen",
    ]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mailbox.assign"))
    assert entry.actor_id == admin.id and entry.object_id == message.id
    assert entry.details["service"] == "Voirie" and entry.organisation_id == org.id
