"""The audit log: who did what, when, on which object."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_org_created", "organisation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    #: who acted; empty for the command line and automatic tasks
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: dotted action name, e.g. "member.invite"
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    #: the kind of object acted on (table name) and its id
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[int | None]
    #: a readable label of the object when the action happened
    object_label: Mapped[str | None] = mapped_column(sa.String(300))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined")
