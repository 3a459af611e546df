"""The associations' network: the directory, mutual interests and matches with their message
threads, the yearly essaimage day with its speed-meeting plan, and declared cooperations.

Joint applications (several associations on one application) are the other source of
cooperations: they live in `ami_application_partner` (ami/models.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ami.models import Association, InterestDisclosure  # noqa: F401  (re-exported)
from app.db import TimestampMixin, db, str_enum, utcnow
from app.organisations.models import Commune
from app.users.models import User


class DirectoryVisibility(StrEnum):
    #: anyone, signed in or not
    PUBLIC = "public"
    #: any signed-in account of the organisation
    MEMBERS = "members"
    #: the associations' people and the EPCI's staff only
    ASSOCIATIONS = "associations"


class NetworkSettings(db.Model):
    """The organisation's choices for the network (one row per organisation, created on first
    save; without it the defaults apply)."""

    __tablename__ = "ami_network_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), unique=True)
    directory_visibility: Mapped[DirectoryVisibility] = mapped_column(
        str_enum(DirectoryVisibility), default=DirectoryVisibility.ASSOCIATIONS
    )


class NetworkTag(db.Model):
    """An entry of the shared list of what associations offer or look for (locaux, bénévoles,
    matériel...)."""

    __tablename__ = "ami_network_tag"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)


directory_offer = sa.Table(
    "ami_directory_offer",
    db.metadata,
    sa.Column("profile_id", sa.ForeignKey("ami_directory_profile.id"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("ami_network_tag.id"), primary_key=True),
)
directory_need = sa.Table(
    "ami_directory_need",
    db.metadata,
    sa.Column("profile_id", sa.ForeignKey("ami_directory_profile.id"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("ami_network_tag.id"), primary_key=True),
)
directory_commune = sa.Table(
    "ami_directory_commune",
    db.metadata,
    sa.Column("profile_id", sa.ForeignKey("ami_directory_profile.id"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("commune.id"), primary_key=True),
)


class DirectoryProfile(TimestampMixin, db.Model):
    """An association's entry in the directory. Its presentation, themes and QPVs are the
    association's own (ami_association); here are what it offers, what it looks for and the
    communes it acts in. It appears only while `listed` (opt-in)."""

    __tablename__ = "ami_directory_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_association.id"), unique=True)
    #: the association chose to appear in the directory
    listed: Mapped[bool] = mapped_column(default=False)
    listed_at: Mapped[datetime | None]
    #: what it offers, in its own words (plain text)
    offers_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: what it looks for (plain text)
    needs_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: its web site (http or https)
    website: Mapped[str] = mapped_column(sa.String(300), default="")

    association: Mapped[Association] = relationship(lazy="joined")
    offers: Mapped[list[NetworkTag]] = relationship(
        secondary=directory_offer, order_by="NetworkTag.position", lazy="selectin"
    )
    needs: Mapped[list[NetworkTag]] = relationship(
        secondary=directory_need, order_by="NetworkTag.position", lazy="selectin"
    )
    communes: Mapped[list[Commune]] = relationship(
        secondary=directory_commune, order_by="Commune.name", lazy="selectin"
    )


# --- interests and matches ------------------------------------------------------------------


class Interest(db.Model):
    """One association's interest in another. Two interests facing each other make a match."""

    __tablename__ = "ami_network_interest"
    __table_args__ = (
        sa.UniqueConstraint("from_association_id", "to_association_id"),
        sa.CheckConstraint("from_association_id <> to_association_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    from_association_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ami_association.id"), index=True
    )
    to_association_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_association.id"), index=True)
    #: the call whose disclosure rule applies (the organisation's latest published call)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_call.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    from_association: Mapped[Association] = relationship(foreign_keys=[from_association_id])
    to_association: Mapped[Association] = relationship(foreign_keys=[to_association_id])


