"""Eligibility (recevabilité): the EPCI checks each submitted application and tells the
association the result."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ami import rules
from ami.messages import error_messages
from ami.models import AmiCall, Application, ApplicationStatus, Theme
from ami.services.common import AmiError
from app.audit.services import record
from app.db import db, utcnow
from app.i18n import _
from app.mail.services import queue_email
from app.users.models import Membership, Role, User
from app.web.urls import external_url

#: the applications an admin may check (drafts are the association's own business)
REVIEWABLE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.INELIGIBLE,
)


@error_messages
def _messages(params) -> dict[str, str]:
    return {
        "not_reviewable": _("Seules les candidatures déposées peuvent être examinées."),
        "reason_required": _("Indiquez le motif de la non-recevabilité."),
        "hearing_invited": _(
            "L'association a déjà été invitée à son audition : la recevabilité ne peut plus "
            "être modifiée."
        ),
    }


# --- reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    application: Application
    funding: rules.Funding


def applications_for_review(
    call: AmiCall, status: str | None = None, theme_id: int | None = None
) -> list[ReviewRow]:
    """The call's submitted applications (drafts excluded) with their funding computation, in
    number order; one query plus the eager loads, whatever their number."""
    query = (
        select(Application)
        .where(Application.call_id == call.id, Application.status != ApplicationStatus.DRAFT)
        .order_by(Application.number, Application.id)
    )
    if status:
        query = query.where(Application.status == status)
    if theme_id:
        query = query.where(Application.theme_id == theme_id)
    return [ReviewRow(a, rules.funding(call, a)) for a in db.session.scalars(query).unique()]


def draft_count(call: AmiCall) -> int:
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.call_id == call.id, Application.status == ApplicationStatus.DRAFT
        )
    )


def association_people(association_id: int) -> list[User]:
    """Everyone acting for the association (active accounts)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.role == Role.ASSOCIATION_MEMBER,
                Membership.association_id == association_id,
                User.active.is_(True),
            )
            .order_by(User.id)
        ).unique()
    )


@dataclass(frozen=True)
class AssociationCheck:
    """What the platform knows of the association's identifiers."""

    rna: str | None
    rna_valid: bool | None
    siret: str | None
    siret_valid: bool | None

    @property
    def valid(self) -> bool:
        """At least one identifier, and every identifier given well formed."""
        given = [v for v in (self.rna_valid, self.siret_valid) if v is not None]
        return bool(given) and all(given)


def association_check(association) -> AssociationCheck:
    rna = association.rna_number or None
    siret = association.siret or None
    return AssociationCheck(
        rna,
        rules.valid_rna(rna) if rna else None,
        siret,
        rules.valid_siret(siret) if siret else None,
    )


def theme_in_call(call: AmiCall, theme: Theme | None) -> bool:
    return theme is not None and any(t.id == theme.id for t in call.themes)


# --- the check ------------------------------------------------------------------------------


def check_eligibility(
    actor,
    application: Application,
    *,
    complete: bool,
    association_valid: bool,
    theme_ok: bool,
    eligible: bool,
    reason: str,
) -> Application:
    """Record the eligibility check, set the status and tell the association's people.

    It may be checked again until the association is invited to its hearing; an application
    found ineligible leaves the hearing group it had been proposed in."""
    if application.status not in REVIEWABLE:
        raise AmiError("not_reviewable")
    if application.hearing_invited_at is not None:
        raise AmiError("hearing_invited")
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise AmiError("reason_required")
    application.complete = complete
    application.association_valid = association_valid
    application.theme_in_call = theme_ok
    application.eligibility_reason = reason
    application.eligibility_checked_at = utcnow()
    application.eligibility_checked_by_id = actor.id
    application.status = ApplicationStatus.ELIGIBLE if eligible else ApplicationStatus.INELIGIBLE
    if not eligible and application.hearing_id is not None:
        application.hearing = None
        application.hearing_id = None
    db.session.flush()
    call = application.call
    record(
        actor,
        _organisation(call),
        "ami.eligibility",
        application,
        {
            "number": application.number,
            "eligible": eligible,
            "complete": complete,
            "association_valid": association_valid,
            "theme_in_call": theme_ok,
            "reason": reason,
        },
    )
    _tell_association(application, eligible)
    return application


def application_link(org, application: Application) -> str:
    """The association's page of its application (empty while that page does not exist)."""
    from werkzeug.routing import BuildError

    try:
        return external_url(org, "ami.application_view", application_id=application.id)
    except BuildError:
        return ""


def _organisation(call: AmiCall):
    from app.organisations.models import Organisation

    return db.session.get(Organisation, call.organisation_id)


def _tell_association(application: Application, eligible: bool) -> None:
    org = _organisation(application.call)
    template = "ami/eligibility_eligible" if eligible else "ami/eligibility_ineligible"
    link = application_link(org, application)
    for person in association_people(application.association_id):
        queue_email(
            person.email,
            template,
            organisation=org,
            locale=person.locale,
            person=person,
            application=application,
            link=link,
        )
