"""Who may do what in citizen consultations. Pure functions over already-loaded objects.

Reading is public: published consultations and published contributions need no rule.
"""

from __future__ import annotations

from app.access import rule
from app.users.models import Role


def _same_org(user, obj) -> bool:
    return obj is None or getattr(obj, "organisation_id", None) == user.organisation_id


@rule("consultations.moderate")
def can_moderate(user, consultation=None) -> bool:
    """The EPCI's agents moderate the contributions of their organisation's consultations."""
    return user.has_role(Role.ADMIN) and _same_org(user, consultation)


@rule("participation.contribute")
def can_contribute(user, consultation=None) -> bool:
    """Anyone with a confirmed account of the organisation (the terms and phase come next)."""
    return user.email_confirmed_at is not None and _same_org(user, consultation)


@rule("participation.edit_own")
def can_edit_own(user, contribution) -> bool:
    """The author of a proposal or comment chooses whether their name is shown on it."""
    return contribution is not None and contribution.author_id == user.id


@rule("participation.delete_account")
def can_delete_account(user, _obj=None) -> bool:
    """Inhabitants delete their own account; elected members and agents ask the EPCI,
    since their account signs acts (answers to saisines, votes) that must stay attributed."""
    return set(user.roles) <= {Role.CITIZEN}
