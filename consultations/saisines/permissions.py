"""Who may do what with saisines. Pure functions over already-loaded objects."""

from __future__ import annotations

from dataclasses import dataclass

from app.access import rule
from app.users.models import Role
from consultations.saisines.models import Saisine, SaisineStatus


@dataclass(frozen=True)
class CommuneCase:
    """A saisine seen from one commune: is the commune targeted, is a delegation held."""

    saisine: Saisine
    commune: object
    targeted: bool
    #: the saisine is visible to communes (opened, and its opening date has come)
    visible: bool = False
    #: answers are accepted now (open, deadline not passed)
    open_now: bool = False
    delegate_ids: frozenset[int] = frozenset()


def _of_commune(user, commune) -> bool:
    return user.has_role(Role.MAYOR, commune) or user.has_role(Role.COMMUNE_STAFF, commune)


@rule("saisines.manage")
def can_manage(user, saisine=None) -> bool:
    if not user.has_role(Role.ADMIN):
        return False
    return saisine is None or saisine.organisation_id == user.organisation_id


@rule("saisines.commune_inbox")
def can_see_inbox(user, _obj=None) -> bool:
    return user.has_role(Role.MAYOR) or user.has_role(Role.COMMUNE_STAFF)


@rule("saisine.read_as_commune")
def can_read_as_commune(user, case: CommuneCase) -> bool:
    return (
        case.targeted
        and case.visible
        and case.saisine.status is not SaisineStatus.DRAFT
        and case.saisine.organisation_id == user.organisation_id
        and _of_commune(user, case.commune)
    )


@rule("saisine.edit_response")
def can_edit_response(user, case: CommuneCase) -> bool:
    return can_read_as_commune(user, case) and case.open_now


@rule("saisine.sign_response")
def can_sign(user, case: CommuneCase) -> bool:
    if not can_edit_response(user, case):
        return False
    return user.has_role(Role.MAYOR, case.commune) or user.id in case.delegate_ids


@rule("commune.delegate_signature")
def can_delegate(user, commune) -> bool:
    return commune is not None and user.has_role(Role.MAYOR, commune)
