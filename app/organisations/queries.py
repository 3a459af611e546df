"""Reads of organisations and communes."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.db import db
from app.organisations.models import Commune, Organisation, OrganisationHost


def organisation_for_host(host: str | None) -> Organisation | None:
    """The organisation served under this host name, else the single or default one."""
    if host:
        name = host.strip().lower().split(":")[0]
        org = db.session.scalar(
            select(Organisation).join(OrganisationHost).where(OrganisationHost.host == name)
        )
        if org is not None:
            return org
    default_slug = current_app.config.get("DEFAULT_ORGANISATION")
    if default_slug:
        org = db.session.scalar(select(Organisation).where(Organisation.slug == default_slug))
        if org is not None:
            return org
    first_two = db.session.scalars(select(Organisation).order_by(Organisation.id).limit(2)).all()
    return first_two[0] if len(first_two) == 1 else None


def current_organisation() -> Organisation | None:
    return g.get("organisation")


def by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def communes_of(org: Organisation, active_only: bool = True) -> list[Commune]:
    query = (
        select(Commune)
        .where(Commune.organisation_id == org.id)
        .options(selectinload(Commune.sector))
        .order_by(Commune.name)
    )
    if active_only:
        query = query.where(Commune.active.is_(True))
    return sorted(db.session.scalars(query), key=lambda c: _sort_key(c.name))


def _sort_key(text: str) -> str:
    from app.web import sort_key

    return sort_key(text)


def commune_by_insee(org: Organisation, insee: str) -> Commune | None:
    return db.session.scalar(
        select(Commune).where(Commune.organisation_id == org.id, Commune.insee_code == insee)
    )


def commune_in(org: Organisation, commune_id: int | None) -> Commune | None:
    if commune_id is None:
        return None
    return db.session.scalar(
        select(Commune).where(Commune.organisation_id == org.id, Commune.id == commune_id)
    )


def organisations_with_counts() -> list[tuple[Organisation, int]]:
    count = (
        select(func.count(Commune.id))
        .where(Commune.organisation_id == Organisation.id, Commune.active.is_(True))
        .scalar_subquery()
    )
    rows = db.session.execute(select(Organisation, count).order_by(Organisation.name))
    return [(org, n) for org, n in rows]