class Match(db.Model):
    """A mutual interest between two associations (stored once, the lower id first). Ended
    when either withdraws; marking interest again on both sides reopens it."""

    __tablename__ = "ami_network_match"
    __table_args__ = (
        sa.UniqueConstraint("first_association_id", "second_association_id"),
        sa.CheckConstraint("first_association_id < second_association_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    first_association_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ami_association.id"), index=True
    )
    second_association_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ami_association.id"), index=True
    )
    #: when the match was (last) made
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when one side withdrew (the thread is then read-only and the contacts hidden)
    ended_at: Mapped[datetime | None]
    ended_by_association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_association.id"))
    #: each side's last reading of the thread, for the unread counts
    first_read_at: Mapped[datetime | None]
    second_read_at: Mapped[datetime | None]

    first_association: Mapped[Association] = relationship(
        foreign_keys=[first_association_id], lazy="joined"
    )
    second_association: Mapped[Association] = relationship(
        foreign_keys=[second_association_id], lazy="joined"
    )
    messages: Mapped[list[NetworkMessage]] = relationship(
        back_populates="match", order_by="NetworkMessage.id", cascade="all, delete-orphan"
    )

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def read_column(self, association_id: int) -> str:
        """The column holding when `association_id`'s side last read the thread."""
        side = "first" if association_id == self.first_association_id else "second"
        return f"{side}_read_at"

    def other(self, association_id: int) -> Association:
        if association_id == self.first_association_id:
            return self.second_association
        return self.first_association


class NetworkMessage(db.Model):
    """A message of a match's thread, written by a person for one of the two associations.
    Plain text (shown escaped, never as HTML)."""

    __tablename__ = "ami_network_message"
    __table_args__ = (sa.Index("ix_ami_network_message_match_created", "match_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_network_match.id"))
    sender_association_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_association.id"))
    #: the person who wrote it (None once their account was deleted)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    match: Mapped[Match] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship(lazy="joined")


# --- the essaimage day ----------------------------------------------------------------------


class EssaimageDay(TimestampMixin, db.Model):
    """The yearly meeting of the funded associations ("l'essaimage"), with its speed-meeting
    rounds."""

    __tablename__ = "ami_essaimage_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: the AMI year whose funded associations are invited
    year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    #: plain text
    description: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    #: UTC
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: when the speed meetings begin (UTC); the rounds follow each other
    meetings_start_at: Mapped[datetime | None]
    rounds: Mapped[int] = mapped_column(default=4)
    round_minutes: Mapped[int] = mapped_column(default=10)
    #: people per table: 2 for face-to-face meetings, up to 6 for small tables
    table_size: Mapped[int] = mapped_column(default=2)
    #: registrations are accepted until then (UTC; None: until the day starts)
    registration_closes_at: Mapped[datetime | None]
    #: the plan was built then (None: not built yet)
    plan_built_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    invitations: Mapped[list[EssaimageInvitation]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="EssaimageInvitation.id"
    )


class InvitationReason(StrEnum):
    #: funded in the day's year
    FUNDED = "funded"
    #: chosen by the EPCI
    CHOSEN = "chosen"


class EssaimageInvitation(db.Model):
    """An association invited to an essaimage day, and its answer."""

    __tablename__ = "ami_essaimage_invitation"
    __table_args__ = (sa.UniqueConstraint("day_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_essaimage_day.id"), index=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_association.id"), index=True)
    reason: Mapped[InvitationReason] = mapped_column(str_enum(InvitationReason))
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    #: how many of its people come
    attendees: Mapped[int] = mapped_column(default=1)
    responded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    day: Mapped[EssaimageDay] = relationship(back_populates="invitations")
    association: Mapped[Association] = relationship(lazy="joined")


class EssaimageSeat(db.Model):
    """Where an association sits in one round of the speed meetings. An association with no
    seat in a round rests during it."""

    __tablename__ = "ami_essaimage_seat"
    __table_args__ = (sa.UniqueConstraint("day_id", "round", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_essaimage_day.id"), index=True)
    #: 1-based
    round: Mapped[int]
    #: 1-based
    table_number: Mapped[int]
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_association.id"))

    association: Mapped[Association] = relationship(lazy="joined")


# --- cooperations ---------------------------------------------------------------------------


class Cooperation(db.Model):
    """A cooperation declared by one of the two associations (or by the EPCI) outside a joint
    application: shared premises, a joint action... Stored once per pair and year, the lower
    id first."""

    __tablename__ = "ami_cooperation"
    __table_args__ = (
        sa.UniqueConstraint("first_association_id", "second_association_id", "year"),
        sa.CheckConstraint("first_association_id < second_association_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    first_association_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ami_association.id"), index=True
    )
    second_association_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ami_association.id"), index=True
    )
    year: Mapped[int]
    #: what they do together (plain text)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    first_association: Mapped[Association] = relationship(
        foreign_keys=[first_association_id], lazy="joined"
    )
    second_association: Mapped[Association] = relationship(
        foreign_keys=[second_association_id], lazy="joined"
    )
