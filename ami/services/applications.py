"""The one-sheet application: start a draft, save it as often as wanted, submit it with a
numbered receipt sent by e-mail."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ami import rules
from ami.messages import error_messages, field_labels
from ami.models import AmiCall, Application, ApplicationStatus, Association, Qpv, Track
from ami.services.common import AmiError
from app.audit.services import record
from app.db import db
from app.i18n import _
from app.mail.services import queue_email
from app.organisations.models import Commune, Organisation
from app.users.models import Membership, Role, User
from app.web.urls import external_url

#: the text fields of the sheet, in form order
TEXT_FIELDS = tuple(rules.FIELD_LIMITS)
#: every other value a draft may hold
OTHER_FIELDS = (
    "theme_id",
    "beneficiaries",
    "women_share",
    "starts_on",
    "ends_on",
    "budget_total_cents",
    "requested_cents",
    "other_funding_cents",
)
#: what the "page blanche" form holds besides its text fields
BLANK_PAGE_OTHER = ("theme_id", "budget_total_cents", "requested_cents")
#: how many times a receipt number is drawn again when someone took it meanwhile
NUMBER_ATTEMPTS = 5


@error_messages
def _messages(params: dict) -> dict[str, str]:
    labels = field_labels()
    return {
        "call_not_open": _("Cet appel n'est pas ouvert aux candidatures."),
        "call_not_yet_open": _(
            "Cet appel ouvrira aux candidatures le %(date)s.", date=params.get("date", "")
        ),
        "call_closed": _(
            "L'appel est clos depuis le %(date)s : les candidatures ne sont plus acceptées.",
            date=params.get("date", ""),
        ),
        "blank_page_disabled": _("Cet appel ne propose pas de parcours « page blanche »."),
        "not_your_association": _("Vous n'agissez pas pour cette association."),
        "not_draft": _("Ce dossier a été déposé : il ne peut plus être modifié."),
        "edited_meanwhile": _(
            "Quelqu'un d'autre a enregistré ce dossier pendant que vous l'écriviez%(by)s. Votre "
            "texte est conservé ci-dessous : vérifiez-le puis enregistrez à nouveau.",
            by=_(" (%(name)s)", name=params["by"]) if params.get("by") else "",
        ),
        "incomplete": _(
            "Le dossier ne peut pas être déposé : il manque %(fields)s.",
            fields=", ".join(str(labels.get(f, f)) for f in params.get("fields", ())),
        ),
        "requested_above_total": _("Le montant demandé dépasse le budget total de l'action."),
        "funding_above_total": _(
            "Le montant demandé et les autres financements dépassent le budget total de l'action."
        ),
        "too_many_qpvs": _("Choisissez au plus %(n)d QPV.", n=rules.MAX_QPVS),
        "too_many_communes": _("Choisissez au plus %(n)d communes.", n=rules.MAX_COMMUNES),
        "too_many_partners": _(
            "Choisissez au plus %(n)d associations partenaires.", n=rules.MAX_PARTNERS
        ),
        "unknown_choice": _("Un des éléments choisis n'existe pas ou plus."),
        "number_taken": _(
            "Le numéro de dépôt n'a pas pu être attribué : réessayez dans un instant."
        ),
    }


# --- texts ----------------------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACES = re.compile(r"[ \t]+\n")


def tidy_text(value):
    """Plain text as stored: Unix newlines, no trailing spaces, at most one empty line in a row
    (which bounds the printed sheet's height); newlines count as characters."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


# --- calls open to applications -------------------------------------------------------------


def is_open(call: AmiCall, now: datetime) -> bool:
    return (
        call.published_at is not None
        and call.published_at <= now
        and call.opens_at <= now < call.closes_at
    )


def check_open(call: AmiCall, now: datetime) -> None:
    if call.published_at is None or call.published_at > now:
        raise AmiError("call_not_open")
    if now < call.opens_at:
        raise AmiError("call_not_yet_open", date=_paris(call.opens_at))
    if now >= call.closes_at:
        raise AmiError("call_closed", date=_paris(call.closes_at))


def open_calls(org: Organisation, now: datetime) -> list[AmiCall]:
    return list(
        db.session.scalars(
            select(AmiCall)
            .where(
                AmiCall.organisation_id == org.id,
                AmiCall.published_at.is_not(None),
                AmiCall.published_at <= now,
                AmiCall.opens_at <= now,
                AmiCall.closes_at > now,
            )
            .order_by(AmiCall.closes_at, AmiCall.id)
        )
    )


def _paris(moment: datetime) -> str:
    from app.web import local_datetime

    return local_datetime(moment, "full")


# --- drafts ---------------------------------------------------------------------------------


def existing_application(call: AmiCall, association: Association, track: Track):
    return db.session.scalar(
        select(Application).where(
            Application.call_id == call.id,
            Application.association_id == association.id,
            Application.track == track,
        )
    )


def start_application(
    actor: User, call: AmiCall, association: Association, track: Track, now: datetime
) -> tuple[Application, bool]:
    """The association's draft for this call and track: the one it has, else a new one.
    Returns (application, created)."""
    from ami.permissions import association_ids

    if association.id not in association_ids(actor):
        raise AmiError("not_your_association")
    if association.organisation_id != call.organisation_id:
        raise AmiError("not_your_association")
    existing = existing_application(call, association, track)
    if existing is not None:
        return existing, False
    check_open(call, now)
    if track is Track.BLANK_PAGE and not call.blank_page_enabled:
        raise AmiError("blank_page_disabled")
    application = Application(
        call_id=call.id,
        call=call,
        association_id=association.id,
        association=association,
        track=track,
        status=ApplicationStatus.DRAFT,
        updated_by_id=actor.id,
    )
    db.session.add(application)
    db.session.flush()
    record(actor, _org(call), "ami.application_start", application, {"track": str(track)})
    return application, True


def _rows(model, ids, org_id: int) -> list:
    ids = list(dict.fromkeys(int(i) for i in ids or ()))
    if not ids:
        return []
    rows = list(
        db.session.scalars(select(model).where(model.id.in_(ids), model.organisation_id == org_id))
    )
    if len(rows) != len(ids):
        raise AmiError("unknown_choice")
    return rows


def save_draft(
    actor: User, application: Application, values: dict, expected_version: int | None
) -> Application:
    """Save what the person typed, complete or not. `values` holds the form's fields (text
    fields, OTHER_FIELDS, qpv_ids, commune_ids, partner_ids); fields of the other track are
    ignored. Raises "edited_meanwhile" when someone saved since the form was opened."""
    if application.status is not ApplicationStatus.DRAFT:
        raise AmiError("not_draft")
    if expected_version is not None and expected_version != application.version_id:
        raise AmiError("edited_meanwhile", by=_editor_name(application))
    call = application.call
    blank = application.track is Track.BLANK_PAGE
    texts = rules.fields_for(application.track)
    others = BLANK_PAGE_OTHER if blank else OTHER_FIELDS
    for name in texts:
        if name in values:
            setattr(application, name, tidy_text(values[name] or ""))
    for name in others:
        if name in values:
            setattr(application, name, values[name])
    if application.theme_id is not None and application.theme_id not in {t.id for t in call.themes}:
        raise AmiError("unknown_choice")
    _set_territory(application, values, call.organisation_id)
    if not blank and "partner_ids" in values:
        ids = [i for i in values["partner_ids"] or () if int(i) != application.association_id]
        if len(set(ids)) > rules.MAX_PARTNERS:
            raise AmiError("too_many_partners")
        application.partners = _rows(Association, ids, call.organisation_id)
    application.updated_by_id = actor.id
    db.session.flush()
    record(actor, _org(call), "ami.application_save", application)
    return application


def _set_territory(application: Application, values: dict, org_id: int) -> None:
    if "qpv_ids" in values:
        if len(set(values["qpv_ids"] or ())) > rules.MAX_QPVS:
            raise AmiError("too_many_qpvs")
        application.qpvs = _rows(Qpv, values["qpv_ids"], org_id)
    if "commune_ids" in values:
        if len(set(values["commune_ids"] or ())) > rules.MAX_COMMUNES:
            raise AmiError("too_many_communes")
        application.communes = _rows(Commune, values["commune_ids"], org_id)


def _editor_name(application: Application) -> str:
    if application.updated_by_id is None:
        return ""
    editor = db.session.get(User, application.updated_by_id)
    return editor.display_name if editor is not None else ""


# --- submission -----------------------------------------------------------------------------


def submission_problems(application: Application) -> list[str]:
    """Codes of what stops the submission (missing fields come as one "incomplete")."""
    problems = []
    if rules.missing_fields(application):
        problems.append("incomplete")
    return problems + rules.budget_problems(application)


def _next_number(call: AmiCall) -> str:
    """AMI-<year>-<NNN>: one more than the highest number of the call."""
    numbers = db.session.scalars(
        select(Application.number).where(
            Application.call_id == call.id, Application.number.is_not(None)
        )
    )
    highest = 0
    for number in numbers:
        match = re.search(r"(\d+)$", number or "")
        if match:
            highest = max(highest, int(match.group(1)))
    return f"AMI-{call.year}-{highest + 1:03d}"


def _assign_number(application: Application) -> str:
    """Draw the next receipt number; the unique (call, number) constraint decides between two
    submissions at the same moment, and the loser draws again. On PostgreSQL the call's row is
    locked first, so that submissions to the same call draw one after the other (without it,
    six associations submitting together exhausted the attempts and a submission was lost)."""
    db.session.execute(
        select(AmiCall.id).where(AmiCall.id == application.call_id).with_for_update()
    )
    for _attempt in range(NUMBER_ATTEMPTS):
        number = _next_number(application.call)
        try:
            with db.session.begin_nested():
                application.number = number
                db.session.flush()
        except IntegrityError:
            continue
        return number
    raise AmiError("number_taken")


def submit_application(actor: User, application: Application, now: datetime) -> Application:
    """Submit the draft before the call closes: a receipt number, e-mailed to every person of
    the association."""
    if application.status is not ApplicationStatus.DRAFT:
        raise AmiError("not_draft")
    call = application.call
    if now >= call.closes_at:
        raise AmiError("call_closed", date=_paris(call.closes_at))
    if now < call.opens_at or call.published_at is None:
        raise AmiError("call_not_open")
    missing = rules.missing_fields(application)
    if missing:
        raise AmiError("incomplete", fields=missing)
    problems = rules.budget_problems(application)
    if problems:
        raise AmiError(problems[0], problems=problems)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.submitted_by_id = actor.id
    application.updated_by_id = actor.id
    db.session.flush()
    number = _assign_number(application)
    org = _org(call)
    record(actor, org, "ami.application_submit", application, {"number": number})
    link = external_url(org, "ami.application_view", application_id=application.id)
    for person in association_people(application.association):
        queue_email(
            person.email,
            "ami/application_receipt",
            organisation=org,
            locale=getattr(person, "locale", None) or "fr",
            application=application,
            call=call,
            person=person,
            submitter=actor,
            link=link,
        )
    return application


def association_people(association: Association) -> list[User]:
    """The active people acting for the association."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.role == Role.ASSOCIATION_MEMBER,
                Membership.association_id == association.id,
                User.active.is_(True),
            )
            .order_by(User.id)
            .distinct()
        )
    )


def _org(call: AmiCall) -> Organisation:
    return db.session.get(Organisation, call.organisation_id)
