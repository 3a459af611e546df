"""The conseil de développement's referrals, contributions, votes and follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum, utcnow
from app.uploads.models import StoredFile
from app.users.models import User
from app.voting import VoteChoice


class CouncilFunction(StrEnum):
    PRESIDENT = "president"
    BUREAU = "bureau"


class CouncilOffice(db.Model):
    """A member of the council who presides or sits in its bureau."""

    __tablename__ = "participation_council_office"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    function: Mapped[CouncilFunction] = mapped_column(str_enum(CouncilFunction))

    user: Mapped[User] = relationship(lazy="joined")


class ReferralKind(StrEnum):
    REFERRAL = "referral"  # saisine du conseil par l'EPCI
    OWN_INITIATIVE = "own_initiative"  # auto-saisine


class Referral(TimestampMixin, db.Model):
    """A subject the council works on: referred by the EPCI, or taken up on its own."""

    __tablename__ = "participation_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: Mapped[ReferralKind] = mapped_column(str_enum(ReferralKind))
    title: Mapped[str] = mapped_column(sa.String(300))
    #: sanitised HTML
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: the date by which the EPCI expects the contribution (UTC)
    deadline: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    documents: Mapped[list[ReferralDocument]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralDocument.id"
    )
    created_by: Mapped[User | None] = relationship()


class ReferralDocument(db.Model):
    __tablename__ = "participation_referral_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_referral.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    referral: Mapped[Referral] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class ContributionStatus(StrEnum):
    DRAFT = "draft"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    TRANSMITTED = "transmitted"


class Contribution(TimestampMixin, db.Model):
    """An opinion of the council, written by co-authors, adopted by a vote, sent to the EPCI."""

    __tablename__ = "participation_contribution"
    __table_args__ = (
        sa.Index("ix_participation_contribution_org_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    referral_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participation_referral.id"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    #: sanitised HTML of the current text
    body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ContributionStatus] = mapped_column(
        str_enum(ContributionStatus), default=ContributionStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    vote_opened_at: Mapped[datetime | None]
    vote_closed_at: Mapped[datetime | None]
    #: counted at the closing of the vote
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    votes_abstain: Mapped[int] = mapped_column(default=0)
    transmitted_at: Mapped[datetime | None]
    #: optimistic locking: two co-authors never overwrite each other silently
    lock_version: Mapped[int] = mapped_column(default=1)

    referral: Mapped[Referral | None] = relationship()
    authors: Mapped[list[ContributionAuthor]] = relationship(
        back_populates="contribution", cascade="all, delete-orphan"
    )
    versions: Mapped[list[ContributionVersion]] = relationship(
        back_populates="contribution",
        cascade="all, delete-orphan",
        order_by="ContributionVersion.number",
    )
    votes: Mapped[list[ContributionVote]] = relationship(
        back_populates="contribution", cascade="all, delete-orphan"
    )
    follow_up: Mapped[FollowUp | None] = relationship(
        back_populates="contribution", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": lock_version}


class ContributionAuthor(db.Model):
    __tablename__ = "participation_contribution_author"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_contribution.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)

    contribution: Mapped[Contribution] = relationship(back_populates="authors")
    user: Mapped[User] = relationship(lazy="joined")


class ContributionVersion(db.Model):
    """Every saved text, with who changed it and when."""

    __tablename__ = "participation_contribution_version"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_contribution.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: a few words on what changed
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class ContributionVote(db.Model):
    __tablename__ = "participation_contribution_vote"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_contribution.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    choice: Mapped[VoteChoice] = mapped_column(str_enum(VoteChoice))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="votes")
    user: Mapped[User] = relationship(lazy="joined")


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    ANSWERED = "answered"


class FollowUp(TimestampMixin, db.Model):
    """The EPCI's published answer to a transmitted contribution."""

    __tablename__ = "participation_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participation_contribution.id"), unique=True
    )
    status: Mapped[FollowUpStatus] = mapped_column(
        str_enum(FollowUpStatus), default=FollowUpStatus.PENDING
    )
    #: the date by which the EPCI must answer
    due_on: Mapped[date]
    #: sanitised HTML: what the EPCI retains
    retained: Mapped[str] = mapped_column(sa.Text, default="")
    #: sanitised HTML: what it does not retain, and why
    not_retained: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    contribution: Mapped[Contribution] = relationship(back_populates="follow_up")
    answered_by: Mapped[User | None] = relationship()
