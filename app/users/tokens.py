"""Signed, expiring, single-use links (invitation, password reset, e-mail confirmation)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.db import db, utcnow
from app.users.models import AuthToken, TokenPurpose, User


class TokenError(Exception):
    """The link is invalid, expired or already used (the message key tells which)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: TokenPurpose) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"concerto-{purpose}")


def issue(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Create a token row and return the signed string for the link.

    Earlier unused tokens of the same purpose for this person are cancelled.
    """
    now = utcnow()
    for old in db.session.scalars(
        db.select(AuthToken).where(
            AuthToken.user_id == user.id,
            AuthToken.purpose == purpose,
            AuthToken.used_at.is_(None),
        )
    ):
        old.used_at = now
    token = AuthToken(user_id=user.id, purpose=purpose, expires_at=now + lifetime)
    db.session.add(token)
    db.session.flush()
    return _serializer(purpose).dumps([token.id, token.nonce])


def check(signed: str, purpose: TokenPurpose, now: datetime | None = None) -> AuthToken:
    """The valid token behind a link, or TokenError("invalid" | "expired" | "used")."""
    try:
        token_id, nonce = _serializer(purpose).loads(signed)
    except (BadSignature, ValueError, TypeError):
        raise TokenError("invalid") from None
    token = db.session.get(AuthToken, token_id)
    if token is None or token.nonce != nonce or token.purpose != purpose:
        raise TokenError("invalid")
    if token.used_at is not None:
        raise TokenError("used")
    if (now or utcnow()) >= token.expires_at:
        raise TokenError("expired")
    return token


def consume(token: AuthToken) -> None:
    token.used_at = utcnow()
