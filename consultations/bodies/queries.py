"""Reads of bodies and meetings, scoped to the organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.db import db
from app.organisations.models import Organisation
from app.users.models import User
from app.web import sort_key
from consultations.bodies.models import (
    AgendaItem,
    Body,
    BodyMember,
    CalendarFeed,
    Convocation,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Vote,
    VoteStatus,
)


def body_in(org: Organisation, body_id: int) -> Body | None:
    return db.session.scalar(
        select(Body)
        .where(Body.organisation_id == org.id, Body.id == body_id)
        .options(selectinload(Body.members))
    )


def meeting_in(org: Organisation, meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        select(Meeting)
        .join(Body)
        .where(Body.organisation_id == org.id, Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.items).selectinload(AgendaItem.documents),
            # each vote's member and account, not the account's memberships and communes
            selectinload(Meeting.items)
            .selectinload(AgendaItem.votes)
            .joinedload(Vote.member)
            .joinedload(BodyMember.user)
            .lazyload(User.memberships),
        )
    )


def request_in(org: Organisation, request_id: int) -> MeetingRequest | None:
    return db.session.scalar(
        select(MeetingRequest)
        .join(Body)
        .where(Body.organisation_id == org.id, MeetingRequest.id == request_id)
        .options(selectinload(MeetingRequest.signatures))
    )


def bodies_of(org: Organisation) -> list[Body]:
    return list(
        db.session.scalars(
            select(Body)
            .where(Body.organisation_id == org.id)
            .options(selectinload(Body.members))
            .order_by(Body.name)
        )
    )


def bodies_of_user(user: User) -> list[Body]:
    return list(
        db.session.scalars(
            select(Body)
            .join(BodyMember)
            .where(
                Body.organisation_id == user.organisation_id,
                BodyMember.user_id == user.id,
                BodyMember.left_at.is_(None),
            )
            .options(selectinload(Body.members))
            .order_by(Body.name)
        )
    )


def meetings_of(body: Body) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.starts_at.desc())
        )
    )


def requests_of(body: Body) -> list[MeetingRequest]:
    return list(
        db.session.scalars(
            select(MeetingRequest)
            .where(MeetingRequest.body_id == body.id)
            .options(selectinload(MeetingRequest.signatures))
            .order_by(MeetingRequest.created_at.desc())
        )
    )


def convocations_of_user(user: User) -> list[Convocation]:
    """The person's convocations to meetings not yet held, soonest first."""
    return list(
        db.session.scalars(
            select(Convocation)
            .join(BodyMember, BodyMember.id == Convocation.member_id)
            .join(Meeting, Meeting.id == Convocation.meeting_id)
            .where(BodyMember.user_id == user.id, Meeting.status == MeetingStatus.CONVENED)
            .options(selectinload(Convocation.meeting).selectinload(Meeting.body))
            .order_by(Meeting.starts_at)
        )
    )


def unacknowledged_count(user: User, now: datetime) -> int:
    """How many convocations to meetings still to come the person has neither acknowledged nor
    answered (answering acknowledges): one query, for the menu's badge."""
    return (
        db.session.scalar(
            select(func.count(Convocation.id))
            .join(BodyMember, BodyMember.id == Convocation.member_id)
            .join(Meeting, Meeting.id == Convocation.meeting_id)
            .join(Body, Body.id == Meeting.body_id)
            .where(
                BodyMember.user_id == user.id,
                Body.organisation_id == user.organisation_id,
                Meeting.status == MeetingStatus.CONVENED,
                Meeting.starts_at > now,
                Convocation.acknowledged_at.is_(None),
            )
        )
        or 0
    )


def meetings_for_calendar(user: User) -> list[Meeting]:
    """Meetings the person is convened to (all statuses), for the calendar feed."""
    return list(
        db.session.scalars(
            select(Meeting)
            .join(Convocation, Convocation.meeting_id == Meeting.id)
            .join(BodyMember, BodyMember.id == Convocation.member_id)
            .where(BodyMember.user_id == user.id)
            .options(
                selectinload(Meeting.body),
                selectinload(Meeting.items),
                selectinload(Meeting.host_commune),
            )
            .order_by(Meeting.starts_at)
        )
    )


def convocation_by_token(token: str) -> Convocation | None:
    return db.session.scalar(select(Convocation).where(Convocation.token == token))


def requests_of_user(user: User) -> list[MeetingRequest]:
    """The meeting requests of the bodies the person sits in, newest first."""
    return list(
        db.session.scalars(
            select(MeetingRequest)
            .join(Body, Body.id == MeetingRequest.body_id)
            .join(BodyMember, BodyMember.body_id == Body.id)
            .where(
                Body.organisation_id == user.organisation_id,
                BodyMember.user_id == user.id,
                BodyMember.left_at.is_(None),
            )
            .options(
                selectinload(MeetingRequest.signatures),
                selectinload(MeetingRequest.body).selectinload(Body.members),
            )
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        )
    )


