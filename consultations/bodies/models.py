"""Bodies, their members, meetings, agendas, convocations, proxies, attendance, votes,
minutes and the meeting requests of a third of the members."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum, utcnow
from app.organisations.models import Commune
from app.uploads.models import StoredFile
from app.users.models import User
from app.voting import VoteChoice


class BodyKind(StrEnum):
    MAYORS_CONFERENCE = "mayors_conference"  # conférence des maires
    DEPUTIES_CONFERENCE = "deputies_conference"  # conférence des adjoint(e)s
    DGS_COMMITTEE = "dgs_committee"  # comité / réunion des DGS
    TERRITORIAL_COUNCIL = "territorial_council"  # conseil de territoire
    COMMISSION = "commission"
    VP_CONFERENCE = "vp_conference"  # conférence des vice-présidents
    WORKING_GROUP = "working_group"  # groupe de travail thématique
    BUREAU = "bureau"
    COUNCIL = "council"  # conseil communautaire
    DEVELOPMENT_COUNCIL = "development_council"  # conseil de développement


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CONVENED = "convened"
    HELD = "held"
    MINUTES_PUBLISHED = "minutes_published"


class AttendanceAnswer(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    REPRESENTED = "represented"


class VoteStatus(StrEnum):
    NONE = "none"  # the item calls for no vote
    PENDING = "pending"  # a vote is planned, not open yet
    OPEN = "open"
    CLOSED = "closed"


class RequestStatus(StrEnum):
    COLLECTING = "collecting"  # gathering co-signatures
    ADMISSIBLE = "admissible"  # threshold reached: the President must convene
    REFUSED = "refused"  # the yearly cap was reached
    CONVENED = "convened"  # a meeting was convened on it
    WITHDRAWN = "withdrawn"


class Body(TimestampMixin, db.Model):
    """An instance of the EPCI: a group of members that meets and may give opinions."""

    __tablename__ = "consultations_body"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: Mapped[BodyKind] = mapped_column(str_enum(BodyKind))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: the conférence des maires is filled with the mayor of every commune, automatically
    auto_mayors: Mapped[bool] = mapped_column(default=False)
    #: who presides (convenes, is told of admissible meeting requests)
    president_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: quorum: none when the numerator is 0; else at least num/den of the members
    quorum_numerator: Mapped[int] = mapped_column(default=0)
    quorum_denominator: Mapped[int] = mapped_column(default=2)
    #: "more than" the fraction (majority) rather than "at least"
    quorum_strict: Mapped[bool] = mapped_column(default=True)
    #: members represented by a proxy count towards the quorum
    quorum_counts_proxies: Mapped[bool] = mapped_column(default=False)
    #: share of members needed to request a meeting (0 = members cannot request one)
    request_numerator: Mapped[int] = mapped_column(default=0)
    request_denominator: Mapped[int] = mapped_column(default=3)
    #: admissible meeting requests allowed per calendar year
    request_yearly_cap: Mapped[int] = mapped_column(default=4)
    #: proxies one member may hold at once
    max_proxies_held: Mapped[int] = mapped_column(default=1)
    #: votes are published with the name of each voter
    public_votes: Mapped[bool] = mapped_column(default=True)
    #: meetings take place in turn in the member communes (working groups)
    rotating_host: Mapped[bool] = mapped_column(default=False)

    members: Mapped[list[BodyMember]] = relationship(
        back_populates="body", cascade="all, delete-orphan"
    )
    president: Mapped[User | None] = relationship()


class BodyMember(db.Model):
    """A seat in a body: one voice (or its weight) per member, whatever the commune's size."""

    __tablename__ = "consultations_body_member"
    __table_args__ = (
        # one current seat per person and body
        sa.Index(
            "uq_consultations_body_member_current",
            "body_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: the commune the member represents (the mayor's commune in the conférence des maires)
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"))
    #: voting weight; one voice by default
    weight: Mapped[int] = mapped_column(default=1)
    #: records attendance and paper votes during meetings
    is_secretary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the member left the body (a former mayor); their past votes stay
    left_at: Mapped[datetime | None]

    @property
    def current(self) -> bool:
        return self.left_at is None

    body: Mapped[Body] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")
    commune: Mapped[Commune | None] = relationship(lazy="joined")


class Meeting(TimestampMixin, db.Model):
    __tablename__ = "consultations_meeting"
    __table_args__ = (sa.Index("ix_consultations_meeting_body_start", "body_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    #: the commune that hosts the meeting (in turn for working groups)
    host_commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"))
    #: the room and address
    venue: Mapped[str] = mapped_column(sa.String(500), default="")
    #: a link for an online meeting
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus), default=MeetingStatus.PLANNED
    )
    convened_at: Mapped[datetime | None]
    #: sanitised HTML
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    minutes_published_at: Mapped[datetime | None]
    #: the minutes are also shown to the public
    minutes_public: Mapped[bool] = mapped_column(default=False)
    #: the meeting request this meeting answers, if any
    request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultations_meeting_request.id")
    )
    #: stable identifier for calendars
    uid: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(16))
    #: incremented at every change of date or place, for calendars
    sequence: Mapped[int] = mapped_column(default=0)

    body: Mapped[Body] = relationship()
    host_commune: Mapped[Commune | None] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )


