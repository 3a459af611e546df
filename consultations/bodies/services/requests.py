"""Meeting requests: a third of the mayors can have the conférence des maires convened,
within four meetings a year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.users.models import Role, User
from app.web.urls import external_url
from consultations.bodies import rules
from consultations.bodies.models import (
    Body,
    BodyMember,
    Meeting,
    MeetingRequest,
    RequestSignature,
    RequestStatus,
)
from consultations.bodies.services.common import BodyError, body_org, current_members

PARIS_YEAR_START = "01-01"


def threshold(body: Body) -> int:
    return rules.request_threshold(
        len(current_members(body)),
        rules.Fraction(body.request_numerator, body.request_denominator),
    )


def _year_of(moment: datetime) -> int:
    from consultations.saisines.rules import to_paris

    return to_paris(moment).year


def admissible_in_year(body: Body, year: int) -> int:
    """Requests that became admissible (or were convened) in this calendar year."""
    decided = db.session.scalars(
        select(MeetingRequest.decided_at).where(
            MeetingRequest.body_id == body.id,
            MeetingRequest.status.in_([RequestStatus.ADMISSIBLE, RequestStatus.CONVENED]),
            MeetingRequest.decided_at.is_not(None),
        )
    )
    return sum(1 for moment in decided if _year_of(moment) == year)


def open_request(
    member: BodyMember, subject: str, description: str, now: datetime
) -> MeetingRequest:
    body = member.body
    if body.request_numerator <= 0:
        raise BodyError("requests_not_allowed")
    if not member.current:
        raise BodyError("not_member")
    if not rules.request_allowed(admissible_in_year(body, _year_of(now)), body.request_yearly_cap):
        raise BodyError("yearly_cap_reached", cap=body.request_yearly_cap)
    request = MeetingRequest(
        body_id=body.id,
        body=body,
        subject=subject.strip(),
        description=description.strip(),
        opened_by_id=member.id,
        opened_by=member,
    )
    db.session.add(request)
    db.session.flush()
    record(member.user, body_org(body), "meeting_request.open", request, {"subject": subject})
    sign_request(member, request, now)
    return request


def sign_request(member: BodyMember, request: MeetingRequest, now: datetime) -> bool:
    """Co-sign; when the threshold is reached the request becomes admissible, unless the
    yearly cap is reached, then it is refused. Returns True if it became admissible."""
    if request.status is not RequestStatus.COLLECTING:
        raise BodyError("request_closed")
    if member.body_id != request.body_id or not member.current:
        raise BodyError("not_member")
    if any(s.member_id == member.id for s in request.signatures):
        raise BodyError("already_signed")
    request.signatures.append(RequestSignature(member_id=member.id, member=member, signed_at=now))
    db.session.flush()
    record(
        member.user,
        body_org(request.body),
        "meeting_request.sign",
        request,
        {"signatures": len(request.signatures)},
    )
    needed = threshold(request.body)
    if len(request.signatures) < needed:
        return False
    body = request.body
    if not rules.request_allowed(admissible_in_year(body, _year_of(now)), body.request_yearly_cap):
        request.status = RequestStatus.REFUSED
        request.decided_at = now
        record(
            None,
            body_org(body),
            "meeting_request.refused",
            request,
            {"cap": body.request_yearly_cap},
        )
        return False
    request.status = RequestStatus.ADMISSIBLE
    request.threshold = needed
    request.decided_at = now
    _tell_president_and_admins(request)
    record(None, body_org(body), "meeting_request.admissible", request, {"threshold": needed})
    return True


def withdraw_signature(member: BodyMember, request: MeetingRequest) -> None:
    if request.status is not RequestStatus.COLLECTING:
        raise BodyError("request_closed")
    signature = next((s for s in request.signatures if s.member_id == member.id), None)
    if signature is None:
        raise BodyError("not_signed")
    if request.opened_by_id == member.id:
        request.status = RequestStatus.WITHDRAWN
    request.signatures.remove(signature)
    record(member.user, body_org(request.body), "meeting_request.unsign", request)


def mark_convened(request: MeetingRequest, meeting: Meeting) -> None:
    if request.status is not RequestStatus.ADMISSIBLE:
        raise BodyError("request_not_admissible")
    request.status = RequestStatus.CONVENED


def _tell_president_and_admins(request: MeetingRequest) -> None:
    body = request.body
    org = body_org(body)
    recipients: dict[int, User] = {}
    if body.president is not None and body.president.active:
        recipients[body.president.id] = body.president
    for admin in db.session.scalars(
        select(User).where(
            User.organisation_id == org.id,
            User.active.is_(True),
            User.memberships.any(role=Role.ADMIN),
        )
    ):
        recipients[admin.id] = admin
    link = external_url(org, "bodies.request_detail", request_id=request.id)
    for person in recipients.values():
        queue_email(
            person.email,
            "consultations/meeting_request_admissible",
            organisation=org,
            locale=person.locale,
            request=request,
            body=body,
            link=link,
        )


def requests_count_by_status(body: Body) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(MeetingRequest.status, func.count(MeetingRequest.id))
            .where(MeetingRequest.body_id == body.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
