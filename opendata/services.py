"""Creating, revoking and checking personal API tokens. Flush, never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.audit.services import record
from app.db import db
from app.users.models import User
from opendata import rules
from opendata.models import ApiToken

#: a token's last use is written at most this often, not on every request
LAST_USED_PRECISION = timedelta(minutes=5)
#: how many live tokens one person may hold
MAX_ACTIVE_TOKENS = 20


class TokenError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def create_token(actor: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for `actor`; the clear value is returned once and never stored."""
    active = db.session.scalars(
        select(ApiToken.id).where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise TokenError("too_many")
    secret = rules.new_token()
    token = ApiToken(
        user_id=actor.id,
        name=name.strip(),
        prefix=secret[: rules.PREFIX_SHOWN],
        token_hash=rules.token_hash(secret),
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    record(actor, actor.organisation, "api_token.create", token, {"name": token.name})
    return token, secret


def revoke_token(actor: User, token: ApiToken, now: datetime) -> None:
    if token.user_id != actor.id:
        raise TokenError("not_yours")
    if token.revoked_at is not None:
        raise TokenError("already_revoked")
    token.revoked_at = now
    db.session.flush()
    record(actor, actor.organisation, "api_token.revoke", token, {"name": token.name})


def authenticate(organisation_id: int, secret: str, now: datetime) -> User | None:
    """The active person of this organisation holding this live token, or None."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == rules.token_hash(secret))
    )
    if token is None or not rules.same_hash(token.token_hash, secret):
        return None
    user = token.user
    if token.revoked_at is not None or not user.active or user.organisation_id != organisation_id:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.flush()
    return user
