"""Questions of mayors and municipal elected to the EPCI, with their follow-up."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum, utcnow
from app.organisations.models import Commune
from app.users.models import User


class MessageStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"


class MailboxService(db.Model):
    """A service of the EPCI that questions are assigned to (voirie, finances, déchets...)."""

    __tablename__ = "consultations_mailbox_service"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: the service's shared address, told when a question is assigned to it
    email: Mapped[str] = mapped_column(sa.String(254), default="")


class Message(TimestampMixin, db.Model):
    """A question sent to the EPCI through the mayors' mailbox."""

    __tablename__ = "consultations_mailbox_message"
    __table_args__ = (
        sa.Index("ix_consultations_mailbox_message_org_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: the commune the sender writes for
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus), default=MessageStatus.NEW
    )
    service_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultations_mailbox_service.id")
    )
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    first_reply_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    sender: Mapped[User] = relationship(foreign_keys=[sender_id], lazy="joined")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    commune: Mapped[Commune | None] = relationship(lazy="joined")
    service: Mapped[MailboxService | None] = relationship(lazy="joined")
    replies: Mapped[list[Reply]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="Reply.id"
    )


class Reply(db.Model):
    __tablename__ = "consultations_mailbox_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations_mailbox_message.id"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    #: a note between EPCI staff, not shown to the sender
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="replies")
    author: Mapped[User] = relationship(lazy="joined")