def open_votes_of_user(user: User) -> list[AgendaItem]:
    """Items with a vote open now, in the meetings the person is convened to."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .join(Convocation, Convocation.meeting_id == Meeting.id)
            .join(BodyMember, BodyMember.id == Convocation.member_id)
            .where(
                BodyMember.user_id == user.id,
                BodyMember.left_at.is_(None),
                Meeting.status == MeetingStatus.CONVENED,
                AgendaItem.vote_status == VoteStatus.OPEN,
            )
            .options(selectinload(AgendaItem.meeting).selectinload(Meeting.body))
            .order_by(Meeting.starts_at, AgendaItem.position)
        )
    )


def meeting_of_request(request: MeetingRequest) -> Meeting | None:
    """The meeting convened on a request, if any."""
    return db.session.scalar(
        select(Meeting).where(Meeting.request_id == request.id).order_by(Meeting.id).limit(1)
    )


def calendar_feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))


class MeetingRecord:
    """What the minutes show besides the written text: who attended, proxies, each vote."""

    def __init__(self, meeting: Meeting):
        from consultations.bodies.services import attendance_of, proxies_of, quorum_state, result_of
        from consultations.bodies.services.common import current_members

        self.meeting = meeting
        attendance = attendance_of(meeting)
        proxies = {p.giver_id: p.holder for p in proxies_of(meeting)}
        convened = {
            c.member_id
            for c in db.session.scalars(
                select(Convocation).where(Convocation.meeting_id == meeting.id)
            )
        }
        # the members convened then (former members included), else today's members
        if convened:
            members = [m for m in meeting.body.members if m.id in convened]
        else:
            members = current_members(meeting.body)
        members.sort(
            key=lambda m: (
                sort_key(m.commune.name if m.commune else ""),
                sort_key(m.user.display_name),
            )
        )
        self.present = [m for m in members if m.id in attendance and attendance[m.id].present]
        present_ids = {m.id for m in self.present}
        # a proxy counts only when its holder was there to use it
        self.represented = [
            (m, proxies[m.id])
            for m in members
            if m.id not in present_ids and m.id in proxies and proxies[m.id].id in present_ids
        ]
        represented_ids = {m.id for m, _h in self.represented}
        self.absent = [m for m in members if m.id not in present_ids | represented_ids]
        self.quorum = quorum_state(meeting)
        self.items = [
            (
                item,
                result_of(item) if item.votes or item.vote_status == "closed" else None,
                sorted(item.votes, key=lambda v: sort_key(v.member.user.display_name)),
            )
            for item in meeting.items
        ]


# --- the EPCI's pages ------------------------------------------------------------------------


def upcoming_meetings(org: Organisation, since, limit: int | None = None) -> list[Meeting]:
    """Meetings of the organisation's bodies, planned or convened, from `since`, soonest first."""
    query = (
        select(Meeting)
        .join(Body, Body.id == Meeting.body_id)
        .where(
            Body.organisation_id == org.id,
            Meeting.status.in_([MeetingStatus.PLANNED, MeetingStatus.CONVENED]),
            Meeting.starts_at >= since,
        )
        .options(selectinload(Meeting.body), selectinload(Meeting.host_commune))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def admissible_requests(org: Organisation) -> list[MeetingRequest]:
    """Requests that reached their threshold and wait for a meeting to be convened."""
    from consultations.bodies.models import RequestStatus

    return list(
        db.session.scalars(
            select(MeetingRequest)
            .join(Body, Body.id == MeetingRequest.body_id)
            .where(
                Body.organisation_id == org.id,
                MeetingRequest.status == RequestStatus.ADMISSIBLE,
            )
            .options(selectinload(MeetingRequest.body), selectinload(MeetingRequest.signatures))
            .order_by(MeetingRequest.decided_at, MeetingRequest.id)
        )
    )


def body_meetings(body: Body) -> list[Meeting]:
    """The body's meetings, latest first, with their host commune."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.body_id == body.id)
            .options(selectinload(Meeting.host_commune))
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
    )


def possible_members(org: Organisation) -> list[User]:
    """Active people of the organisation with a role other than inhabitant, by name."""
    from app.users.models import Membership, Role

    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == org.id,
                User.active.is_(True),
                User.memberships.any(Membership.role != Role.CITIZEN),
            )
            .order_by(db.func.lower(User.display_name), User.id)
        )
    )


def admins_of(org: Organisation) -> list[User]:
    from app.users.models import Membership, Role

    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == org.id,
                User.active.is_(True),
                User.memberships.any(Membership.role == Role.ADMIN),
            )
            .order_by(db.func.lower(User.display_name), User.id)
        )
    )
