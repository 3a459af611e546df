"""Two-factor authentication: turning it on and off, checking a code at login, the setting that
makes it mandatory for administrators. They flush, never commit."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from app.audit.services import record
from app.auth import totp
from app.auth.models import RecoveryCode
from app.db import db, utcnow
from app.organisations.models import Organisation
from app.users.models import User, new_session_token
from app.users.passwords import verify_password
from app.users.services import UserError


def _store_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes
    )
    db.session.flush()
    return codes


def enable(user: User, secret: str, code: str) -> list[str]:
    """Confirm the app with a code; return the recovery codes to show once."""
    step = totp.accepted_step(secret, code, None)
    if step is None:
        raise UserError("wrong_code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    user.session_token = new_session_token()  # other sessions must log in with the code
    record(user, user.organisation, "auth.two_factor_enable", user)
    return _store_recovery_codes(user)


def disable(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise UserError("wrong_password")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(user, user.organisation, "auth.two_factor_disable", user)


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    if not verify_password(user.password_hash, password):
        raise UserError("wrong_password")
    record(user, user.organisation, "auth.two_factor_recovery_codes", user)
    return _store_recovery_codes(user)


def check_second_factor(user: User, code: str) -> bool:
    """A code from the app (never the same twice) or an unused recovery code, used up."""
    if user.totp_secret is None:
        return False
    step = totp.accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    if totp.looks_like_recovery_code(code):
        spare = db.session.scalars(
            select(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == totp.hash_recovery_code(code),
                RecoveryCode.used_at.is_(None),
            )
            .with_for_update()
        ).first()
        if spare is not None:
            spare.used_at = utcnow()
            record(user, user.organisation, "auth.recovery_code_used", user)
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def must_set_up(user: User) -> bool:
    """An administrator of an organisation that requires it, without two-factor yet."""
    return user.is_admin and user.organisation.admins_need_two_factor and not user.has_two_factor


def set_admins_need_two_factor(actor: User, org: Organisation, required: bool) -> None:
    org.admins_need_two_factor = required
    record(
        actor,
        org,
        "organisation.two_factor_required" if required else "organisation.two_factor_optional",
        org,
    )
