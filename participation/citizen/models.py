"""Citizen consultations: phases, themes, proposals, comments, supports, questionnaires,
reports and moderation, participants' choices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum, utcnow
from app.organisations.models import Commune
from app.questionnaires import QuestionType
from app.uploads.models import StoredFile
from app.users.models import User


class Moderation(StrEnum):
    PRE = "pre"  # contributions are shown once a moderator publishes them
    POST = "post"  # shown at once, hidden afterwards if needed


class ContentStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator (pre-moderation)
    PUBLISHED = "published"
    HIDDEN = "hidden"  # never shown to the public, kept


class Phase(StrEnum):
    UPCOMING = "upcoming"
    INFORMATION = "information"
    CONTRIBUTIONS = "contributions"
    SYNTHESIS = "synthesis"
    FEEDBACK = "feedback"


consultation_commune = sa.Table(
    "participation_consultation_commune",
    db.metadata,
    sa.Column(
        "consultation_id",
        sa.ForeignKey("participation_consultation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("commune_id", sa.ForeignKey("commune.id"), primary_key=True),
)


class PublicConsultation(TimestampMixin, db.Model):
    __tablename__ = "participation_consultation"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(300))
    #: sanitised HTML
    presentation: Mapped[str] = mapped_column(sa.Text, default="")
    #: shown to the public once published; drafts are for admins only
    published: Mapped[bool] = mapped_column(default=False)
    #: the phases follow each other at these dates (UTC)
    information_starts_at: Mapped[datetime]
    contributions_start_at: Mapped[datetime]
    contributions_end_at: Mapped[datetime]
    synthesis_starts_at: Mapped[datetime]
    feedback_starts_at: Mapped[datetime]
    allow_proposals: Mapped[bool] = mapped_column(default=True)
    allow_comments: Mapped[bool] = mapped_column(default=True)
    allow_supports: Mapped[bool] = mapped_column(default=True)
    allow_questionnaire: Mapped[bool] = mapped_column(default=False)
    moderation: Mapped[Moderation] = mapped_column(str_enum(Moderation), default=Moderation.POST)
    #: sanitised HTML: the synthesis published in the synthesis phase
    synthesis: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    themes: Mapped[list[ConsultationTheme]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="ConsultationTheme.name",
    )
    communes: Mapped[list[Commune]] = relationship(secondary=consultation_commune)
    documents: Mapped[list[ConsultationDocument]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="ConsultationDocument.id",
    )
    questions: Mapped[list[ConsultationQuestion]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="ConsultationQuestion.position",
    )


class ConsultationTheme(db.Model):
    __tablename__ = "participation_theme"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_consultation.id"))
    name: Mapped[str] = mapped_column(sa.String(120))

    consultation: Mapped[PublicConsultation] = relationship(back_populates="themes")


class ConsultationDocument(db.Model):
    __tablename__ = "participation_consultation_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participation_consultation.id"), index=True
    )
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    consultation: Mapped[PublicConsultation] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class ConsultationQuestion(db.Model):
    """A question of the consultation's short questionnaire (same types as saisines)."""

    __tablename__ = "participation_question"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_consultation.id"))
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(500))
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType))
    required: Mapped[bool] = mapped_column(default=False)
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)

    consultation: Mapped[PublicConsultation] = relationship(back_populates="questions")


class QuestionnaireAnswer(TimestampMixin, db.Model):
    """One participant's answers to the consultation's questionnaire."""

    __tablename__ = "participation_questionnaire_answer"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_consultation.id"))
    #: empty once the participant deleted their account
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"))
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class Proposal(TimestampMixin, db.Model):
    __tablename__ = "participation_proposal"
    __table_args__ = (
        # the public list: published proposals of a consultation, newest or most supported;
        # the id last, so that a page sought by cursor (sort key, id) is one index range
        sa.Index("ix_participation_proposal_list", "consultation_id", "status", "created_at", "id"),
        sa.Index(
            "ix_participation_proposal_supported",
            "consultation_id",
            "status",
            "support_count",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_consultation.id"))
    #: empty once the author deleted their account ("Contributeur anonyme")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: the author chose to show their name
    show_name: Mapped[bool] = mapped_column(default=False)
    theme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participation_theme.id"), index=True
    )
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: sanitised HTML
    body: Mapped[str] = mapped_column(sa.Text)
    #: the text without markup, for full-text search
    body_text: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ContentStatus] = mapped_column(
        str_enum(ContentStatus), default=ContentStatus.PUBLISHED
    )
    #: kept in step with the supports table, for sorting large lists
    support_count: Mapped[int] = mapped_column(default=0)
    #: sanitised HTML: "what we retained", published in the feedback phase
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    #: retained, partly, not_retained
    feedback_status: Mapped[str | None] = mapped_column(sa.String(20))
    #: the address it was sent from, erased after the retention period
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    consultation: Mapped[PublicConsultation] = relationship()
    author: Mapped[User | None] = relationship(lazy="joined")
    theme: Mapped[ConsultationTheme | None] = relationship(lazy="joined")
    commune: Mapped[Commune | None] = relationship(lazy="joined")


class Comment(TimestampMixin, db.Model):
    __tablename__ = "participation_comment"
    __table_args__ = (
        sa.Index("ix_participation_comment_proposal", "proposal_id", "status"),
        # the moderation queue and the menu's badge count the pending comments of an EPCI
        sa.Index("ix_participation_comment_status", "status", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_proposal.id"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    show_name: Mapped[bool] = mapped_column(default=False)
    #: sanitised HTML
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ContentStatus] = mapped_column(
        str_enum(ContentStatus), default=ContentStatus.PUBLISHED
    )
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    proposal: Mapped[Proposal] = relationship()
    author: Mapped[User | None] = relationship(lazy="joined")


class Support(db.Model):
    """One support per person and proposal."""

    __tablename__ = "participation_support"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("participation_proposal.id"))
    #: empty once the person deleted their account (the support still counts)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(db.Model):
    """Someone reports a proposal or a comment to the moderators."""

    __tablename__ = "participation_report"
    __table_args__ = (sa.Index("ix_participation_report_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: "proposal" or "comment"
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]


class ModerationAction(db.Model):
    """The moderation log: each hide, restore or publish with its reason."""

    __tablename__ = "participation_moderation_action"
    __table_args__ = (
        sa.Index("ix_participation_moderation_action_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    #: hide, restore, publish
    action: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderator: Mapped[User | None] = relationship()


class Participant(db.Model):
    """A person's choices as a participant: terms accepted, commune, name shown or not."""

    __tablename__ = "participation_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    terms_accepted_at: Mapped[datetime | None]
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"))
    show_name: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
    commune: Mapped[Commune | None] = relationship()
