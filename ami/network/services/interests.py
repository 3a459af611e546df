"""Mutual interest: an association marks interest in another; two interests facing each
other make a match, which opens a message thread and shows each other's contact. Either side
may withdraw at any time."""

from __future__ import annotations

from sqlalchemy import delete

from ami.messages import error_messages
from ami.models import Association
from ami.network import queries
from ami.network.models import Interest, Match
from ami.network.services.common import NetworkError
from app.audit.services import record
from app.db import db, utcnow
from app.i18n import _
from app.users.models import User


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
    }


def mark_interest(actor: User, org, mine: Association, other: Association) -> Match | None:
    """`mine` marks interest in `other` (listed in the directory). Returns the match when the
    interest was mutual, else None."""
    if mine.id == other.id:
        raise NetworkError("interest_self")
    profile = queries.profile_of(other)
    if profile is None or not profile.listed:
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
    return match


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
