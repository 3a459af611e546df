"""Reads of the mayors' mailbox; the only place that filters it by organisation or sender."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from app.db import db
from app.organisations.models import Commune, Organisation
from app.users.models import Membership, Role, User
from consultations.mailbox.models import MailboxService, Message, MessageStatus, Reply

#: the statuses of a question that waits for the EPCI
WAITING = (MessageStatus.NEW, MessageStatus.ASSIGNED)
STATUS_ORDER = {
    MessageStatus.NEW: 0,
    MessageStatus.ASSIGNED: 1,
    MessageStatus.ANSWERED: 2,
    MessageStatus.CLOSED: 3,
}
SORTS = ("recent", "oldest", "activity", "status", "commune")
#: a question counts as answered quickly when its first reply came within this delay
QUICK_REPLY = timedelta(days=7)
STATS_PERIOD = timedelta(days=365)


# --- questions --------------------------------------------------------------------------


def message_in(org: Organisation, message_id: int) -> Message | None:
    return db.session.scalar(
        select(Message).where(Message.organisation_id == org.id, Message.id == message_id)
    )


def own_message(org: Organisation, sender: User, message_id: int) -> Message | None:
    """The question only if this person sent it: others' questions do not exist for them."""
    return db.session.scalar(
        select(Message).where(
            Message.organisation_id == org.id,
            Message.id == message_id,
            Message.sender_id == sender.id,
        )
    )


def thread(message: Message, include_internal: bool) -> list[Reply]:
    """The replies and follow-ups of a question, oldest first; internal notes only for staff."""
    query = select(Reply).where(Reply.message_id == message.id).order_by(Reply.id)
    if not include_internal:
        query = query.where(Reply.internal.is_(False))
    return list(db.session.scalars(query))


def sent_by(org: Organisation, sender: User) -> Select:
    """The person's questions, the most recent first."""
    return (
        select(Message)
        .where(Message.organisation_id == org.id, Message.sender_id == sender.id)
        .order_by(Message.created_at.desc(), Message.id.desc())
    )


def open_sent_by(org: Organisation, sender: User, limit: int = 5) -> list[Message]:
    return list(
        db.session.scalars(
            sent_by(org, sender).where(Message.status != MessageStatus.CLOSED).limit(limit)
        )
    )


@dataclass
class Filters:
    status: str | None = None
    #: a service id, or "none" for questions with no service
    service: str | None = None
    commune: int | None = None
    sort: str = "recent"


def admin_list(org: Organisation, filters: Filters) -> Select:
    query = (
        select(Message)
        .where(Message.organisation_id == org.id)
        .options(joinedload(Message.assigned_to))
    )
    if filters.status in {s.value for s in MessageStatus}:
        query = query.where(Message.status == MessageStatus(filters.status))
    if filters.service == "none":
        query = query.where(Message.service_id.is_(None))
    elif filters.service and filters.service.isdigit():
        query = query.where(Message.service_id == int(filters.service))
    if filters.commune:
        query = query.where(Message.commune_id == filters.commune)
    return _sorted(query, filters.sort)


def _sorted(query: Select, sort: str) -> Select:
    if sort == "oldest":
        return query.order_by(Message.created_at, Message.id)
    if sort == "activity":
        return query.order_by(Message.updated_at.desc(), Message.id.desc())
    if sort == "status":
        rank = case(*((Message.status == status, n) for status, n in STATUS_ORDER.items()), else_=9)
        return query.order_by(rank, Message.created_at, Message.id)
    if sort == "commune":
        return query.outerjoin(Commune, Commune.id == Message.commune_id).order_by(
            Commune.name, Message.created_at.desc(), Message.id.desc()
        )
    return query.order_by(Message.created_at.desc(), Message.id.desc())


def count_waiting(org: Organisation) -> dict[MessageStatus, int]:
    """How many questions wait for the EPCI, by status (new, assigned)."""
    rows = db.session.execute(
        select(Message.status, func.count(Message.id))
        .where(Message.organisation_id == org.id, Message.status.in_(WAITING))
        .group_by(Message.status)
    )
    return {MessageStatus(status): n for status, n in rows}


def awaiting_answer_count(org: Organisation, user: User) -> int:
    """How many questions wait for an answer from the EPCI that are assigned to the person or
    to nobody yet: one query, for the menu's badge."""
    return (
        db.session.scalar(
            select(func.count(Message.id)).where(
                Message.organisation_id == org.id,
                Message.status.in_(WAITING),
                (Message.assigned_to_id == user.id) | Message.assigned_to_id.is_(None),
            )
        )
        or 0
    )


