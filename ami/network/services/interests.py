"""Mutual interest: an association marks interest in another; two interests facing each other
make a match, which opens a message thread and shows each other's contact. Either side may
withdraw at any time: the thread becomes read-only and the contacts are hidden again.

Nobody is told of an interest before the match, except where the call it was marked under
lets the association look at the list of the associations interested in it
(InterestDisclosure.LIST): even then, no contact detail is shown before the match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from ami.messages import error_messages
from ami.models import AmiCall, Association, InterestDisclosure
from ami.network import queries
from ami.network.models import DirectoryProfile, Interest, Match, NetworkMessage
from ami.network.services.common import NetworkError
from ami.services.applications import association_people
from app.audit.services import record
from app.db import db, utcnow
from app.i18n import _
from app.mail.services import queue_email
from app.users.models import User
from app.web.urls import external_url

MESSAGE_MAX = 2000


@error_messages
def _messages(params: dict) -> dict[str, str]:
    return {
        "interest_self": _("Une association ne peut pas marquer son intérêt pour elle-même."),
        "interest_not_listed": _(
            "Cette association n'apparaît pas (ou plus) dans l'annuaire : vous ne pouvez pas "
            "marquer votre intérêt pour elle."
        ),
        "interest_already": _("Vous avez déjà marqué votre intérêt pour cette association."),
        "interest_none": _("Vous n'aviez pas marqué d'intérêt pour cette association."),
        "match_ended": _(
            "Cette mise en relation a pris fin : vous ne pouvez plus y envoyer de message."
        ),
        "message_empty": _("Écrivez votre message."),
        "message_too_long": _(
            "Votre message compte plus de %(max)d caractères : raccourcissez-le.", max=MESSAGE_MAX
        ),
    }


# --- interests and matches ------------------------------------------------------------------


def _may_answer_unlisted(mine: Association, other: Association) -> bool:
    """An association that left (or never joined) the directory may still be answered when
    `mine` was allowed to see its interest (the LIST disclosure)."""
    theirs = queries.interest_between(other.id, mine.id)
    return theirs is not None and queries.disclosure_of(theirs) == InterestDisclosure.LIST


def _lock_pair(mine: Association, other: Association) -> None:
    """Two associations marking interest in each other at the same moment must make one match:
    lock both rows (in id order, so that two locks never wait on each other) until the
    transaction ends; the second one then sees the first one's interest. (SQLite runs one
    writer at a time and ignores the lock.)"""
    db.session.execute(
        select(Association.id)
        .where(Association.id.in_(sorted((mine.id, other.id))))
        .order_by(Association.id)
        .with_for_update()
    ).all()


def mark_interest(actor: User, org, mine: Association, other: Association) -> Match | None:
    """`mine` marks interest in `other` (listed in the directory, or interested in `mine`
    under a call that let `mine` see it). Returns the match when the interest was mutual,
    else None; nobody is told anything before the match."""
    if mine.id == other.id:
        raise NetworkError("interest_self")
    _lock_pair(mine, other)
    profile = queries.profile_of(other)
    if (profile is None or not profile.listed) and not _may_answer_unlisted(mine, other):
        raise NetworkError("interest_not_listed")
    if queries.interest_between(mine.id, other.id) is not None:
        raise NetworkError("interest_already")
    call = queries.current_call(org)
    db.session.add(
        Interest(
            organisation_id=org.id,
            from_association_id=mine.id,
            to_association_id=other.id,
            call_id=call.id if call else None,
            created_by_id=actor.id,
        )
    )
    db.session.flush()
    record(actor, org, "network.interest", mine, {"to_association_id": other.id})
    if queries.interest_between(other.id, mine.id) is None:
        return None
    return _match(actor, org, mine, other)


def _match(actor: User, org, mine: Association, other: Association) -> Match:
    """Make (or reopen: the same row, its thread kept) the match and tell both sides."""
    match = queries.match_between(mine.id, other.id)
    first, second = sorted((mine.id, other.id))
    if match is None:
        match = Match(
            organisation_id=org.id, first_association_id=first, second_association_id=second
        )
        db.session.add(match)
    match.matched_at = utcnow()
    match.ended_at = None
    match.ended_by_association_id = None
    db.session.flush()
    record(actor, org, "network.match", match, {"associations": [first, second]})
    _mail_match(org, match, mine, other)
    _mail_match(org, match, other, mine)
    return match


def _thread_link(org, match: Match, association: Association) -> str:
    return external_url(org, "ami.network_thread", association_id=association.id, match_id=match.id)


def _tell(org, match: Match, to: Association, template: str, **context) -> None:
    """E-mail `template` to the people of `to` (as `mine`), with the link to its thread."""
    link = _thread_link(org, match, to)
    for person in association_people(to):
        queue_email(
            person.email,
            template,
            organisation=org,
            locale=person.locale or "fr",
            person=person,
            mine=to,
            link=link,
            **context,
        )


def _mail_match(org, match: Match, to: Association, other: Association) -> None:
    """The people of `to` learn of the match, with `other`'s contact (allowed after it)."""
    _tell(org, match, to, "ami/network/match", other=other)


def withdraw_interest(actor: User, org, mine: Association, other: Association) -> Match | None:
    """`mine` withdraws its interest in `other`; an active match between them ends (the thread
    becomes read-only and the contacts are hidden again). Returns the ended match, if any."""
    interest = queries.interest_between(mine.id, other.id)
    if interest is None:
        raise NetworkError("interest_none")
    db.session.execute(delete(Interest).where(Interest.id == interest.id))
    record(actor, org, "network.interest_withdraw", mine, {"to_association_id": other.id})
    match = queries.match_between(mine.id, other.id)
    if match is None or match.ended_at is not None:
        return None
    match.ended_at = utcnow()
    match.ended_by_association_id = mine.id
    db.session.flush()
    record(actor, org, "network.match_end", match, {"by_association_id": mine.id})
    return match


