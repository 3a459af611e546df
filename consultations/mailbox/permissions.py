"""Who may do what with the mayors' mailbox. Pure functions over already-loaded objects."""

from __future__ import annotations

from app.access import rule
from app.users.models import Role
from consultations.mailbox.models import Message, MessageStatus

#: the roles that write to the EPCI: mayors and the commune's elected and staff
SENDER_ROLES = (Role.MAYOR, Role.COMMUNE_STAFF)


def _same_org(user, obj) -> bool:
    org_id = getattr(obj, "organisation_id", None)
    return org_id is None or org_id == user.organisation_id


@rule("mailbox.write")
def can_write(user, _obj=None) -> bool:
    """Mayors and municipal elected or staff send questions for their commune."""
    return any(user.has_role(role) for role in SENDER_ROLES)


@rule("mailbox.read_own")
def can_read_own(user, message: Message) -> bool:
    return (
        message is not None
        and message.sender_id == user.id
        and message.organisation_id == user.organisation_id
    )


@rule("mailbox.follow_up")
def can_follow_up(user, message: Message) -> bool:
    """The sender adds a message to their question while it is not closed."""
    return (
        can_read_own(user, message)
        and can_write(user)
        and message.status is not MessageStatus.CLOSED
    )


@rule("mailbox.manage")
def can_manage(user, obj=None) -> bool:
    """The EPCI's agents handle the questions and the services of their organisation."""
    return user.has_role(Role.ADMIN) and _same_org(user, obj)
