"""Bulk writing: identifiers given in Python, rows inserted by batches in dependency order."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.db import db

BATCH = 5_000


def _table(target) -> sa.Table:
    return target if isinstance(target, sa.Table) else target.__table__


class BulkWriter:
    """Buffers rows per table and inserts them with `session.execute(insert(X), rows)`.

    Identifiers are allocated here (from the table's current maximum), so that children can
    point at their parents before anything is written, and no INSERT needs RETURNING. Tables
    are flushed parents first (the metadata's dependency order).
    """

    def __init__(self, batch: int = BATCH):
        self.batch = batch
        self._buffers: dict[object, list[dict]] = {}
        self._next: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def next_id(self, model) -> int:
        table = _table(model)
        if table.name not in self._next:
            current = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
            self._next[table.name] = current + 1
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def add(self, target, row: dict) -> dict:
        """Queue a row; for a model with an `id` column the id is allocated when missing."""
        table = _table(target)
        if "id" in table.c and "id" not in row:
            row["id"] = self.next_id(target)
        buffer = self._buffers.setdefault(target, [])
        buffer.append(row)
        if len(buffer) >= self.batch:
            self.flush()
        return row

    def add_all(self, target, rows: Iterable[dict]) -> None:
        for row in rows:
            self.add(target, row)

    def flush(self) -> None:
        order = {table.name: rank for rank, table in enumerate(db.metadata.sorted_tables)}
        targets = sorted(self._buffers, key=lambda target: order[_table(target).name])
        for target in targets:
            rows = self._buffers[target]
            if not rows:
                continue
            db.session.execute(sa.insert(target), rows)
            name = _table(target).name
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            rows.clear()

    def finish(self) -> None:
        """Write what is left and move PostgreSQL's sequences past the ids given here."""
        self.flush()
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for name in self._next:
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 1) FROM "{name}"))'
                )
            )
