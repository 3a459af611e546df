"""Rate-limit counters kept in the database, so that every gunicorn worker shares them."""

from __future__ import annotations

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
