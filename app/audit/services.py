"""Writing audit entries, in the same transaction as the action they record."""

from __future__ import annotations

from typing import Any

from app.db import db


def _label(obj: Any) -> str | None:
    if obj is None:
        return None
    for attr in ("display_name", "name", "title", "email"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:300]
    return None


def record(actor, organisation, action: str, obj: Any = None, details: dict | None = None):
    """Add an audit entry for `action` by `actor` (None for the system) on `obj`."""
    from app.audit.models import AuditEntry

    entry = AuditEntry(
        organisation_id=getattr(organisation, "id", None),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=getattr(obj, "__tablename__", None),
        object_id=getattr(obj, "id", None),
        object_label=_label(obj),
        details=details or {},
    )
    db.session.add(entry)
    return entry
