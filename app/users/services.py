"""Business actions on accounts and roles. They flush, never commit."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select

from app.audit.services import record
from app.db import db, utcnow
from app.mail.services import queue_email
from app.organisations.models import Commune, Organisation
from app.users import tokens
from app.users.models import Membership, Role, TokenPurpose, User, new_session_token
from app.users.passwords import (
    DUMMY_HASH,
    MIN_LENGTH,
    hash_password,
    password_problem,
    verify_password,
)
from app.users.signals import role_changed


class UserError(Exception):
    """A business rule refused the action; `code` names the message to show."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(org: Organisation, email: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.organisation_id == org.id, User.email == normalise_email(email))
    )


def check_password_rule(password: str) -> None:
    problem = password_problem(password)
    if problem == "too_short":
        raise UserError("password_too_short", min=MIN_LENGTH)
    if problem == "too_common":
        raise UserError("password_too_common")


def authenticate(org: Organisation, email: str, password: str) -> User | None:
    """The active user with these credentials in this organisation, else None."""
    user = find_user(org, email)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    record(user, user.organisation, "auth.login", user)


def end_sessions(user: User) -> None:
    """Logout: the signed cookie the browser held (or a copy of it) no longer opens a session.

    Cookies are signed, not stored on the server: the only way to make a copied cookie useless
    is to change the token it carries, which signs the person out on their other devices too.
    """
    user.session_token = new_session_token()


