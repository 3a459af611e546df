"""Saisines of the communes, their questionnaires, targets, responses and reminders."""

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


class SaisineKind(StrEnum):
    OPINION = "opinion"
    DATA = "data"
    BOTH = "both"


class SaisineStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class SilenceRule(StrEnum):
    """What the silence of a commune means at the deadline."""

    FAVOURABLE = "favourable"  # avis réputé favorable
    NO_OPINION = "no_opinion"


class Opinion(StrEnum):
    FAVORABLE = "favorable"
    FAVORABLE_WITH_RESERVATIONS = "favorable_with_reservations"
    UNFAVORABLE = "unfavorable"
    ABSTENTION = "abstention"


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Saisine(TimestampMixin, db.Model):
    __tablename__ = "consultations_saisine"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "reference"),
        sa.Index("ix_consultations_saisine_org_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    #: the EPCI's own reference, e.g. "2026-PLUi-03"
    reference: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(300))
    #: sanitised HTML
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[SaisineKind] = mapped_column(str_enum(SaisineKind))
    status: Mapped[SaisineStatus] = mapped_column(
        str_enum(SaisineStatus), default=SaisineStatus.DRAFT
    )
    #: how the targets were chosen: all, list or sector (the targets table is the truth)
    target_mode: Mapped[str] = mapped_column(sa.String(10), default="all")
    opens_at: Mapped[datetime]
    deadline: Mapped[datetime]
    silence_rule: Mapped[SilenceRule] = mapped_column(
        str_enum(SilenceRule), default=SilenceRule.NO_OPINION
    )
    #: shown to the communes, e.g. "article L153-15 du code de l'urbanisme"
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    results_published: Mapped[bool] = mapped_column(default=False)
    #: the version of the questionnaire new answers use
    questionnaire_version: Mapped[int] = mapped_column(default=1)
    opened_at: Mapped[datetime | None]
    #: when the target communes were told by e-mail (at opening, or at opens_at if later)
    notified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    targets: Mapped[list[SaisineTarget]] = relationship(
        back_populates="saisine", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="saisine",
        cascade="all, delete-orphan",
        order_by="(Question.version, Question.position)",
    )
    documents: Mapped[list[SaisineDocument]] = relationship(
        back_populates="saisine", cascade="all, delete-orphan", order_by="SaisineDocument.id"
    )
    extensions: Mapped[list[DeadlineExtension]] = relationship(
        back_populates="saisine", cascade="all, delete-orphan", order_by="DeadlineExtension.id"
    )

    @property
    def asks_opinion(self) -> bool:
        return self.kind in (SaisineKind.OPINION, SaisineKind.BOTH)

    @property
    def asks_data(self) -> bool:
        return self.kind in (SaisineKind.DATA, SaisineKind.BOTH)

    @property
    def current_questions(self) -> list[Question]:
        return [q for q in self.questions if q.version == self.questionnaire_version]


class SaisineDocument(db.Model):
    __tablename__ = "consultations_saisine_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    saisine_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_saisine.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    saisine: Mapped[Saisine] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class Question(db.Model):
    """One question of a questionnaire version; frozen once a commune has answered."""

    __tablename__ = "consultations_question"
    __table_args__ = (sa.UniqueConstraint("saisine_id", "version", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saisine_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_saisine.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    #: stable across versions, so that exports line answers up
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(500))
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType))
    required: Mapped[bool] = mapped_column(default=False)
    #: for decimal (and integer) questions, e.g. "m²", "€", "logements"
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    #: for choice questions
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)

    saisine: Mapped[Saisine] = relationship(back_populates="questions")


class SaisineTarget(db.Model):
    """A commune consulted by a saisine."""

    __tablename__ = "consultations_saisine_target"
    __table_args__ = (sa.UniqueConstraint("saisine_id", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saisine_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_saisine.id"))
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    #: the first time someone of the commune opened the saisine
    first_opened_at: Mapped[datetime | None]
    #: the last reminder step sent (days before the deadline), none yet if null
    last_reminder_step: Mapped[int | None]
    #: the opinion deemed given at the closing by a commune that did not submit
    tacit_opinion: Mapped[Opinion | None] = mapped_column(str_enum(Opinion))

    saisine: Mapped[Saisine] = relationship(back_populates="targets")
    commune: Mapped[Commune] = relationship()


class SaisineResponse(TimestampMixin, db.Model):
    """A commune's answer: drafts by staff, submitted (signed) by the mayor or a delegate."""

    __tablename__ = "consultations_saisine_response"
    __table_args__ = (sa.UniqueConstraint("saisine_id", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saisine_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_saisine.id"))
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    status: Mapped[ResponseStatus] = mapped_column(
        str_enum(ResponseStatus), default=ResponseStatus.DRAFT
    )
    opinion: Mapped[Opinion | None] = mapped_column(str_enum(Opinion))
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    #: question key -> value (strings, numbers, lists; file answers hold stored file ids)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    questionnaire_version: Mapped[int] = mapped_column(default=1)
    #: who last saved the draft
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: "mayor" or "delegation": in which capacity the signatory signed
    signed_as: Mapped[str | None] = mapped_column(sa.String(20))
    #: an amendment being prepared after submission (opinion, motivation, answers): the
    #: signed answer above stays as it is until someone signs the new version
    pending_changes: Mapped[dict | None] = mapped_column(sa.JSON)
    #: optimistic locking: two people never overwrite each other silently
    lock_version: Mapped[int] = mapped_column(default=1)

    saisine: Mapped[Saisine] = relationship()
    commune: Mapped[Commune] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    attachments: Mapped[list[ResponseAttachment]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="ResponseAttachment.id"
    )
    versions: Mapped[list[ResponseVersion]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="ResponseVersion.number"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class ResponseAttachment(db.Model):
    __tablename__ = "consultations_response_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations_saisine_response.id"), index=True
    )
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    #: the question this file answers, or empty for a general attachment (deliberation...)
    question_key: Mapped[str | None] = mapped_column(sa.String(40))

    response: Mapped[SaisineResponse] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class ResponseVersion(db.Model):
    """A snapshot of each submission: what the commune said, when, signed by whom."""

    __tablename__ = "consultations_response_version"
    __table_args__ = (sa.UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_saisine_response.id"))
    number: Mapped[int]
    opinion: Mapped[Opinion | None] = mapped_column(str_enum(Opinion))
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    questionnaire_version: Mapped[int]
    #: names of the attached files at that time
    attachment_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    signed_as: Mapped[str | None] = mapped_column(sa.String(20))  # "mayor" or "delegation"

    response: Mapped[SaisineResponse] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship()


class DeadlineExtension(db.Model):
    __tablename__ = "consultations_deadline_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    saisine_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations_saisine.id"), index=True)
    previous_deadline: Mapped[datetime]
    new_deadline: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    saisine: Mapped[Saisine] = relationship(back_populates="extensions")


class SignatureDelegation(db.Model):
    """The mayor lets someone of the commune sign the commune's answers."""

    __tablename__ = "consultations_signature_delegation"
    __table_args__ = (sa.UniqueConstraint("commune_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
