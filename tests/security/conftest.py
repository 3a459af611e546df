"""The security suite shares one world per module: the demo organisation and another one.

Its tests only read (GET) or send requests that must be refused, so the world is built once
per module and the database is cleared after the module, not after each test.
"""

from __future__ import annotations

import pytest

from app.db import db
from tests.conftest import _clear_tables
from tests.security.world import build_world


@pytest.fixture(scope="module")
def world(app):
    with app.app_context():
        built = build_world()
        yield built
        db.session.rollback()
        _clear_tables()
        db.session.remove()


@pytest.fixture(autouse=True)
def _clean_database(app, world):
    """Replaces the suite's per-test clearing: the module's world stays until its end."""
    with app.app_context():
        yield
        db.session.rollback()
