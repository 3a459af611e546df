"""Who may change the organisation's visual identity."""

from app.access import rule
from app.users.models import Role


@rule("organisation.branding")
def can_edit_branding(user, organisation=None) -> bool:
    """The organisation's admins, and only for their own organisation."""
    same = organisation is None or organisation.id == user.organisation_id
    return same and user.has_role(Role.ADMIN)
