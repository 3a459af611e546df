"""The declarative base, shared column types and mixins."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware datetime stored in UTC on every database.

    SQLite keeps no time zone: values are written as naive UTC and read back as aware UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)


class TimestampMixin:
    #: when the row was created (UTC)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the row last changed (UTC)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def import_all_models() -> None:
    """Import every model module so that the metadata knows all tables."""
    import ami.models  # noqa: F401
    import ami.network.models  # noqa: F401
    import app.audit.models  # noqa: F401
    import app.auth.models  # noqa: F401
    import app.mail.models  # noqa: F401
    import app.organisations.models  # noqa: F401
    import app.submissions.models  # noqa: F401
    import app.uploads.models  # noqa: F401
    import app.users.models  # noqa: F401
    import consultations.models  # noqa: F401
    import decisions.models  # noqa: F401
    import opendata.models  # noqa: F401
    import participation.models  # noqa: F401


def str_enum(enum_cls, length: int = 40) -> sa.Enum:
    """A VARCHAR column holding the enum's values ('mayor'), not its names ('MAYOR')."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


#: schema objects made by migrations by hand (full-text search), unknown to the models
UNMANAGED_SCHEMA_OBJECTS = ("participation_proposal_fts", "ix_participation_proposal_search")


def managed_schema_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: leave the hand-made search objects out of comparisons."""
    return not (name or "").startswith(UNMANAGED_SCHEMA_OBJECTS)
