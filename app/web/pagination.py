"""Pagination of select() queries."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import request
from sqlalchemy import Select, func, literal, select

from app.db import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def count_rows(query: Select) -> int:
    """The number of rows `query` returns, without reading its columns: the count runs over
    the same FROM, joins and WHERE with a constant in place of the columns (SQLite otherwise
    materialises every column of every row, long texts and JSON included, only to count
    them). A DISTINCT or GROUP BY query is counted over its own columns."""
    query = query.order_by(None)
    if not (query._distinct or query._group_by_clauses or query._having_criteria):
        query = query.with_only_columns(literal(1), maintain_column_froms=True)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def paginate(query: Select, per_page: int = 50) -> Page:
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    total = count_rows(query)
    # past the last page (or a number no database offset can take): the last page
    page = min(page, max(1, ceil((total or 0) / per_page)))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total or 0)
