"""Rate-limit counters kept in the database (shared by every gunicorn worker) and the
recovery codes of two-factor authentication."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import db


class RateLimitCounter(db.Model):
    """One fixed window of one limit (its key names the limit, the address or the e-mail)."""

    __tablename__ = "rate_limit_counter"

    #: Flask-Limiter's key: "LIMITER/<key function value>/<endpoint>/<amount>/<window>"
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    #: hits counted in the current window
    hits: Mapped[int] = mapped_column(default=0)
    #: end of the window, in seconds since the epoch (UTC)
    expires_at: Mapped[float] = mapped_column(sa.Float(precision=53), index=True)


class RecoveryCode(db.Model):
    """A single-use code that replaces the authenticator app once; only its hash is kept."""

    __tablename__ = "auth_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the normalised code (the codes are random, 50 bits: no salt needed)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]
