"""Hearings (auditions): slots, the proposed groups of three applications of one theme, moves
between groups, the associations' invitation with an .ics file and their confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ami import hearing_calendar, rules
from ami.messages import error_messages
from ami.models import AmiCall, Application, ApplicationStatus, Hearing, HearingSlot
from ami.services.common import AmiError
from ami.services.review import _organisation, application_link, association_people
from app.audit.services import record
from app.db import db, utcnow
from app.i18n import _
from app.mail.services import Attachment, queue_email
from app.web.urls import base_url


@error_messages
def _messages(params) -> dict[str, str]:
    return {
        "slot_order": _("L'heure de fin doit suivre l'heure de début."),
        "slot_invited": _(
            "Des associations ont déjà été invitées sur ce créneau : changez d'abord le "
            "créneau de leur audition."
        ),
        "slot_taken": _("Ce créneau est déjà attribué à une autre audition."),
        "not_eligible": _("Seules les candidatures recevables sont auditionnées."),
        "already_invited": _(
            "L'association a déjà été invitée à cette audition : elle ne peut plus changer de "
            "groupe."
        ),
        "same_group": _("La candidature est déjà dans ce groupe."),
        "not_invited": _("Vous n'avez pas encore été invité(e) à une audition."),
        "already_confirmed": _("Votre présence est déjà confirmée."),
    }


# --- reads ----------------------------------------------------------------------------------


def slots_of(call: AmiCall) -> list[HearingSlot]:
    return list(
        db.session.scalars(
            select(HearingSlot)
            .where(HearingSlot.call_id == call.id)
            .order_by(HearingSlot.starts_at, HearingSlot.id)
        )
    )


def hearings_of(call: AmiCall) -> list[Hearing]:
    """The call's hearing groups with their applications, in slot then position order."""
    rows = db.session.scalars(
        select(Hearing)
        .where(Hearing.call_id == call.id)
        .options(selectinload(Hearing.applications))
        .order_by(Hearing.position, Hearing.id)
    ).unique()
    return sorted(
        rows,
        key=lambda h: (h.slot is None, h.slot.starts_at if h.slot else None, h.position, h.id),
    )


def unplaced(call: AmiCall) -> list[Application]:
    """Eligible applications in no hearing group."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.call_id == call.id,
                Application.status == ApplicationStatus.ELIGIBLE,
                Application.hearing_id.is_(None),
            )
            .order_by(Application.number, Application.id)
        ).unique()
    )


def is_invited(hearing: Hearing) -> bool:
    return any(a.hearing_invited_at is not None for a in hearing.applications)


def others_in_group(application: Application) -> list[Application]:
    if application.hearing is None:
        return []
    return [a for a in application.hearing.applications if a.id != application.id]


# --- slots ----------------------------------------------------------------------------------


def add_slot(actor, call: AmiCall, starts_at: datetime, ends_at: datetime, location: str):
    if ends_at <= starts_at:
        raise AmiError("slot_order")
    slot = HearingSlot(
        call_id=call.id, starts_at=starts_at, ends_at=ends_at, location=location.strip()
    )
    db.session.add(slot)
    db.session.flush()
    record(
        actor,
        _organisation(call),
        "ami.hearing_slot.add",
        call,
        {"slot_id": slot.id, "starts_at": starts_at.isoformat(), "location": slot.location},
    )
    return slot


def remove_slot(actor, call: AmiCall, slot: HearingSlot) -> None:
    """Remove a slot; its groups (none invited) become unscheduled."""
    groups = [h for h in hearings_of(call) if h.slot_id == slot.id]
    if any(is_invited(h) for h in groups):
        raise AmiError("slot_invited")
    for hearing in groups:
        hearing.slot = None
    record(
        actor,
        _organisation(call),
        "ami.hearing_slot.remove",
        call,
        {"slot_id": slot.id, "starts_at": slot.starts_at.isoformat()},
    )
    db.session.delete(slot)
    db.session.flush()


# --- the proposal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    groups: int
    scheduled: int
    #: groups left without a slot: as many slots to add
    missing_slots: int


def _by_theme(call: AmiCall, applications: list[Application]):
    """[(theme, [applications by number])] in the call's theme order, other themes after."""
    order = {t.id: i for i, t in enumerate(call.themes)}
    themes: dict[int | None, tuple] = {}
    for application in sorted(applications, key=lambda a: (a.number or "", a.id)):
        entry = themes.setdefault(application.theme_id, (application.theme, []))
        entry[1].append(application)
    keys = sorted(themes, key=lambda k: (k not in order, order.get(k, 0), k or 0))
    return [themes[k] for k in keys]


