"""A storage for Flask-Limiter (the `limits` library) in the application's own database.

`RATELIMIT_STORAGE_URI=concerto-db://` (the default) counts hits in the table
rate_limit_counter, through the application's engine but in a transaction of its own: every
gunicorn worker and every server sees the same counts with no other service to run. Each hit is
one atomic INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite 3.35+), which starts a new
window when the old one has expired. `redis://...` uses Redis instead (limits' own storage).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from limits.storage import Storage

SCHEME = "concerto-db"
#: rows of expired windows are deleted every this many hits (per process)
PURGE_EVERY = 500

_HIT = sa.text(
    """
    INSERT INTO rate_limit_counter (key, hits, expires_at) VALUES (:key, :amount, :expires_at)
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN rate_limit_counter.expires_at <= :now THEN :amount
                  ELSE rate_limit_counter.hits + :amount END,
      expires_at = CASE WHEN rate_limit_counter.expires_at <= :now THEN :expires_at
                        ELSE rate_limit_counter.expires_at END
    RETURNING hits
    """
)


class DatabaseStorage(Storage):
    """Fixed-window counters in the table rate_limit_counter."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._hits_since_purge = 0

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @staticmethod
    def _engine() -> sa.Engine:
        from app.db import db

        return db.engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        params = {"key": key, "amount": amount, "now": now, "expires_at": now + expiry}
        with self._engine().begin() as connection:
            hits = connection.execute(_HIT, params).scalar_one()
            self._hits_since_purge += 1
            if self._hits_since_purge >= PURGE_EVERY:
                self._hits_since_purge = 0
                connection.execute(
                    sa.text("DELETE FROM rate_limit_counter WHERE expires_at <= :now"),
                    {"now": now},
                )
        return int(hits)

    def _row(self, key: str):
        with self._engine().connect() as connection:
            return connection.execute(
                sa.text(
                    "SELECT hits, expires_at FROM rate_limit_counter "
                    "WHERE key = :key AND expires_at > :now"
                ),
                {"key": key, "now": time.time()},
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.execute(sa.text("SELECT 1 FROM rate_limit_counter WHERE 1 = 0"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return connection.execute(sa.text("DELETE FROM rate_limit_counter")).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(
                sa.text("DELETE FROM rate_limit_counter WHERE key = :key"), {"key": key}
            )
