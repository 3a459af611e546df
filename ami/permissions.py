"""Who may do what in the AMI. Pure functions over loaded objects.

The EPCI's admins run the calls (eligibility, hearings, decisions, statistics); the people of an
association write and submit its applications and see its decisions; jury members of a call see
its eligible applications and score those they have no conflict of interest with.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.access import rule
from app.users.models import Role


def association_ids(user) -> set[int]:
    """The associations the person acts for."""
    return {
        m.association_id
        for m in getattr(user, "memberships", ())
        if m.role == Role.ASSOCIATION_MEMBER and m.association_id
    }


def _admin_of(user, organisation_id: int | None) -> bool:
    return user.has_role(Role.ADMIN) and (
        organisation_id is None or user.organisation_id == organisation_id
    )


@dataclass(frozen=True)
class JuryCase:
    """An application seen by one person, with their seat on the call's jury (or None) and
    whether they declared a conflict of interest on it."""

    application: object
    member: object | None
    conflict: bool = False


@rule("ami.manage")
def can_manage(user, obj=None) -> bool:
    """Create and run calls: the EPCI's admins (of the object's organisation)."""
    return _admin_of(user, getattr(obj, "organisation_id", None))


@rule("ami.association.edit")
def can_edit_association(user, association) -> bool:
    """An association's profile and people: its members and the EPCI's admins."""
    return association.id in association_ids(user) or _admin_of(user, association.organisation_id)


@rule("ami.apply")
def can_apply(user, _obj=None) -> bool:
    """Start an application: anyone acting for an association."""
    return bool(association_ids(user))


@rule("ami.application.edit")
def can_edit_application(user, application) -> bool:
    """Write the draft and submit it: the association's people (while it is a draft: see
    services)."""
    return application.association_id in association_ids(user)


@rule("ami.application.view")
def can_view_application(user, application) -> bool:
    """The association, the EPCI's admins; jury members see it through `ami.jury.view`."""
    return application.association_id in association_ids(user) or _admin_of(
        user, application.call.organisation_id
    )


@rule("ami.jury.view")
def can_view_as_jury(user, case: JuryCase) -> bool:
    """A jury member of the call sees its eligible applications (and its admins see all)."""
    application = case.application
    if _admin_of(user, application.call.organisation_id):
        return True
    return case.member is not None and application.status == "eligible"


@rule("ami.jury.score")
def can_score(user, case: JuryCase) -> bool:
    """Score an eligible application: a member of the call's jury without a conflict of
    interest on it."""
    return (
        case.member is not None
        and case.member.user_id == user.id
        and case.application.status == "eligible"
        and not case.conflict
    )


@rule("ami.jury")
def can_sit_on_jury(user, _obj=None) -> bool:
    """The jury's space: people with the jury member role."""
    return user.has_role(Role.JURY_MEMBER)
