"""The schema comes from the migrations only, and they agree with the models."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.db import db, managed_schema_object

SCHEMA = "migration_check"


@pytest.fixture
def fresh_app(tmp_path):
    """An application on an empty database: a new SQLite file, or a PostgreSQL schema."""
    url = os.environ.get("TEST_DATABASE_URL")
    options = {}
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        options = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    application = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "SECRET_KEY": "x",
        }
    )
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    if os.environ.get("TEST_DATABASE_URL"):
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


def _tables() -> set[str]:
    names = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {n for n in names if managed_schema_object(None, n, "table", True, None)}


def test_latest_migration_matches_the_models(fresh_app):
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": managed_schema_object,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_then_downgrade_to_base_and_up_again(fresh_app):
    upgrade()
    assert _tables() == set(db.metadata.tables)
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert _tables() == set(db.metadata.tables)


def test_there_is_one_straight_line_of_revisions(fresh_app):
    from alembic.script import ScriptDirectory

    from app import MIGRATIONS_DIR

    config = fresh_app.extensions["migrate"].migrate.get_config(str(MIGRATIONS_DIR))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1


#: the last revision of the schema released before the decision path, the open data API and
#: the security work: a database at this revision, holding data, must upgrade
RELEASED_BEFORE = "73a6d8e17495"


def test_a_database_holding_the_demo_goes_down_and_up_again(fresh_app):
    """On SQLite, a batch migration rebuilds its table, which fails once other tables point at
    it."""
    from app.demo import load_demo
    from app.organisations.models import Organisation

    upgrade()
    load_demo()
    db.session.commit()
    db.session.remove()
    downgrade(revision=RELEASED_BEFORE)
    upgrade()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) >= 1