def propose(actor, call: AmiCall) -> Proposal:
    """Group the eligible applications by theme (three by three) and give the groups the free
    slots in time order. Groups already invited stay; the others are replaced."""
    kept, free_slots_taken = [], set()
    for hearing in hearings_of(call):
        if is_invited(hearing):
            kept.append(hearing)
            if hearing.slot_id:
                free_slots_taken.add(hearing.slot_id)
            continue
        for application in list(hearing.applications):
            application.hearing = None
        db.session.delete(hearing)
    db.session.flush()
    applications = unplaced(call)
    groups = rules.plan_groups(_by_theme(call, applications))
    slots = [s for s in slots_of(call) if s.id not in free_slots_taken]
    start = max((h.position for h in kept), default=0) + 1
    scheduled = 0
    for index, (theme, members) in enumerate(groups):
        slot = slots[index] if index < len(slots) else None
        hearing = Hearing(
            call_id=call.id,
            theme_id=getattr(theme, "id", None),
            slot=slot,
            position=start + index,
        )
        db.session.add(hearing)
        for application in members:
            application.hearing = hearing
        scheduled += slot is not None
    db.session.flush()
    proposal = Proposal(len(groups), scheduled, len(groups) - scheduled)
    record(
        actor,
        _organisation(call),
        "ami.hearings.propose",
        call,
        {
            "groups": proposal.groups,
            "scheduled": proposal.scheduled,
            "applications": len(applications),
        },
    )
    return proposal


def replaceable_groups(call: AmiCall) -> int:
    """How many proposed groups a new proposal would replace."""
    return sum(not is_invited(h) for h in hearings_of(call))


# --- the schedule ---------------------------------------------------------------------------


def move(actor, application: Application, target: Hearing) -> list[Hearing]:
    """Move an application to another group; returns the groups left with one application
    (to warn about). An emptied group is removed."""
    if application.status != ApplicationStatus.ELIGIBLE:
        raise AmiError("not_eligible")
    if application.hearing_invited_at is not None:
        raise AmiError("already_invited")
    source = application.hearing
    if source is not None and source.id == target.id:
        raise AmiError("same_group")
    application.hearing = target
    db.session.flush()
    if source is not None:
        db.session.refresh(source)
        if not source.applications:
            db.session.delete(source)
            source = None
    db.session.flush()
    record(
        actor,
        _organisation(application.call),
        "ami.hearings.move",
        application,
        {"number": application.number, "to_hearing": target.id},
    )
    return [h for h in (source, target) if h is not None and len(h.applications) == 1]


def set_slot(actor, hearing: Hearing, slot: HearingSlot | None) -> bool:
    """Give a group another slot (or none). Returns whether invitations must be sent again
    (the invited associations are then to be invited anew, with the new time)."""
    if slot is not None and slot.id != hearing.slot_id:
        taken = db.session.scalar(
            select(Hearing.id).where(Hearing.slot_id == slot.id, Hearing.id != hearing.id)
        )
        if taken:
            raise AmiError("slot_taken")
    reinvite = False
    if (slot.id if slot else None) != hearing.slot_id:
        for application in hearing.applications:
            if application.hearing_invited_at is not None:
                application.hearing_invited_at = None
                application.hearing_confirmed_at = None
                reinvite = True
    hearing.slot = slot
    db.session.flush()
    record(
        actor,
        _organisation_of_hearing(hearing),
        "ami.hearings.slot",
        None,
        {
            "hearing_id": hearing.id,
            "slot_id": slot.id if slot else None,
            "starts_at": slot.starts_at.isoformat() if slot else None,
        },
    )
    return reinvite


def _organisation_of_hearing(hearing: Hearing):
    call = db.session.get(AmiCall, hearing.call_id)
    return _organisation(call)


# --- invitations ----------------------------------------------------------------------------


def to_invite(call: AmiCall) -> list[Application]:
    return [
        a
        for h in hearings_of(call)
        if h.slot is not None
        for a in h.applications
        if a.hearing_invited_at is None and a.status == ApplicationStatus.ELIGIBLE
    ]


def ics_for(application: Application, link: str = "") -> bytes:
    org = _organisation(application.call)
    domain = base_url(org).split("://", 1)[-1]
    others = [a.association.name for a in others_in_group(application)]
    return hearing_calendar.calendar(application, others, link, domain)


def invite(actor, call: AmiCall) -> int:
    """E-mail the people of every scheduled, not yet invited application: when, where, with
    whom, and the .ics. Returns how many applications were invited."""
    org = _organisation(call)
    now = utcnow()
    applications = to_invite(call)
    for application in applications:
        link = application_link(org, application)
        others = others_in_group(application)
        ics = ics_for(application, link)
        for person in association_people(application.association_id):
            queue_email(
                person.email,
                "ami/hearing_invitation",
                organisation=org,
                locale=person.locale,
                attachments=[Attachment("audition.ics", "text/calendar", ics)],
                person=person,
                application=application,
                slot=application.hearing.slot,
                others=others,
                link=link,
            )
        application.hearing_invited_at = now
    db.session.flush()
    record(
        actor,
        org,
        "ami.hearings.invite",
        call,
        {"applications": [a.number for a in applications]},
    )
    return len(applications)


def confirm(actor, application: Application) -> None:
    """The association confirms it will attend its hearing."""
    if application.hearing is None or application.hearing_invited_at is None:
        raise AmiError("not_invited")
    if application.hearing_confirmed_at is not None:
        raise AmiError("already_confirmed")
    application.hearing_confirmed_at = utcnow()
    db.session.flush()
    record(
        actor,
        _organisation(application.call),
        "ami.hearings.confirm",
        application,
        {"number": application.number, "hearing_id": application.hearing_id},
    )
