"""Who may manage members and read the audit log."""

from app.access import rule
from app.users.models import Role


def _same_org(user, obj) -> bool:
    return obj is None or getattr(obj, "organisation_id", None) == user.organisation_id


@rule("members.manage")
def can_manage_members(user, member=None) -> bool:
    return user.has_role(Role.ADMIN) and _same_org(user, member)


@rule("audit.view")
def can_view_audit(user, _obj=None) -> bool:
    return user.has_role(Role.ADMIN)


@rule("account.edit")
def can_edit_account(user, target=None) -> bool:
    return target is None or target.id == user.id


@rule("organisation.view_communes")
def can_view_communes(user, _obj=None) -> bool:
    return user.has_role(Role.ADMIN) or user.has_role(Role.VICE_PRESIDENT)