# --- threads --------------------------------------------------------------------------------


def read_at(match: Match, association_id: int) -> datetime | None:
    """When `association_id`'s side last read the thread."""
    return getattr(match, match.read_column(association_id))


def mark_read(match: Match, association_id: int) -> datetime | None:
    """Record that `association_id`'s side reads the thread now; returns the previous
    reading. One UPDATE, so that the loaded match stays as it is for the page."""
    previous = read_at(match, association_id)
    column = match.read_column(association_id)
    db.session.execute(update(Match).where(Match.id == match.id).values({column: utcnow()}))
    return previous


def post_message(
    actor: User, org, match: Match, mine: Association, body: str
) -> tuple[NetworkMessage, bool]:
    """`actor` writes `body` (plain text, kept as typed but stripped) in the thread for
    `mine`. The other association's people are e-mailed only if they read the thread since
    the previous message of `mine` (one e-mail per exchange, not per message). Returns the
    message and whether they were e-mailed."""
    if not match.active:
        raise NetworkError("match_ended")
    body = (body or "").strip()
    if not body:
        raise NetworkError("message_empty")
    if len(body) > MESSAGE_MAX:
        raise NetworkError("message_too_long")
    previous = db.session.scalar(
        select(func.max(NetworkMessage.created_at)).where(
            NetworkMessage.match_id == match.id, NetworkMessage.sender_association_id == mine.id
        )
    )
    other = match.other(mine.id)
    seen = read_at(match, other.id)
    notify = previous is None or (seen is not None and seen >= previous)
    message = NetworkMessage(
        match_id=match.id, sender_association_id=mine.id, author_id=actor.id, body=body
    )
    db.session.add(message)
    setattr(match, match.read_column(mine.id), utcnow())
    db.session.flush()
    record(actor, org, "network.message", match, {"message_id": message.id})
    if notify:
        _tell(org, match, other, "ami/network/message", sender=mine)
    return message, notify


def match_in(org, match_id: int) -> Match | None:
    return db.session.scalar(
        select(Match).where(Match.id == match_id, Match.organisation_id == org.id)
    )


def thread_messages(match: Match) -> list[NetworkMessage]:
    """The thread in order, with the authors (one query)."""
    return list(
        db.session.scalars(
            select(NetworkMessage)
            .where(NetworkMessage.match_id == match.id)
            .order_by(NetworkMessage.created_at, NetworkMessage.id)
        ).unique()
    )


# --- the matches page -----------------------------------------------------------------------


@dataclass
class Interested:
    """An association interested in the one looking, which it may see (LIST disclosure)."""

    association: Association
    since: datetime
    listed: bool


@dataclass
class MatchesPage:
    active: list[tuple[Match, Association, int]]
    waiting: list[Interest]
    interested: list[Interested]
    ended: list[tuple[Match, Association]]
    disclosure: InterestDisclosure


def _matches_of(association: Association) -> list[Match]:
    return list(
        db.session.scalars(
            select(Match)
            .where(
                or_(
                    Match.first_association_id == association.id,
                    Match.second_association_id == association.id,
                )
            )
            .order_by(Match.matched_at.desc(), Match.id.desc())
        ).unique()
    )


def _interested_in(association: Association, answered: set[int]) -> list[Interested]:
    """The interests marked in `association` it may see and has not answered, in three
    queries whatever their number."""
    interests = [
        i
        for i in db.session.scalars(
            select(Interest)
            .options(joinedload(Interest.from_association))
            .where(Interest.to_association_id == association.id)
            .order_by(Interest.created_at.desc(), Interest.id.desc())
        )
        if i.from_association_id not in answered
    ]
    call_ids = {i.call_id for i in interests if i.call_id is not None}
    if call_ids:  # in the identity map for queries.disclosure_of
        db.session.scalars(select(AmiCall).where(AmiCall.id.in_(call_ids))).all()
    shown = [i for i in interests if queries.disclosure_of(i) == InterestDisclosure.LIST]
    listed = set()
    if shown:
        listed = set(
            db.session.scalars(
                select(DirectoryProfile.association_id).where(
                    DirectoryProfile.association_id.in_([i.from_association_id for i in shown]),
                    DirectoryProfile.listed.is_(True),
                )
            )
        )
    return [
        Interested(i.from_association, i.created_at, i.from_association_id in listed) for i in shown
    ]


def matches_page(org, association: Association) -> MatchesPage:
    """The four sections of an association's matches page, in a bounded number of queries."""
    matches = _matches_of(association)
    active = [m for m in matches if m.active]
    unread = queries.unread_counts([association.id])[association.id]
    matched_ids = {m.other(association.id).id for m in active}
    mine = list(
        db.session.scalars(
            select(Interest)
            .options(joinedload(Interest.to_association))
            .where(Interest.from_association_id == association.id)
            .order_by(Interest.created_at.desc(), Interest.id.desc())
        )
    )
    call = queries.current_call(org)
    return MatchesPage(
        active=[(m, m.other(association.id), unread.get(m.id, 0)) for m in active],
        waiting=[i for i in mine if i.to_association_id not in matched_ids],
        interested=_interested_in(association, {i.to_association_id for i in mine} | matched_ids),
        ended=[(m, m.other(association.id)) for m in matches if not m.active],
        disclosure=call.interest_disclosure if call else InterestDisclosure.ON_MATCH,
    )