# --- people -----------------------------------------------------------------------------


def admins_of(org: Organisation) -> list[User]:
    """The active agents of the EPCI, who handle the questions."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                User.organisation_id == org.id,
                User.active.is_(True),
                Membership.role == Role.ADMIN,
            )
            .distinct()
            .order_by(User.display_name, User.id)
        )
    )


def admin_in(org: Organisation, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return next((u for u in admins_of(org) if u.id == user_id), None)


# --- services ---------------------------------------------------------------------------


def services_of(org: Organisation) -> list[MailboxService]:
    return list(
        db.session.scalars(
            select(MailboxService)
            .where(MailboxService.organisation_id == org.id)
            .order_by(MailboxService.name, MailboxService.id)
        )
    )


def service_in(org: Organisation, service_id: int | None) -> MailboxService | None:
    if service_id is None:
        return None
    return db.session.scalar(
        select(MailboxService).where(
            MailboxService.organisation_id == org.id, MailboxService.id == service_id
        )
    )


def service_name_taken(org: Organisation, name: str, except_id: int | None = None) -> bool:
    query = select(MailboxService.id).where(
        MailboxService.organisation_id == org.id,
        func.lower(MailboxService.name) == name.strip().lower(),
    )
    if except_id is not None:
        query = query.where(MailboxService.id != except_id)
    return db.session.scalar(query) is not None


def service_usage(org: Organisation) -> dict[int, int]:
    """How many questions each service of the organisation received, in one query."""
    rows = db.session.execute(
        select(Message.service_id, func.count(Message.id))
        .where(Message.organisation_id == org.id, Message.service_id.is_not(None))
        .group_by(Message.service_id)
    )
    return dict(rows.all())


def service_used(service: MailboxService) -> bool:
    return (
        db.session.scalar(select(Message.id).where(Message.service_id == service.id).limit(1))
        is not None
    )


# --- reply times ------------------------------------------------------------------------


@dataclass
class ReplyStats:
    """Reply times of the questions received in the period, for one service or for all."""

    service: MailboxService | None
    received: int = 0
    answered: int = 0
    median: timedelta | None = None
    average: timedelta | None = None
    #: share of the questions whose first reply came within QUICK_REPLY, among those whose
    #: outcome is known (answered, or received more than QUICK_REPLY ago); None if none is
    within_week: float | None = None
    #: questions waiting for the EPCI today (new or assigned), whatever their date
    waiting: int = 0


def summarise(
    service: MailboxService | None,
    times: Iterable[tuple[datetime, datetime | None]],
    now: datetime,
    waiting: int = 0,
) -> ReplyStats:
    """Reply-time figures from (received at, first reply at) pairs. A pure function."""
    times = list(times)
    delays = sorted(reply - sent for sent, reply in times if reply is not None)
    known = [
        (sent, reply) for sent, reply in times if reply is not None or now - sent >= QUICK_REPLY
    ]
    quick = sum(1 for sent, reply in known if reply is not None and reply - sent <= QUICK_REPLY)
    return ReplyStats(
        service=service,
        received=len(times),
        answered=len(delays),
        median=statistics.median(delays) if delays else None,
        average=sum(delays, timedelta()) / len(delays) if delays else None,
        within_week=quick / len(known) if known else None,
        waiting=waiting,
    )


def reply_statistics(org: Organisation, now: datetime) -> tuple[ReplyStats, list[ReplyStats]]:
    """Figures for the last twelve months, for all questions and by service: three queries."""
    services = services_of(org)
    rows = db.session.execute(
        select(Message.service_id, Message.created_at, Message.first_reply_at).where(
            Message.organisation_id == org.id, Message.created_at >= now - STATS_PERIOD
        )
    ).all()
    waiting = dict(
        db.session.execute(
            select(Message.service_id, func.count(Message.id))
            .where(Message.organisation_id == org.id, Message.status.in_(WAITING))
            .group_by(Message.service_id)
        ).all()
    )
    overall = summarise(None, ((c, r) for _s, c, r in rows), now, sum(waiting.values()))
    by_service = [
        summarise(s, ((c, r) for sid, c, r in rows if sid == s.id), now, waiting.get(s.id, 0))
        for s in services
    ]
    unassigned = summarise(
        None, ((c, r) for sid, c, r in rows if sid is None), now, waiting.get(None, 0)
    )
    if unassigned.received or unassigned.waiting:
        by_service.append(unassigned)
    return overall, by_service
