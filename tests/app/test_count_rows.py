"""count_rows counts what a query returns without reading its columns."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.organisations.models import Commune, Organisation
from app.web.pagination import count_rows


def test_count_rows_counts_the_joined_rows_of_an_entity_query(org):
    communes = db.session.scalars(select(Commune).where(Commune.organisation_id == org.id)).all()
    query = (
        select(Organisation, Commune)
        .join(Commune, Commune.organisation_id == Organisation.id)
        .where(Organisation.id == org.id)
        .order_by(Commune.name)
    )
    assert count_rows(query) == len(communes) == len(db.session.execute(query).all())


def test_count_rows_keeps_the_where_clause_and_ignores_scalar_columns(org, other_org):
    extra = select(func.count(Commune.id)).where(Commune.organisation_id == Organisation.id)
    query = select(Organisation, extra.scalar_subquery()).where(Organisation.id == org.id)
    assert count_rows(query) == 1
    assert count_rows(select(Organisation)) == 2


def test_count_rows_counts_distinct_and_grouped_rows_over_their_own_columns(org):
    departements = select(Commune.departement).where(Commune.organisation_id == org.id)
    distinct = departements.distinct()
    grouped = select(Commune.departement, func.count()).group_by(Commune.departement)
    assert count_rows(distinct) == len(db.session.scalars(distinct).all())
    assert count_rows(grouped) == len(db.session.execute(grouped).all())
    assert count_rows(distinct) < count_rows(departements)
