"""People, their role memberships and the one-time tokens sent to them."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum, utcnow
from app.organisations.models import Commune, Organisation


class Role(StrEnum):
    ADMIN = "admin"
    MAYOR = "mayor"
    COMMUNE_STAFF = "commune_staff"
    VICE_PRESIDENT = "vice_president"
    DEVELOPMENT_COUNCIL_MEMBER = "development_council_member"
    ASSOCIATION_MEMBER = "association_member"
    JURY_MEMBER = "jury_member"
    CITIZEN = "citizen"

    @property
    def needs_commune(self) -> bool:
        return self in (Role.MAYOR, Role.COMMUNE_STAFF)

    @property
    def needs_association(self) -> bool:
        return self is Role.ASSOCIATION_MEMBER


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, db.Model):
    """A person with an account in one organisation."""

    __tablename__ = "user_account"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: lower-case e-mail address, unique within the organisation
    email: Mapped[str] = mapped_column(sa.String(254))
    display_name: Mapped[str] = mapped_column(sa.String(200))
    #: argon2 hash; empty until an invited person chooses a password
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: preferred interface language (fr or en)
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    #: deactivated accounts cannot log in
    active: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    #: part of the session identifier: changing it ends every open session
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)
    #: base32 TOTP secret once two-factor authentication is confirmed, else None
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    #: the last 30-second step accepted, so that a code is never accepted twice
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    organisation: Mapped[Organisation] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role | str, commune: Commune | None = None) -> bool:
        return any(
            m.role == role and (commune is None or m.commune_id == commune.id)
            for m in self.memberships
        )

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def communes_for(self, *roles: Role) -> list[Commune]:
        return [m.commune for m in self.memberships if m.role in roles and m.commune]

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(TimestampMixin, db.Model):
    """One role held by a person, tied to a commune or an association where the role needs it."""

    __tablename__ = "membership"
    __table_args__ = (
        # one mayor per commune
        sa.Index(
            "uq_membership_mayor_commune",
            "commune_id",
            unique=True,
            sqlite_where=sa.text("role = 'mayor'"),
            postgresql_where=sa.text("role = 'mayor'"),
        ),
        sa.CheckConstraint(
            "(role IN ('mayor', 'commune_staff')) = (commune_id IS NOT NULL)", name="commune_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    #: the commune, for a mayor or commune staff
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    #: the association, for an association member
    association_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ami_association.id"), index=True
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    commune: Mapped[Commune | None] = relationship(lazy="selectin")


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    EMAIL_CONFIRMATION = "email_confirmation"


class AuthToken(db.Model):
    """A single-use, expiring link sent by e-mail; the URL carries it signed."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose))
    #: random part checked against the signed link
    nonce: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_urlsafe(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