class AgendaItem(db.Model):
    __tablename__ = "consultations_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(500))
    #: sanitised HTML
    description: Mapped[str] = mapped_column(sa.Text, default="")
    vote_status: Mapped[VoteStatus] = mapped_column(str_enum(VoteStatus), default=VoteStatus.NONE)
    #: the text of the formal opinion put to the vote
    opinion_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: adopted (True) or rejected (False) once the vote is closed
    adopted: Mapped[bool | None]
    vote_closed_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    documents: Mapped[list[AgendaDocument]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="AgendaDocument.id"
    )
    votes: Mapped[list[Vote]] = relationship(back_populates="item", cascade="all, delete-orphan")


class AgendaDocument(db.Model):
    __tablename__ = "consultations_agenda_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_agenda_item.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    item: Mapped[AgendaItem] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class Convocation(db.Model):
    """The summons of one member to one meeting, its receipt and the member's answer."""

    __tablename__ = "consultations_convocation"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_meeting.id"))
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations_body_member.id"), index=True
    )
    #: random part of the acknowledgement link
    token: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_urlsafe(24))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    last_reminder_at: Mapped[datetime | None]
    #: the member's announced attendance
    answer: Mapped[AttendanceAnswer | None] = mapped_column(str_enum(AttendanceAnswer))
    answered_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    member: Mapped[BodyMember] = relationship(lazy="joined")


class Proxy(db.Model):
    """A member (giver) lets another member (holder) vote for them at one meeting."""

    __tablename__ = "consultations_proxy"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "giver_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_meeting.id"))
    giver_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body_member.id"))
    holder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations_body_member.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    giver: Mapped[BodyMember] = relationship(foreign_keys=[giver_id], lazy="joined")
    holder: Mapped[BodyMember] = relationship(foreign_keys=[holder_id], lazy="joined")


class Attendance(db.Model):
    """Presence recorded during the meeting by the secretary."""

    __tablename__ = "consultations_attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_meeting.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body_member.id"))
    present: Mapped[bool] = mapped_column(default=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[BodyMember] = relationship(lazy="joined")


class Vote(db.Model):
    """One member's voice on an agenda item, cast by the member, a proxy holder or the
    secretary from a paper record."""

    __tablename__ = "consultations_vote"
    __table_args__ = (sa.UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_agenda_item.id"))
    #: whose voice it is
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body_member.id"))
    choice: Mapped[VoteChoice] = mapped_column(str_enum(VoteChoice))
    #: who cast it (the member, the proxy holder, or the secretary)
    cast_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    by_proxy: Mapped[bool] = mapped_column(default=False)
    from_paper: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="votes")
    member: Mapped[BodyMember] = relationship(lazy="joined")


class MeetingRequest(TimestampMixin, db.Model):
    """A request for a meeting, admissible once enough members have co-signed it."""

    __tablename__ = "consultations_meeting_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body_member.id"))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.COLLECTING
    )
    #: the threshold when it was reached, and when
    threshold: Mapped[int | None]
    decided_at: Mapped[datetime | None]

    body: Mapped[Body] = relationship()
    opened_by: Mapped[BodyMember] = relationship(lazy="joined")
    signatures: Mapped[list[RequestSignature]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestSignature.id"
    )


class RequestSignature(db.Model):
    __tablename__ = "consultations_request_signature"
    __table_args__ = (sa.UniqueConstraint("request_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_meeting_request.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_body_member.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[MeetingRequest] = relationship(back_populates="signatures")
    member: Mapped[BodyMember] = relationship(lazy="joined")


class CalendarFeed(db.Model):
    """The private, unguessable address of a person's calendar of meetings."""

    __tablename__ = "consultations_calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
