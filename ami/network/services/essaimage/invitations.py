"""The invitations to an essaimage day: the EPCI invites the associations funded in the day's
year and others of its choice, or withdraws an invitation; each association registers (with
how many people) or declines until registration closes."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.orm import contains_eager

from ami.models import (
    AmiCall,
    Application,
    Association,
    Decision,
    Outcome,
    application_partner,
)
from ami.network.models import EssaimageDay, EssaimageInvitation, InvitationReason
from ami.network.services.common import NetworkError
from ami.network.services.essaimage import mail
from ami.network.services.essaimage.days import registration_closes
from app.audit.services import record
from app.db import db, utcnow
from app.web.urls import external_url

MAX_ATTENDEES = 5


# --- reads ----------------------------------------------------------------------------------


def invitations_of(day: EssaimageDay) -> list[EssaimageInvitation]:
    """The day's invitations, by association name (one query)."""
    rows = db.session.scalars(
        select(EssaimageInvitation)
        .join(Association, Association.id == EssaimageInvitation.association_id)
        .where(EssaimageInvitation.day_id == day.id)
        .order_by(Association.name, EssaimageInvitation.id)
    ).unique()
    return list(rows)


def is_registered(invitation: EssaimageInvitation) -> bool:
    return invitation.registered_at is not None and invitation.declined_at is None


def invitation_of(day: EssaimageDay, association) -> EssaimageInvitation | None:
    return db.session.scalar(
        select(EssaimageInvitation).where(
            EssaimageInvitation.day_id == day.id,
            EssaimageInvitation.association_id == association.id,
        )
    )


def invitations_for(org, association) -> list[EssaimageInvitation]:
    """The association's invitations, the latest day first."""
    return list(
        db.session.scalars(
            select(EssaimageInvitation)
            .join(EssaimageInvitation.day)
            .options(contains_eager(EssaimageInvitation.day))
            .where(
                EssaimageInvitation.association_id == association.id,
                EssaimageDay.organisation_id == org.id,
            )
            .order_by(EssaimageDay.starts_at.desc())
        ).unique()
    )


def funded_associations(org, year: int) -> list[Association]:
    """The associations with a funded application to a call of `year`: the lead association and
    the partners of joint applications, once each, by name."""
    funded = (
        select(Application.id)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .join(Decision, Decision.application_id == Application.id)
        .where(
            AmiCall.organisation_id == org.id,
            AmiCall.year == year,
            Decision.outcome == Outcome.FUNDED,
        )
    )
    leads = select(Application.association_id).where(Application.id.in_(funded))
    partners = select(application_partner.c.association_id).where(
        application_partner.c.application_id.in_(funded)
    )
    ids = union(leads, partners).subquery()
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.organisation_id == org.id, Association.id.in_(select(ids)))
            .order_by(Association.name)
        )
    )


def others_to_invite(org, day: EssaimageDay) -> list[Association]:
    """The organisation's associations not invited yet, by name."""
    invited = select(EssaimageInvitation.association_id).where(EssaimageInvitation.day_id == day.id)
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.organisation_id == org.id, Association.id.not_in(invited))
            .order_by(Association.name)
        )
    )


def registered_invitations(day: EssaimageDay) -> list[EssaimageInvitation]:
    return [i for i in invitations_of(day) if is_registered(i)]


# --- invitations ----------------------------------------------------------------------------


def _invite(actor, org, day, associations, reason: InvitationReason) -> list:
    if utcnow() >= registration_closes(day):
        raise NetworkError("essaimage_invite_closed")
    invited = {
        a
        for (a,) in db.session.execute(
            select(EssaimageInvitation.association_id).where(EssaimageInvitation.day_id == day.id)
        )
    }
    created = []
    for association in associations:
        if association.id in invited or association.organisation_id != org.id:
            continue
        invitation = EssaimageInvitation(
            day_id=day.id, association_id=association.id, association=association, reason=reason
        )
        db.session.add(invitation)
        invited.add(association.id)
        created.append(invitation)
        _tell_invited(org, day, association)
    db.session.flush()
    if created:
        record(
            actor,
            org,
            "network.essaimage.invite",
            day,
            {"reason": str(reason), "associations": [i.association_id for i in created]},
        )
    return created


def _tell_invited(org, day, association) -> None:
    mail.tell(
        org,
        association,
        "ami/network/essaimage_invitation",
        ics=mail.calendar_for(org, day, association, rounds=[]),
        day=day,
        closes_at=registration_closes(day),
        link=external_url(org, "ami.essaimage_mine", association_id=association.id),
    )


def invite_funded(actor, org, day: EssaimageDay) -> list[EssaimageInvitation]:
    """Invite every association funded in the day's year not invited yet (leads and partners);
    each is told by e-mail with the .ics. Returns the new invitations."""
    return _invite(actor, org, day, funded_associations(org, day.year), InvitationReason.FUNDED)


def invite_chosen(actor, org, day: EssaimageDay, associations) -> list[EssaimageInvitation]:
    return _invite(actor, org, day, associations, InvitationReason.CHOSEN)


def uninvite(actor, org, day: EssaimageDay, invitation: EssaimageInvitation) -> None:
    """Withdraw an invitation (before the plan is built); the association is told."""
    if day.plan_built_at is not None:
        raise NetworkError("essaimage_plan_built")
    association = invitation.association
    mail.tell(org, association, "ami/network/essaimage_withdrawn", day=day)
    record(
        actor,
        org,
        "network.essaimage.uninvite",
        day,
        {"association_id": association.id, "was_registered": is_registered(invitation)},
    )
    db.session.delete(invitation)
    db.session.flush()


def respond(actor, org, invitation: EssaimageInvitation, attending: bool, attendees=None):
    """The association registers (with how many people) or declines; it may change its mind
    until registration closes."""
    day = invitation.day
    now = utcnow()
    closes = registration_closes(day)
    if now >= closes:
        raise NetworkError("essaimage_closed", closes=closes)
    if attending:
        if attendees is None or not 1 <= attendees <= MAX_ATTENDEES:
            raise NetworkError("essaimage_attendees")
        if not is_registered(invitation):
            invitation.registered_at = now
        invitation.declined_at = None
        invitation.attendees = attendees
    else:
        invitation.declined_at = now
        invitation.registered_at = None
    invitation.responded_by_id = actor.id
    db.session.flush()
    record(
        actor,
        org,
        "network.essaimage.respond",
        day,
        {
            "association_id": invitation.association_id,
            "attending": attending,
            "attendees": invitation.attendees if attending else 0,
        },
    )
