"""AMI cohésion sociale tables."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import TimestampMixin, db


class Association(TimestampMixin, db.Model):
    """An association (porteur de projet) known to the organisation.

    The AMI issue completes it (address, themes, QPVs); the foundation needs it so that an
    association member's role is tied to one.
    """

    __tablename__ = "ami_association"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: RNA number: W followed by nine digits
    rna_number: Mapped[str | None] = mapped_column(sa.String(10))
    #: SIRET: fourteen digits
    siret: Mapped[str | None] = mapped_column(sa.String(14))
