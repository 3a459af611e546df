"""Reads of people and roles, always scoped to one organisation."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from app.db import db
from app.organisations.models import Organisation
from app.users.models import Membership, Role, User


def members_query(
    org: Organisation,
    *,
    role: str | None = None,
    commune_id: int | None = None,
    search: str | None = None,
    status: str | None = None,
) -> Select:
    query = select(User).where(User.organisation_id == org.id)
    if role in {r.value for r in Role}:
        query = query.where(User.memberships.any(Membership.role == role))
    if commune_id:
        query = query.where(User.memberships.any(Membership.commune_id == commune_id))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(User.email.like(pattern), db.func.lower(User.display_name).like(pattern))
        )
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    elif status == "invited":
        query = query.where(User.password_hash.is_(None))
    return query.order_by(db.func.lower(User.display_name), User.id)


def member_in(org: Organisation, user_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.organisation_id == org.id, User.id == user_id))


def membership_of(user: User, membership_id: int) -> Membership | None:
    return next((m for m in user.memberships if m.id == membership_id), None)


def associations_of(org: Organisation) -> list:
    table = _association_table()
    rows = db.session.execute(
        select(table.c.id, table.c.name)
        .where(table.c.organisation_id == org.id)
        .order_by(table.c.name)
    )
    return list(rows)


def _association_table():
    from app.db import Base

    return Base.metadata.tables["ami_association"]


def association_in(org: Organisation, association_id: int | None):
    """The association (id, name, organisation_id) of this organisation, else None."""
    if association_id is None:
        return None
    table = _association_table()
    return db.session.execute(
        select(table.c.id, table.c.name, table.c.organisation_id).where(
            table.c.organisation_id == org.id, table.c.id == association_id
        )
    ).first()


def association_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    table = _association_table()
    rows = db.session.execute(select(table.c.id, table.c.name).where(table.c.id.in_(ids)))
    return {id_: name for id_, name in rows}
