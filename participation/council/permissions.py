"""Who may do what in the conseil de développement. Pure functions over loaded objects.

Admins (the EPCI) refer subjects, designate the president and the bureau and answer
contributions; council members write and vote; the president and the bureau open and close
votes, transmit adopted contributions and take up subjects on their own initiative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.access import rule
from app.users.models import Role
from participation.council.models import Contribution, Referral, ReferralKind


@dataclass(frozen=True)
class DevelopmentCouncil:
    """The council of one organisation: who presides, who sits in the bureau."""

    organisation_id: int
    president_id: int | None = None
    bureau_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def office_ids(self) -> frozenset[int]:
        extra = {self.president_id} if self.president_id else set()
        return self.bureau_ids | extra


@dataclass(frozen=True)
class CouncilCase:
    """A referral or a contribution seen with its council (for the president's and bureau's
    rights)."""

    item: Any
    council: DevelopmentCouncil


def _admin_of(user, organisation_id: int | None) -> bool:
    return user.has_role(Role.ADMIN) and (
        organisation_id is None or user.organisation_id == organisation_id
    )


def _member_of(user, organisation_id: int | None) -> bool:
    return user.has_role(Role.DEVELOPMENT_COUNCIL_MEMBER) and (
        organisation_id is None or user.organisation_id == organisation_id
    )


def _leads(user, council: DevelopmentCouncil) -> bool:
    return _member_of(user, council.organisation_id) and user.id in council.office_ids


@rule("council.view")
def can_view(user, _obj=None) -> bool:
    """The council's workspace: its members and the EPCI's agents."""
    return user.has_role(Role.DEVELOPMENT_COUNCIL_MEMBER) or user.has_role(Role.ADMIN)


@rule("council.manage")
def can_manage(user, obj=None) -> bool:
    """Refer subjects, designate the president and the bureau, answer contributions."""
    return _admin_of(user, getattr(obj, "organisation_id", None))


@rule("council.contribute")
def can_contribute(user, _obj=None) -> bool:
    return user.has_role(Role.DEVELOPMENT_COUNCIL_MEMBER)


@rule("council.lead")
def can_lead(user, council: DevelopmentCouncil) -> bool:
    """President or bureau: open auto-saisines, open and close votes, transmit."""
    return council is not None and _leads(user, council)


@rule("council.referral.view")
def can_view_referral(user, referral: Referral) -> bool:
    return can_view(user) and referral.organisation_id == user.organisation_id


@rule("council.referral.edit")
def can_edit_referral(user, case: CouncilCase) -> bool:
    referral = case.item
    if referral.kind is ReferralKind.OWN_INITIATIVE and _leads(user, case.council):
        return True
    return _admin_of(user, referral.organisation_id)


@rule("council.contribution.view")
def can_view_contribution(user, contribution: Contribution) -> bool:
    return can_view(user) and contribution.organisation_id == user.organisation_id


@rule("council.contribution.edit")
def can_edit(user, contribution: Contribution) -> bool:
    """Co-authors write (while the contribution is a draft: see services)."""
    return _member_of(user, contribution.organisation_id) and any(
        a.user_id == user.id for a in contribution.authors
    )


@rule("council.contribution.steer")
def can_steer_vote(user, case: CouncilCase) -> bool:
    """Open and close the members' vote: the president, the bureau or the EPCI's agents."""
    return _leads(user, case.council) or _admin_of(user, case.item.organisation_id)


@rule("council.contribution.vote")
def can_vote(user, contribution: Contribution) -> bool:
    """Every member has one voice (once the vote is open: see services)."""
    return _member_of(user, contribution.organisation_id)


@rule("council.contribution.transmit")
def can_transmit(user, case: CouncilCase) -> bool:
    """Send an adopted contribution to the EPCI: the president or the bureau."""
    return _leads(user, case.council) and case.item.organisation_id == user.organisation_id


@rule("council.contribution.answer")
def can_answer(user, contribution: Contribution) -> bool:
    """The EPCI's agents answer transmitted contributions."""
    return _admin_of(user, contribution.organisation_id)
