"""Who may run citizen consultations on the EPCI's side. Pure functions."""

from __future__ import annotations

from app.access import rule
from app.users.models import Role


@rule("consultations.manage")
def can_manage(user, consultation=None) -> bool:
    """Admins of the organisation create, publish and follow its consultations."""
    if not user.has_role(Role.ADMIN):
        return False
    return consultation is None or consultation.organisation_id == user.organisation_id
