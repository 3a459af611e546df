"""Business actions of the mayors' mailbox. They flush, never commit; e-mails go through the outbox.

A question is `new` until the EPCI assigns it to a service or an agent (`assigned`), `answered`
once a reply is posted, and `closed` by the EPCI. A follow-up from the sender puts an answered
question back in the EPCI's hands. Internal notes change no status and are never e-mailed.
"""

from __future__ import annotations

from datetime import datetime

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.organisations.models import Commune, Organisation
from app.users.models import User
from app.web.urls import external_url
from consultations.mailbox import queries
from consultations.mailbox.models import MailboxService, Message, MessageStatus, Reply
from consultations.mailbox.permissions import SENDER_ROLES


class MailboxError(Exception):
    """A business rule refused the action; `code` names the message to show."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _org(message: Message | MailboxService) -> Organisation:
    return db.session.get(Organisation, message.organisation_id)


def _text(value: str, code: str = "empty") -> str:
    value = (value or "").strip()
    if not value:
        raise MailboxError(code)
    return value


def _status_in_hands_of_epci(message: Message) -> MessageStatus:
    """New when nobody was chosen to handle it, assigned otherwise."""
    if message.service_id is not None or message.assigned_to_id is not None:
        return MessageStatus.ASSIGNED
    return MessageStatus.NEW


def _admin_link(org: Organisation, message: Message) -> str:
    return external_url(org, "mailbox.manage_detail", message_id=message.id)


def _sender_link(org: Organisation, message: Message) -> str:
    return external_url(org, "mailbox.question", message_id=message.id)


# --- the sender's side ------------------------------------------------------------------


def send_question(
    sender: User, org: Organisation, commune: Commune, subject: str, body: str, now: datetime
) -> Message:
    """A mayor or municipal elected writes to the EPCI for their commune; agents are told."""
    if commune is None or not any(sender.has_role(r, commune) for r in SENDER_ROLES):
        raise MailboxError("not_your_commune")
    if commune.organisation_id != org.id or sender.organisation_id != org.id:
        raise MailboxError("not_your_commune")
    message = Message(
        organisation_id=org.id,
        sender_id=sender.id,
        sender=sender,
        commune_id=commune.id,
        commune=commune,
        subject=_text(subject),
        body=_text(body),
        status=MessageStatus.NEW,
        created_at=now,
        updated_at=now,
    )
    db.session.add(message)
    db.session.flush()
    record(sender, org, "mailbox.send", message, {"subject": message.subject})
    _notify_admins(org, message, "consultations/mailbox_new")
    return message


def follow_up(sender: User, message: Message, body: str, now: datetime) -> Reply:
    """The sender adds to their question; an answered question goes back to the EPCI."""
    if message.sender_id != sender.id:
        raise MailboxError("not_yours")
    if message.status is MessageStatus.CLOSED:
        raise MailboxError("closed")
    entry = Reply(message=message, author_id=sender.id, body=_text(body), created_at=now)
    db.session.add(entry)
    if message.status is MessageStatus.ANSWERED:
        message.status = _status_in_hands_of_epci(message)
    message.updated_at = now
    db.session.flush()
    org = _org(message)
    record(sender, org, "mailbox.follow_up", message, {"subject": message.subject})
    _notify_handlers(org, message, "consultations/mailbox_follow_up", entry)
    return entry


# --- the EPCI's side --------------------------------------------------------------------


def assign(
    actor: User,
    message: Message,
    service: MailboxService | None,
    person: User | None,
    now: datetime,
) -> None:
    """Give the question to a service and/or an agent; each newly chosen one is told."""
    if message.status is MessageStatus.CLOSED:
        raise MailboxError("closed")
    org = _org(message)
    if service is not None and service.organisation_id != message.organisation_id:
        raise MailboxError("unknown_service")
    if person is not None and queries.admin_in(org, person.id) is None:
        raise MailboxError("not_an_agent")
    new_service = service is not None and service.id != message.service_id
    new_person = person is not None and person.id != message.assigned_to_id
    message.service = service
    message.service_id = service.id if service else None
    message.assigned_to = person
    message.assigned_to_id = person.id if person else None
    if message.status in queries.WAITING:
        message.status = _status_in_hands_of_epci(message)
    message.updated_at = now
    db.session.flush()
    record(
        actor,
        org,
        "mailbox.assign",
        message,
        {
            "subject": message.subject,
            "service": service.name if service else None,
            "person": person.display_name if person else None,
        },
    )
    link = _admin_link(org, message)
    if new_service and service.email:
        _queue(service.email, "fr", "consultations/mailbox_assigned", org, message, link)
    if new_person and person.id != actor.id:
        _queue(person.email, person.locale, "consultations/mailbox_assigned", org, message, link)


def reply(actor: User, message: Message, body: str, now: datetime) -> Reply:
    """Answer the sender, who is e-mailed; the first reply dates the reply time."""
    if message.status is MessageStatus.CLOSED:
        raise MailboxError("closed")
    entry = Reply(
        message=message, author_id=actor.id, body=_text(body), internal=False, created_at=now
    )
    db.session.add(entry)
    if message.first_reply_at is None:
        message.first_reply_at = now
    message.status = MessageStatus.ANSWERED
    message.updated_at = now
    db.session.flush()
    org = _org(message)
    record(actor, org, "mailbox.reply", message, {"subject": message.subject})
    _notify_sender(org, message, "consultations/mailbox_reply", entry)
    return entry


def add_note(actor: User, message: Message, body: str, now: datetime) -> Reply:
    """A note between agents: never shown to the sender, never e-mailed, no status change."""
    entry = Reply(
        message=message, author_id=actor.id, body=_text(body), internal=True, created_at=now
    )
    db.session.add(entry)
    db.session.flush()
    record(actor, _org(message), "mailbox.note", message, {"subject": message.subject})
    return entry


def close(actor: User, message: Message, now: datetime) -> None:
    if message.status is MessageStatus.CLOSED:
        raise MailboxError("already_closed")
    message.status = MessageStatus.CLOSED
    message.closed_at = now
    message.updated_at = now
    db.session.flush()
    org = _org(message)
    record(actor, org, "mailbox.close", message, {"subject": message.subject})
    _notify_sender(org, message, "consultations/mailbox_closed")


def reopen(actor: User, message: Message, now: datetime) -> None:
    if message.status is not MessageStatus.CLOSED:
        raise MailboxError("not_closed")
    message.status = _status_in_hands_of_epci(message)
    message.closed_at = None
    message.updated_at = now
    db.session.flush()
    record(actor, _org(message), "mailbox.reopen", message, {"subject": message.subject})


# --- services of the EPCI ---------------------------------------------------------------


def create_service(actor: User, org: Organisation, name: str, email: str) -> MailboxService:
    name = _text(name, "name_required")
    if queries.service_name_taken(org, name):
        raise MailboxError("service_name_taken")
    service = MailboxService(organisation_id=org.id, name=name, email=(email or "").strip().lower())
    db.session.add(service)
    db.session.flush()
    record(actor, org, "mailbox.service_create", service, {"email": service.email})
    return service


def update_service(actor: User, service: MailboxService, name: str, email: str) -> None:
    org = _org(service)
    name = _text(name, "name_required")
    if queries.service_name_taken(org, name, except_id=service.id):
        raise MailboxError("service_name_taken")
    before = service.name
    service.name = name
    service.email = (email or "").strip().lower()
    db.session.flush()
    record(
        actor,
        org,
        "mailbox.service_update",
        service,
        {"previous_name": before, "email": service.email},
    )


def delete_service(actor: User, service: MailboxService) -> None:
    """A service that never received a question may go; otherwise its history would be lost."""
    if queries.service_used(service):
        raise MailboxError("service_in_use")
    record(actor, _org(service), "mailbox.service_delete", service)
    db.session.delete(service)
    db.session.flush()


# --- e-mails ----------------------------------------------------------------------------


def _queue(to: str, locale: str, template: str, org, message, link, entry=None) -> None:
    queue_email(
        to,
        template,
        organisation=org,
        locale=locale or "fr",
        message=message,
        entry=entry,
        link=link,
    )


def _notify_admins(org: Organisation, message: Message, template: str, entry=None) -> None:
    link = _admin_link(org, message)
    for agent in queries.admins_of(org):
        _queue(agent.email, agent.locale, template, org, message, link, entry)


def _notify_handlers(org: Organisation, message: Message, template: str, entry: Reply) -> None:
    """Whoever handles the question: its agent, else its service, else every agent."""
    link = _admin_link(org, message)
    agent = message.assigned_to
    if agent is not None and agent.active:
        _queue(agent.email, agent.locale, template, org, message, link, entry)
    elif message.service is not None and message.service.email:
        _queue(message.service.email, "fr", template, org, message, link, entry)
    else:
        _notify_admins(org, message, template, entry)


def _notify_sender(org: Organisation, message: Message, template: str, entry=None) -> None:
    sender = message.sender
    if sender is None or not sender.active:
        return
    link = _sender_link(org, message)
    _queue(sender.email, sender.locale, template, org, message, link, entry)
