"""Personal API tokens: a person's key to the open data API, stored hashed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db, utcnow
from app.users.models import User


class ApiToken(db.Model):
    """A bearer token created by a person in their profile; only its hash is kept."""

    __tablename__ = "opendata_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: the person's own label ("tableau de bord du service SIG")
    name: Mapped[str] = mapped_column(sa.String(100))
    #: the first characters of the token, shown in the list to tell tokens apart
    prefix: Mapped[str] = mapped_column(sa.String(12))
    #: sha256 of the whole token, hexadecimal
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
