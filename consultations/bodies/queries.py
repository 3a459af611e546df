"""Reads of bodies and meetings, scoped to the organisation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import db
from app.organisations.models import Organisation
from app.users.models import User
from consultations.bodies.models import (
    AgendaItem,
    Body,
    BodyMember,
    Convocation,
    Meeting,
    MeetingRequest,
    MeetingStatus,
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
            selectinload(Meeting.items).selectinload(AgendaItem.votes),
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
        members = [m for m in current_members(meeting.body) if m.id in convened or not convened]
        members.sort(key=lambda m: (m.commune.name if m.commune else "", m.user.display_name))
        self.present = [m for m in members if m.id in attendance and attendance[m.id].present]
        present_ids = {m.id for m in self.present}
        self.represented = [
            (m, proxies[m.id]) for m in members if m.id not in present_ids and m.id in proxies
        ]
        represented_ids = {m.id for m, _h in self.represented}
        self.absent = [m for m in members if m.id not in present_ids | represented_ids]
        self.quorum = quorum_state(meeting)
        self.items = [
            (
                item,
                result_of(item) if item.votes or item.vote_status == "closed" else None,
                sorted(item.votes, key=lambda v: v.member.user.display_name),
            )
            for item in meeting.items
        ]
