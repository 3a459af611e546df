"""Who may do what in the associations' network. Pure functions over loaded objects.

The people of an association act for it (its directory entry, interests, messages, the
essaimage day); the EPCI's admins run the network (settings, tags, essaimage days, the
cooperation network) but do not read the associations' private threads.
"""

from __future__ import annotations

from ami.network.models import DirectoryVisibility
from ami.permissions import association_ids
from app.access import rule
from app.users.models import Role


def _admin_of(user, organisation_id: int | None) -> bool:
    return user.has_role(Role.ADMIN) and (
        organisation_id is None or user.organisation_id == organisation_id
    )


def directory_visible(user, settings) -> bool:
    """May this person (possibly anonymous) read the directory of `settings`' organisation?
    Not a `rule`: a public directory is open to anonymous visitors."""
    if settings.directory_visibility == DirectoryVisibility.PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.organisation_id != settings.organisation_id:
        return False
    if settings.directory_visibility == DirectoryVisibility.MEMBERS:
        return True
    return bool(association_ids(user)) or user.has_role(Role.ADMIN)


@rule("network.act")
def can_act_for(user, association) -> bool:
    """Act in the network for the association (directory entry, suggestions, interests,
    matches and messages, essaimage registration): its own people only."""
    return association.id in association_ids(user)


@rule("network.thread")
def can_use_thread(user, match) -> bool:
    """Read and write a match's thread: the people of either association."""
    mine = association_ids(user)
    return match.first_association_id in mine or match.second_association_id in mine


@rule("network.manage")
def can_manage(user, obj=None) -> bool:
    """Settings, tags, essaimage days, the cooperation network: the EPCI's admins."""
    return _admin_of(user, getattr(obj, "organisation_id", None))


@rule("network.space")
def can_use_network(user, _obj=None) -> bool:
    """The network's menu entry: anyone acting for an association."""
    return bool(association_ids(user))