def create_user(
    org: Organisation,
    email: str,
    display_name: str,
    *,
    password: str | None = None,
    locale: str = "fr",
    confirmed: bool = True,
) -> User:
    email = normalise_email(email)
    if find_user(org, email) is not None:
        raise UserError("email_taken", email=email)
    if password is not None:
        check_password_rule(password)
    user = User(
        organisation_id=org.id,
        organisation=org,
        email=email,
        display_name=display_name.strip() or email,
        password_hash=hash_password(password) if password else None,
        locale=locale,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def add_role(
    actor: User | None,
    user: User,
    role: Role,
    *,
    commune: Commune | None = None,
    association=None,
) -> Membership:
    """Give `user` a role; a mayor replaces the commune's previous mayor."""
    if role.needs_commune and commune is None:
        raise UserError("commune_required")
    if not role.needs_commune:
        commune = None
    if role.needs_association and association is None:
        raise UserError("association_required")
    if not role.needs_association:
        association = None
    for scoped in (commune, association):
        if scoped is not None and scoped.organisation_id != user.organisation_id:
            raise UserError("other_organisation")
    for existing in user.memberships:
        if (
            existing.role == role
            and existing.commune_id == getattr(commune, "id", None)
            and existing.association_id == getattr(association, "id", None)
        ):
            return existing
    if role is Role.MAYOR:
        _end_previous_mayor(actor, commune)
    membership = Membership(
        user=user,
        role=role,
        commune=commune,
        commune_id=getattr(commune, "id", None),
        association_id=getattr(association, "id", None),
    )
    db.session.add(membership)
    db.session.flush()
    record(actor, user.organisation, "member.role_add", user, _role_details(membership))
    role_changed.send(user, role=role, commune=commune)
    return membership


def _end_previous_mayor(actor: User | None, commune: Commune) -> None:
    previous = db.session.scalar(
        select(Membership).where(Membership.role == Role.MAYOR, Membership.commune_id == commune.id)
    )
    if previous is not None:
        remove_role(actor, previous)
        db.session.flush()


def _role_details(membership: Membership) -> dict:
    details = {"role": str(membership.role)}
    if membership.commune is not None:
        details["commune"] = f"{membership.commune.insee_code} {membership.commune.name}"
    if membership.association_id is not None:
        details["association_id"] = membership.association_id
    return details


def remove_role(actor: User | None, membership: Membership) -> None:
    user = membership.user
    if membership.role is Role.ADMIN and actor is not None and actor.id == user.id:
        raise UserError("cannot_remove_own_admin")
    record(actor, user.organisation, "member.role_remove", user, _role_details(membership))
    role, commune = membership.role, membership.commune
    user.memberships.remove(membership)
    db.session.delete(membership)
    db.session.flush()
    role_changed.send(user, role=role, commune=commune)


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise UserError("cannot_deactivate_self")
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_token = new_session_token()
    db.session.flush()
    for membership in user.memberships:
        role_changed.send(user, role=membership.role, commune=membership.commune)
    record(actor, user.organisation, "member.activate" if active else "member.deactivate", user)


def invite(
    actor: User | None,
    org: Organisation,
    email: str,
    display_name: str,
    role: Role,
    *,
    commune: Commune | None = None,
    association=None,
) -> User:
    """Create the account with its role and e-mail an invitation link to choose a password."""
    user = find_user(org, email)
    if user is None:
        user = create_user(org, email, display_name, confirmed=False)
    add_role(actor, user, role, commune=commune, association=association)
    if user.password_hash is None:
        _send_invitation(actor, user)
    record(actor, org, "member.invite", user, {"role": str(role)})
    return user


def _send_invitation(actor: User | None, user: User) -> None:
    days = current_app.config["INVITATION_DAYS"]
    signed = tokens.issue(user, TokenPurpose.INVITATION, timedelta(days=days))
    queue_email(
        user.email,
        "users/invitation",
        organisation=user.organisation,
        locale=user.locale,
        user=user,
        inviter=actor,
        days=days,
        link=url_for("auth.accept_invitation", token=signed, _external=True),
    )


def resend_invitation(actor: User, user: User) -> None:
    """A new invitation link; the previous one stops working."""
    if user.password_hash is not None:
        raise UserError("already_active")
    _send_invitation(actor, user)
    record(actor, user.organisation, "member.invite_resend", user)


def accept_invitation(signed: str, display_name: str, password: str) -> User:
    token = tokens.check(signed, TokenPurpose.INVITATION)
    check_password_rule(password)
    user = token.user
    tokens.consume(token)
    user.password_hash = hash_password(password)
    user.display_name = display_name.strip() or user.display_name
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    user.session_token = new_session_token()
    record(user, user.organisation, "member.accept_invitation", user)
    return user


def request_password_reset(org: Organisation, email: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way."""
    user = find_user(org, email)
    if user is None or not user.active:
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    signed = tokens.issue(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=hours))
    queue_email(
        user.email,
        "users/password_reset",
        organisation=org,
        locale=user.locale,
        user=user,
        hours=hours,
        link=url_for("auth.reset_password", token=signed, _external=True),
    )
    record(None, org, "auth.password_reset_request", user)


def reset_password(signed: str, password: str) -> User:
    token = tokens.check(signed, TokenPurpose.PASSWORD_RESET)
    check_password_rule(password)
    tokens.consume(token)
    user = token.user
    _set_password(user, password)
    record(user, user.organisation, "auth.password_reset", user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise UserError("wrong_password")
    check_password_rule(new)
    _set_password(user, new)
    record(user, user.organisation, "auth.password_change", user)


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()  # every open session ends


def sign_up_citizen(org: Organisation, email: str, display_name: str, password: str) -> User:
    """A citizen creates an account; it works once the e-mail address is confirmed."""
    existing = find_user(org, email)
    if existing is not None:
        # Do not reveal that the account exists: tell its owner by e-mail instead.
        queue_email(
            existing.email,
            "users/signup_existing",
            organisation=org,
            locale=existing.locale,
            user=existing,
            link=url_for("auth.forgot_password", _external=True),
        )
        return existing
    user = create_user(org, email, display_name, password=password, confirmed=False)
    add_role(None, user, Role.CITIZEN)
    send_confirmation(user)
    record(user, org, "auth.signup", user)
    return user


def send_confirmation(user: User) -> None:
    days = current_app.config["EMAIL_CONFIRMATION_DAYS"]
    signed = tokens.issue(user, TokenPurpose.EMAIL_CONFIRMATION, timedelta(days=days))
    queue_email(
        user.email,
        "users/confirm_email",
        organisation=user.organisation,
        locale=user.locale,
        user=user,
        days=days,
        link=url_for("auth.confirm_email", token=signed, _external=True),
    )


def confirm_email(signed: str) -> User:
    token = tokens.check(signed, TokenPurpose.EMAIL_CONFIRMATION)
    tokens.consume(token)
    user = token.user
    user.email_confirmed_at = utcnow()
    record(user, user.organisation, "auth.email_confirmed", user)
    return user


def update_profile(user: User, display_name: str, locale: str) -> None:
    user.display_name = display_name.strip() or user.display_name
    user.locale = locale
    record(user, user.organisation, "account.update", user)


def generate_password() -> str:
    return secrets.token_urlsafe(12)
