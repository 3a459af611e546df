"""Dossiers (projects of deliberation) along the decision path, their stage moves, the
consultations attached to them and the final deliberation."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum, utcnow
from app.uploads.models import StoredFile
from app.users.models import User


class DecisionStage(StrEnum):
    """The schéma décisionnel, in order."""

    IMPULSE = "impulse"
    WORK = "work"
    CONSULTATION = "consultation"
    PRE_VALIDATION = "pre_validation"
    DECISION = "decision"


class DeliberationResult(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class Dossier(TimestampMixin, db.Model):
    __tablename__ = "decisions_dossier"
    __table_args__ = (
        sa.Index("ix_decisions_dossier_org_public", "organisation_id", "public", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    #: sanitised HTML
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    #: the leading vice-president: a member of the platform, or a name typed in
    lead_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    lead_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: the commission that works on it (free text, e.g. "Commission aménagement")
    commission: Mapped[str] = mapped_column(sa.String(200), default="")
    stage: Mapped[DecisionStage] = mapped_column(
        str_enum(DecisionStage), default=DecisionStage.IMPULSE
    )
    #: shown on the organisation's public pages and feed
    public: Mapped[bool] = mapped_column(default=False)
    #: set when the deliberation is recorded: the dossier is then closed
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    lead_user: Mapped[User | None] = relationship(foreign_keys=[lead_user_id], lazy="joined")
    documents: Mapped[list[DossierDocument]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierDocument.id"
    )
    moves: Mapped[list[StageMove]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="StageMove.id"
    )
    links: Mapped[list[DossierLink]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierLink.id"
    )
    deliberation: Mapped[Deliberation | None] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", uselist=False
    )

    @property
    def lead_label(self) -> str:
        """The leading vice-president's name (elected officials' names are public)."""
        if self.lead_user is not None:
            return self.lead_user.display_name
        return self.lead_name


class DossierDocument(db.Model):
    __tablename__ = "decisions_dossier_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions_dossier.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class StageMove(db.Model):
    """One step of a dossier along the decision path: dated and attributed."""

    __tablename__ = "decisions_stage_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions_dossier.id"), index=True)
    #: none for the creation of the dossier
    from_stage: Mapped[DecisionStage | None] = mapped_column(str_enum(DecisionStage))
    to_stage: Mapped[DecisionStage] = mapped_column(str_enum(DecisionStage))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: why the decision stage was reached while a consultation was still open
    override_reason: Mapped[str] = mapped_column(sa.Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="moves")
    moved_by: Mapped[User | None] = relationship(lazy="joined")


class DossierLink(db.Model):
    """A consultation attached to a dossier, by its kind (see app/consultation_kinds) and id."""

    __tablename__ = "decisions_dossier_link"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions_dossier.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    item_id: Mapped[int]
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)
    attached_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="links")


class Deliberation(db.Model):
    """The final act of the bureau or the conseil; it closes the dossier."""

    __tablename__ = "decisions_deliberation"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions_dossier.id"), unique=True)
    #: the deciding body, e.g. "Conseil communautaire"
    body_name: Mapped[str] = mapped_column(sa.String(200))
    decided_on: Mapped[date]
    #: the deliberation's number, e.g. "DEL-2026-045"
    number: Mapped[str] = mapped_column(sa.String(60))
    result: Mapped[DeliberationResult] = mapped_column(str_enum(DeliberationResult))
    #: sanitised HTML
    text: Mapped[str] = mapped_column(sa.Text, default="")
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    #: why it was recorded while a consultation was still open
    override_reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="deliberation")
    file: Mapped[StoredFile | None] = relationship(lazy="joined")
