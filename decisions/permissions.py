"""Who may do what with dossiers. Pure functions over loaded objects.

The EPCI's agents (admins) create dossiers, move them, attach consultations, record the
deliberation and choose what is public; anyone reads public dossiers without logging in.
"""

from __future__ import annotations

from app.access import rule
from app.users.models import Role


@rule("decisions.manage")
def can_manage(user, obj=None) -> bool:
    """Admins of the dossier's organisation (with no object: of their own)."""
    organisation_id = getattr(obj, "organisation_id", None)
    return user.has_role(Role.ADMIN) and (
        organisation_id is None or user.organisation_id == organisation_id
    )


def can_read_public(dossier) -> bool:
    """A dossier is on the public pages once the admin marked it public."""
    return dossier is not None and dossier.public
