"""Keyset pagination ("cursors"): a page starts after (or ends before) a row's sort key, so a
far page costs what the first one does, where OFFSET reads and drops every row before it.

A list is ordered by keys, the last of which is unique (the id). A cursor carries the sort key
of the row to start from and a direction; it is signed with the application's secret and a
scope (the list and its order), so that it is opaque and cannot be altered or reused for
another order: decode() gives None for anything malformed, forged or foreign, and the caller
then shows the first page.

    KEYS = (Key(Proposal.created_at, descending=True), Key(Proposal.id, descending=True))
    cursor = keyset.decode("proposals:newest", KEYS, request.args.get("cursor"))
    window = keyset.fetch(query, KEYS, cursor, per_page)
    window.items, window.more_before, window.more_after
    keyset.encode("proposals:newest", KEYS, window.items[-1])            # the next page
    keyset.encode("proposals:newest", KEYS, window.items[0], backwards=True)  # the previous
    keyset.encode_end("proposals:newest")                                 # the last page
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Select

from app.db import db

#: a cursor longer than this is refused without being read
MAX_LENGTH = 400
_FORWARD, _BACKWARD, _END = "n", "p", "e"


@dataclass(frozen=True)
class Key:
    """One sort key: a mapped attribute of the listed entity and its direction."""

    column: sa.ColumnElement
    descending: bool = False

    @property
    def name(self) -> str:
        return self.column.key

    def value_of(self, row):
        return getattr(row, self.name)


@dataclass(frozen=True)
class Cursor:
    #: the sort key of the row to start from; None: from the far end (the last page)
    values: tuple | None
    backwards: bool = False


@dataclass
class Window:
    items: list
    #: rows exist before the first item / after the last one, in the list's order
    more_before: bool
    more_after: bool


def _serializer(scope: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"concerto-keyset:{scope}")


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _python_type(key: Key) -> type:
    try:
        return key.column.type.python_type
    except NotImplementedError:  # a TypeDecorator without one (UTCDateTime)
        return key.column.type.impl.python_type


def _typed(key: Key, value):
    """The JSON value back in the key's type; ValueError when it does not fit."""
    kind = _python_type(key)
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError(value)
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(value)
        return parsed
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
            raise ValueError(value)
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    raise ValueError(value)


def encode(scope: str, keys: tuple[Key, ...], row, *, backwards: bool = False) -> str | None:
    """The cursor of the page after `row` (before it if `backwards`); None when a key of the
    row is empty (such a row cannot be sought: the caller falls back to page numbers)."""
    values = [_plain(key.value_of(row)) for key in keys]
    if any(v is None for v in values):
        return None
    return _serializer(scope).dumps([_BACKWARD if backwards else _FORWARD, values])


def encode_end(scope: str) -> str:
    """The cursor of the last page."""
    return _serializer(scope).dumps([_END, None])


def decode(scope: str, keys: tuple[Key, ...], token: str | None) -> Cursor | None:
    """The cursor, or None if it is empty, malformed, forged or made for another list."""
    if not token or len(token) > MAX_LENGTH:
        return None
    try:
        direction, values = _serializer(scope).loads(token)
        if direction == _END and values is None:
            return Cursor(None, backwards=True)
        if direction not in (_FORWARD, _BACKWARD) or not isinstance(values, list):
            return None
        if len(values) != len(keys):
            return None
        typed = tuple(_typed(key, value) for key, value in zip(keys, values, strict=True))
    except (BadData, ValueError, TypeError, OverflowError):
        return None
    return Cursor(typed, backwards=direction == _BACKWARD)


def _beyond(keys: tuple[Key, ...], values: tuple, backwards: bool) -> sa.ColumnElement[bool]:
    """Rows strictly after `values` in the keys' order (before them if `backwards`)."""
    binds = [sa.literal(v, type_=k.column.type) for k, v in zip(keys, values, strict=True)]
    directions = {k.descending for k in keys}
    if len(directions) == 1:
        # one direction: a row comparison, which both databases seek in a matching index
        left, right = sa.tuple_(*(k.column for k in keys)), sa.tuple_(*binds)
        return left < right if keys[0].descending != backwards else left > right
    # mixed directions: (a after x) or (a = x and b after y) or ...
    clauses = []
    for i, key in enumerate(keys):
        after = key.column < binds[i] if key.descending != backwards else key.column > binds[i]
        equal = [k.column == b for k, b in zip(keys[:i], binds[:i], strict=True)]
        clauses.append(sa.and_(*equal, after))
    return sa.or_(*clauses)


def order(keys: tuple[Key, ...], *, backwards: bool = False) -> list:
    return [k.column.desc() if k.descending != backwards else k.column.asc() for k in keys]


def fetch(query: Select, keys: tuple[Key, ...], cursor: Cursor | None, limit: int) -> Window:
    """Up to `limit` rows of `query` (whose own order is replaced by the keys') from the
    cursor, or from the start without one; one query."""
    backwards = bool(cursor and cursor.backwards)
    query = query.order_by(None).order_by(*order(keys, backwards=backwards))
    if cursor is not None and cursor.values is not None:
        query = query.where(_beyond(keys, cursor.values, backwards))
    rows = list(db.session.scalars(query.limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
        return Window(rows, more_before=more, more_after=cursor.values is not None)
    return Window(rows, more_before=cursor is not None, more_after=more)
