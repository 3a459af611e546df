"""Test fixtures: one application per run, a clean database for every test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.db import db
from app.extensions import limiter
from tests import factories


class FreshContextClient(FlaskClient):
    """Each request runs in its own application context, as in production.

    The tests keep an application context open for the factories; without this, every
    request would share its `g` (the signed-in user, the organisation) and its database
    session with the test and with the other requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def run_wsgi_app(self, environ, buffered=False):
        """Closes the request body once the application has answered.

        Werkzeug's test client spools a multipart body past 500 KB into a temporary file that
        nothing closes (a ResourceWarning, an error under -W error, at garbage collection).
        """
        try:
            return super().run_wsgi_app(environ, buffered=buffered)
        finally:
            stream = environ.get("wsgi.input")
            if stream is not None and hasattr(stream, "close"):
                stream.close()


def _database_url(tmp_root) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_root / 'test.db'}"


def _drop_everything(engine) -> None:
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in metadata.sorted_tables:
                connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        else:
            metadata.drop_all(bind=connection)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("concerto")
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(root / "instance"),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": _database_url(root),
            "UPLOAD_DIR": str(root / "uploads"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,  # storage ready; switched off below, on where tested
            "MAIL_BACKEND": "console",
            "SERVER_NAME": None,
            "DEFAULT_ORGANISATION": "",
        }
    )
    application.test_client_class = FreshContextClient
    limiter.enabled = False
    with application.app_context():
        _drop_everything(db.engine)
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        _drop_everything(db.engine)
        db.engine.dispose()


def _clear_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        # TRUNCATE costs the same on an empty table as on a full one: find the tables a test
        # filled (one round trip) and truncate only those
        probe = " UNION ALL ".join(
            f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
        )
        filled = db.session.execute(sa.text(probe)).scalars().all()
        if filled:
            names = ", ".join(f'"{name}"' for name in filled)
            db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # identifiers start at 1 again in every test, rolled-back inserts included
        used = db.session.execute(
            sa.text(
                "SELECT sequencename FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        ).scalars()
        for name in used:
            db.session.execute(sa.text(f'ALTER SEQUENCE "{name}" RESTART'))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _limiter_off():
    """Rate limits are off unless a test turns them on (creating another application, as some
    tests do, re-initialises the shared limiter and would switch them back on)."""
    limiter.enabled = False
    yield


@pytest.fixture(autouse=True)
def _clean_database(app):
    with app.app_context():
        yield
        db.session.rollback()
        _clear_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def org():
    """CA de Lens - Liévin with its 36 communes."""
    return factories.organisation("246200364", slug="lens-lievin")


@pytest.fixture
def other_org():
    """CA Carcassonne Agglo with its 83 communes."""
    return factories.organisation("200035715", slug="carcassonne", host="carcassonne.test")


def login_as(client, user, host: str = "localhost") -> None:
    with client.session_transaction(base_url=f"http://{host}") as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login():
    return login_as


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries():
    """Use as `with count_queries() as counter: ...` then read counter.count."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium for the browser tests (tests/e2e, tests/fuzz): one per run,
    since Playwright's synchronous API allows one session per thread."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason

    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=5_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
