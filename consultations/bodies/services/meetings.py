"""Meetings: dates and places, agendas, convocations and receipts, answers and proxies,
attendance, minutes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.organisations.models import Commune
from app.sanitize import clean_html
from app.users.models import User
from app.web.urls import external_url
from consultations.bodies import rules
from consultations.bodies.models import (
    AgendaDocument,
    AgendaItem,
    Attendance,
    AttendanceAnswer,
    Body,
    BodyMember,
    CalendarFeed,
    Convocation,
    Meeting,
    MeetingStatus,
    Proxy,
    VoteStatus,
)
from consultations.bodies.services.common import BodyError, body_org, current_members


@dataclass
class MeetingData:
    title: str
    starts_at: datetime
    ends_at: datetime | None
    host_commune: Commune | None
    venue: str
    online_url: str


def _check(data: MeetingData) -> None:
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise BodyError("ends_before_start")
    if not data.venue.strip() and not data.online_url.strip() and data.host_commune is None:
        raise BodyError("place_required")
    if data.online_url and not data.online_url.startswith(("https://", "http://")):
        raise BodyError("bad_url")


def suggested_host(body: Body) -> Commune | None:
    """For bodies that meet in turn: the member commune that hosted least recently."""
    communes = {m.commune_id: m.commune for m in current_members(body) if m.commune_id}
    if not body.rotating_host or not communes:
        return None
    last = dict(
        db.session.execute(
            select(Meeting.host_commune_id, func.max(Meeting.starts_at))
            .where(Meeting.body_id == body.id, Meeting.host_commune_id.in_(list(communes)))
            .group_by(Meeting.host_commune_id)
        ).all()
    )
    chosen = rules.suggest_host([(c.id, c.name) for c in communes.values()], last)
    return communes.get(chosen)


def hosting_history(body: Body) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.body_id == body.id, Meeting.host_commune_id.is_not(None))
            .order_by(Meeting.starts_at.desc())
        )
    )


def create_meeting(actor: User, body: Body, data: MeetingData, request=None) -> Meeting:
    _check(data)
    meeting = Meeting(
        body_id=body.id,
        body=body,
        title=data.title.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        host_commune_id=getattr(data.host_commune, "id", None),
        venue=data.venue.strip(),
        online_url=data.online_url.strip(),
        request_id=getattr(request, "id", None),
    )
    db.session.add(meeting)
    db.session.flush()
    if request is not None:
        from consultations.bodies.services.requests import mark_convened

        mark_convened(request, meeting)
    record(actor, body_org(body), "meeting.create", meeting)
    return meeting


def update_meeting(actor: User, meeting: Meeting, data: MeetingData) -> None:
    _check(data)
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED):
        raise BodyError("meeting_held")
    moved = (
        meeting.starts_at,
        meeting.ends_at,
        meeting.venue,
        meeting.online_url,
        meeting.host_commune_id,
    ) != (
        data.starts_at,
        data.ends_at,
        data.venue.strip(),
        data.online_url.strip(),
        getattr(data.host_commune, "id", None),
    )
    meeting.title = data.title.strip()
    meeting.starts_at, meeting.ends_at = data.starts_at, data.ends_at
    meeting.host_commune_id = getattr(data.host_commune, "id", None)
    meeting.venue, meeting.online_url = data.venue.strip(), data.online_url.strip()
    if moved:
        meeting.sequence += 1
        if meeting.status is MeetingStatus.CONVENED:
            _tell_members(meeting, "consultations/meeting_changed")
    record(actor, body_org(meeting.body), "meeting.update", meeting)


# --- agenda ------------------------------------------------------------------------------


def _editable_agenda(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED):
        raise BodyError("meeting_held")


def add_item(
    actor: User,
    meeting: Meeting,
    title: str,
    description: str,
    calls_for_vote: bool,
    opinion_text: str = "",
) -> AgendaItem:
    _editable_agenda(meeting)
    item = AgendaItem(
        meeting=meeting,
        position=max((i.position for i in meeting.items), default=0) + 1,
        title=title.strip(),
        description=clean_html(description),
        vote_status=VoteStatus.PENDING if calls_for_vote else VoteStatus.NONE,
        opinion_text=opinion_text.strip(),
    )
    db.session.add(item)
    db.session.flush()
    record(actor, body_org(meeting.body), "meeting.item_add", meeting, {"item": item.title})
    return item


def update_item(
    actor: User,
    item: AgendaItem,
    title: str,
    description: str,
    calls_for_vote: bool,
    opinion_text: str = "",
) -> None:
    _editable_agenda(item.meeting)
    if item.vote_status in (VoteStatus.OPEN, VoteStatus.CLOSED):
        raise BodyError("vote_started")
    item.title, item.description = title.strip(), clean_html(description)
    item.opinion_text = opinion_text.strip()
    item.vote_status = VoteStatus.PENDING if calls_for_vote else VoteStatus.NONE
    record(
        actor,
        body_org(item.meeting.body),
        "meeting.item_update",
        item.meeting,
        {"item": item.title},
    )


def delete_item(actor: User, item: AgendaItem) -> None:
    meeting = item.meeting
    _editable_agenda(meeting)
    if item.votes:
        raise BodyError("vote_started")
    record(actor, body_org(meeting.body), "meeting.item_delete", meeting, {"item": item.title})
    meeting.items.remove(item)
    for position, other in enumerate(meeting.items, start=1):
        other.position = position


def move_item(actor: User, item: AgendaItem, offset: int) -> None:
    meeting = item.meeting
    _editable_agenda(meeting)
    ordered = sorted(meeting.items, key=lambda i: i.position)
    index = ordered.index(item)
    other = index + offset
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, each in enumerate(ordered, start=1):
            each.position = position


def add_item_document(actor: User, item: AgendaItem, stored_file) -> AgendaDocument:
    document = AgendaDocument(item=item, file_id=stored_file.id, file=stored_file)
    db.session.add(document)
    db.session.flush()
    record(
        actor,
        body_org(item.meeting.body),
        "meeting.document_add",
        item.meeting,
        {"file": stored_file.original_name},
    )
    return document


# --- convocations --------------------------------------------------------------------------


def _link(meeting: Meeting, endpoint: str, **values) -> str:
    return external_url(body_org(meeting.body), endpoint, **values)


def _tell_members(meeting: Meeting, template: str, convocations=None, **context) -> int:
    convocations = convocations if convocations is not None else convocations_of(meeting)
    org = body_org(meeting.body)
    for convocation in convocations:
        person = convocation.member.user
        if not person.active:
            continue
        queue_email(
            person.email,
            template,
            organisation=org,
            locale=person.locale,
            meeting=meeting,
            member=convocation.member,
            items=meeting.items,
            ack_link=_link(meeting, "bodies_member.acknowledge", token=convocation.token),
            link=_link(meeting, "bodies_member.meeting", meeting_id=meeting.id),
            ics_link=_link(meeting, "bodies_member.meeting_ics", meeting_id=meeting.id),
            **context,
        )
    return len(convocations)


def convocations_of(meeting: Meeting) -> list[Convocation]:
    """The meeting's convocations with their member and account (not the account's
    memberships and communes: two queries of a hundred rows each)."""
    return list(
        db.session.scalars(
            select(Convocation)
            .where(Convocation.meeting_id == meeting.id)
            .options(
                joinedload(Convocation.member)
                .joinedload(BodyMember.user)
                .lazyload(User.memberships)
            )
        )
    )


def convene(actor: User, meeting: Meeting, now: datetime) -> int:
    """Send a convocation with the agenda and documents to every current member."""
    if meeting.status is not MeetingStatus.PLANNED:
        raise BodyError("already_convened")
    if not meeting.items:
        raise BodyError("empty_agenda")
    if meeting.starts_at <= now:
        raise BodyError("meeting_in_past")
    convocations = []
    for member in current_members(meeting.body):
        convocation = Convocation(meeting=meeting, member=member, member_id=member.id, sent_at=now)
        db.session.add(convocation)
        convocations.append(convocation)
    db.session.flush()
    meeting.status = MeetingStatus.CONVENED
    meeting.convened_at = now
    sent = _tell_members(meeting, "consultations/meeting_convocation", convocations)
    record(actor, body_org(meeting.body), "meeting.convene", meeting, {"members": sent})
    return sent


def remind_unacknowledged(actor: User, meeting: Meeting, now: datetime) -> int:
    if meeting.status is not MeetingStatus.CONVENED:
        raise BodyError("not_convened")
    pending = [c for c in convocations_of(meeting) if c.acknowledged_at is None]
    for convocation in pending:
        convocation.last_reminder_at = now
    sent = _tell_members(meeting, "consultations/meeting_reminder", pending)
    record(actor, body_org(meeting.body), "meeting.remind", meeting, {"members": sent})
    return sent


def acknowledge(convocation: Convocation, now: datetime) -> bool:
    """Record the receipt; true the first time."""
    if convocation.acknowledged_at is not None:
        return False
    convocation.acknowledged_at = now
    return True


def convocation_for(meeting: Meeting, member: BodyMember) -> Convocation | None:
    return db.session.scalar(
        select(Convocation).where(
            Convocation.meeting_id == meeting.id, Convocation.member_id == member.id
        )
    )


def proxies_of(meeting: Meeting) -> list[Proxy]:
    return list(
        db.session.scalars(
            select(Proxy)
            .where(Proxy.meeting_id == meeting.id)
            .options(
                joinedload(Proxy.giver).joinedload(BodyMember.user).lazyload(User.memberships),
                joinedload(Proxy.holder).joinedload(BodyMember.user).lazyload(User.memberships),
            )
        )
    )


def answer(
    member: BodyMember,
    meeting: Meeting,
    reply: AttendanceAnswer,
    holder: BodyMember | None,
    now: datetime,
) -> None:
    """The member says whether they will attend; "represented" gives a proxy to `holder`."""
    if meeting.status is not MeetingStatus.CONVENED:
        raise BodyError("not_convened")
    convocation = convocation_for(meeting, member)
    if convocation is None:
        raise BodyError("not_convened_member")
    existing = next((p for p in proxies_of(meeting) if p.giver_id == member.id), None)
    if reply is AttendanceAnswer.REPRESENTED:
        if holder is None:
            raise BodyError("holder_required")
        give_proxy(meeting, member, holder, existing)
    elif existing is not None:
        db.session.delete(existing)
    convocation.answer = reply
    convocation.answered_at = now
    convocation.acknowledged_at = convocation.acknowledged_at or now
    db.session.flush()
    record(
        member.user,
        body_org(meeting.body),
        "meeting.answer",
        meeting,
        {"answer": str(reply), "holder": holder.user.display_name if holder else None},
    )


def give_proxy(
    meeting: Meeting, giver: BodyMember, holder: BodyMember, existing: Proxy | None = None
) -> Proxy:
    body = meeting.body
    members = {m.id for m in current_members(body)}
    proxies = {p.giver_id: p.holder_id for p in proxies_of(meeting)}
    try:
        rules.check_proxy(giver.id, holder.id, members, proxies, body.max_proxies_held)
    except rules.ProxyRefused as refused:
        raise BodyError(f"proxy_{refused.code}") from None
    if existing is not None:
        existing.holder_id, existing.holder = holder.id, holder
        return existing
    proxy = Proxy(
        meeting_id=meeting.id, giver_id=giver.id, giver=giver, holder_id=holder.id, holder=holder
    )
    db.session.add(proxy)
    db.session.flush()
    return proxy


# --- attendance and quorum -------------------------------------------------------------------


@dataclass
class QuorumState:
    members: int
    present: int
    represented: int
    required: int
    counts_proxies: bool

    @property
    def applies(self) -> bool:
        return self.required > 0

    @property
    def counted(self) -> int:
        return rules.quorum_count(self.present, self.represented, self.counts_proxies)

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def attendance_of(meeting: Meeting) -> dict[int, Attendance]:
    return {
        a.member_id: a
        for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }


def quorum_state(meeting: Meeting) -> QuorumState:
    body = meeting.body
    members = current_members(body)
    present_ids = {m for m, a in attendance_of(meeting).items() if a.present}
    represented = {
        p.giver_id
        for p in proxies_of(meeting)
        if p.holder_id in present_ids and p.giver_id not in present_ids
    }
    return QuorumState(
        members=len(members),
        present=len(present_ids),
        represented=len(represented),
        required=rules.quorum_required(
            len(members),
            rules.Fraction(body.quorum_numerator, body.quorum_denominator),
            body.quorum_strict,
        ),
        counts_proxies=body.quorum_counts_proxies,
    )


def record_attendance(
    actor: User, meeting: Meeting, member: BodyMember, present: bool, now: datetime
) -> None:
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.HELD):
        raise BodyError("not_convened")
    attendance = attendance_of(meeting).get(member.id)
    if attendance is None:
        attendance = Attendance(meeting_id=meeting.id, member_id=member.id, member=member)
        db.session.add(attendance)
    attendance.present = present
    attendance.recorded_by_id = actor.id
    attendance.recorded_at = now
    db.session.flush()


def mark_held(actor: User, meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.CONVENED:
        raise BodyError("not_convened")
    if any(i.vote_status is VoteStatus.OPEN for i in meeting.items):
        raise BodyError("vote_still_open")
    meeting.status = MeetingStatus.HELD
    record(actor, body_org(meeting.body), "meeting.held", meeting)


# --- minutes -----------------------------------------------------------------------------------


def write_minutes(actor: User, meeting: Meeting, html: str) -> None:
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED):
        raise BodyError("not_held")
    meeting.minutes = clean_html(html)
    record(actor, body_org(meeting.body), "meeting.minutes_write", meeting)


def publish_minutes(actor: User, meeting: Meeting, public: bool, now: datetime) -> None:
    """Publish the minutes (with the attendance and the votes) to the members, and the public."""
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED):
        raise BodyError("not_held")
    if not meeting.minutes.strip():
        raise BodyError("minutes_empty")
    first = meeting.status is MeetingStatus.HELD
    meeting.status = MeetingStatus.MINUTES_PUBLISHED
    meeting.minutes_public = public
    meeting.minutes_published_at = meeting.minutes_published_at or now
    if first:
        _tell_members(meeting, "consultations/meeting_minutes")
    record(actor, body_org(meeting.body), "meeting.minutes_publish", meeting, {"public": public})


# --- calendar feeds ----------------------------------------------------------------------------


def renew_calendar_feed(user: User, now: datetime) -> CalendarFeed:
    """Give the person a private calendar address, or a new one: the former stops working."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(32), created_at=now)
        db.session.add(feed)
        action = "calendar_feed.create"
    else:
        feed.token = secrets.token_urlsafe(32)
        feed.created_at = now
        action = "calendar_feed.renew"
    db.session.flush()
    record(user, user.organisation, action, user)
    return feed
