"""The EPCI side of saisines: create, target, open, extend, close, publish, remind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.organisations.models import Commune, Organisation
from app.sanitize import clean_html
from app.users.models import User
from app.web.urls import external_url
from consultations.saisines import queries, rules
from consultations.saisines.models import (
    DeadlineExtension,
    ResponseStatus,
    Saisine,
    SaisineDocument,
    SaisineKind,
    SaisineResponse,
    SaisineStatus,
    SaisineTarget,
    SilenceRule,
)
from consultations.saisines.services.common import SaisineError, saisine_org


@dataclass
class SaisineData:
    reference: str
    title: str
    description: str
    kind: SaisineKind
    opens_at: datetime
    deadline: datetime
    silence_rule: SilenceRule
    legal_basis: str
    target_mode: str
    communes: list[Commune]


# --- the EPCI side ------------------------------------------------------------------------


def _check_dates(data: SaisineData) -> None:
    if data.deadline <= data.opens_at:
        raise SaisineError("deadline_before_opening")


def create_saisine(actor: User, org: Organisation, data: SaisineData) -> Saisine:
    _check_dates(data)
    if queries.reference_taken(org, data.reference):
        raise SaisineError("reference_taken")
    saisine = Saisine(
        organisation_id=org.id,
        reference=data.reference.strip(),
        title=data.title.strip(),
        description=clean_html(data.description),
        kind=data.kind,
        opens_at=data.opens_at,
        deadline=data.deadline,
        silence_rule=data.silence_rule,
        legal_basis=data.legal_basis.strip(),
        target_mode=data.target_mode,
        created_by_id=actor.id,
    )
    db.session.add(saisine)
    db.session.flush()
    set_targets(saisine, data.communes)
    record(actor, org, "saisine.create", saisine, {"targets": len(data.communes)})
    return saisine


def update_saisine(actor: User, saisine: Saisine, data: SaisineData) -> None:
    """A draft changes freely; once open only its texts change (dates: extend the deadline)."""
    if queries.reference_taken(saisine_org(saisine), data.reference, except_id=saisine.id):
        raise SaisineError("reference_taken")
    saisine.title = data.title.strip()
    saisine.description = clean_html(data.description)
    saisine.legal_basis = data.legal_basis.strip()
    saisine.reference = data.reference.strip()
    if saisine.status is SaisineStatus.DRAFT:
        _check_dates(data)
        saisine.kind = data.kind
        saisine.opens_at = data.opens_at
        saisine.deadline = data.deadline
        saisine.silence_rule = data.silence_rule
        saisine.target_mode = data.target_mode
        set_targets(saisine, data.communes)
    record(actor, saisine_org(saisine), "saisine.update", saisine)


def set_targets(saisine: Saisine, communes: Iterable[Commune]) -> None:
    wanted = {c.id for c in communes if c.organisation_id == saisine.organisation_id}
    if not wanted:
        raise SaisineError("no_target")
    current = {t.commune_id: t for t in saisine.targets}
    for commune_id, target in current.items():
        if commune_id not in wanted:
            saisine.targets.remove(target)
    for commune_id in wanted - set(current):
        saisine.targets.append(SaisineTarget(commune_id=commune_id))
    db.session.flush()


def add_document(actor: User, saisine: Saisine, stored_file) -> SaisineDocument:
    document = SaisineDocument(saisine=saisine, file_id=stored_file.id, file=stored_file)
    db.session.add(document)
    db.session.flush()
    record(
        actor,
        saisine_org(saisine),
        "saisine.document_add",
        saisine,
        {"file": stored_file.original_name},
    )
    return document


def remove_document(actor: User, saisine: Saisine, document: SaisineDocument) -> None:
    if saisine.status is not SaisineStatus.DRAFT:
        raise SaisineError("not_draft")
    record(
        actor,
        saisine_org(saisine),
        "saisine.document_remove",
        saisine,
        {"file": document.file.original_name},
    )
    saisine.documents.remove(document)


def open_saisine(actor: User, saisine: Saisine, now: datetime) -> None:
    if saisine.status is not SaisineStatus.DRAFT:
        raise SaisineError("not_draft")
    if now >= saisine.deadline:
        raise SaisineError("deadline_passed")
    if saisine.asks_data and not saisine.current_questions:
        raise SaisineError("no_question")
    saisine.status = SaisineStatus.OPEN
    saisine.opened_at = now
    record(actor, saisine_org(saisine), "saisine.open", saisine)
    if saisine.opens_at <= now:
        notify_opening(saisine, now)


def notify_opening(saisine: Saisine, now: datetime) -> int:
    """E-mail the mayors and staff of every target commune that the saisine is open."""
    org = saisine_org(saisine)
    sent = 0
    for commune_id, people in queries.recipients_by_commune(saisine).items():
        commune = db.session.get(Commune, commune_id)
        link = external_url(
            org, "saisines_commune.respond", insee=commune.insee_code, saisine_id=saisine.id
        )
        for person in people:
            queue_email(
                person.email,
                "consultations/saisine_opened",
                organisation=org,
                locale=person.locale,
                saisine=saisine,
                commune=commune,
                person=person,
                link=link,
            )
            sent += 1
    saisine.notified_at = now
    return sent


def extend_deadline(
    actor: User, saisine: Saisine, new_deadline: datetime, reason: str, now: datetime
) -> DeadlineExtension:
    """Push the deadline back, with a reason every target commune is told; reopens if closed."""
    if saisine.status is SaisineStatus.DRAFT:
        raise SaisineError("draft_has_no_deadline_yet")
    if new_deadline <= saisine.deadline or new_deadline <= now:
        raise SaisineError("extension_not_later")
    if not reason.strip():
        raise SaisineError("reason_required")
    extension = DeadlineExtension(
        saisine=saisine,
        previous_deadline=saisine.deadline,
        new_deadline=new_deadline,
        reason=reason.strip(),
        created_by_id=actor.id,
    )
    db.session.add(extension)
    saisine.deadline = new_deadline
    if saisine.status is SaisineStatus.CLOSED:
        _reopen(saisine)
    for target in saisine.targets:
        target.last_reminder_step = None
    org = saisine_org(saisine)
    for commune_id, people in queries.recipients_by_commune(saisine).items():
        commune = db.session.get(Commune, commune_id)
        link = external_url(
            org, "saisines_commune.respond", insee=commune.insee_code, saisine_id=saisine.id
        )
        for person in people:
            queue_email(
                person.email,
                "consultations/saisine_extended",
                organisation=org,
                locale=person.locale,
                saisine=saisine,
                commune=commune,
                extension=extension,
                link=link,
            )
    record(
        actor,
        org,
        "saisine.extend",
        saisine,
        {
            "previous": extension.previous_deadline.isoformat(),
            "new": new_deadline.isoformat(),
            "reason": extension.reason,
        },
    )
    return extension


def _reopen(saisine: Saisine) -> None:
    """Undo the tacit opinions recorded at the closing; submitted answers and drafts stay."""
    saisine.status = SaisineStatus.OPEN
    saisine.closed_at = None
    for target in saisine.targets:
        target.tacit_opinion = None


def close_saisine(saisine: Saisine, now: datetime, actor: User | None = None) -> int:
    """Close at (or after) the deadline and record the tacit opinions. Returns their number."""
    if saisine.status is not SaisineStatus.OPEN:
        return 0
    if actor is None and now < saisine.deadline:
        raise SaisineError("deadline_not_passed")
    # Only one of two simultaneous closings goes on: the other finds the saisine closed.
    claimed = db.session.execute(
        update(Saisine)
        .where(Saisine.id == saisine.id, Saisine.status == SaisineStatus.OPEN)
        .values(status=SaisineStatus.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.refresh(saisine)
        return 0
    saisine.status = SaisineStatus.CLOSED
    saisine.closed_at = now
    tacit = rules.tacit_opinion(saisine.silence_rule)
    recorded = 0
    if tacit is not None:
        submitted = set(
            db.session.scalars(
                select(SaisineResponse.commune_id).where(
                    SaisineResponse.saisine_id == saisine.id,
                    SaisineResponse.status == ResponseStatus.SUBMITTED,
                )
            )
        )
        for target in saisine.targets:
            if target.commune_id not in submitted:
                target.tacit_opinion = tacit
                recorded += 1
    record(actor, saisine_org(saisine), "saisine.close", saisine, {"tacit": recorded})
    db.session.flush()
    return recorded


def close_if_due(saisine: Saisine, now: datetime) -> bool:
    """Close the saisine the first time anyone looks after its deadline."""
    if saisine.status is SaisineStatus.OPEN and now >= saisine.deadline:
        close_saisine(saisine, now)
        return True
    return False


def close_due(now: datetime) -> list[Saisine]:
    closed = queries.open_saisines_due(now)
    for saisine in closed:
        close_saisine(saisine, now)
    return closed


def publish_results(actor: User, saisine: Saisine, published: bool) -> None:
    if saisine.status is SaisineStatus.DRAFT:
        raise SaisineError("not_open_yet")
    saisine.results_published = published
    record(
        actor,
        saisine_org(saisine),
        "saisine.publish" if published else "saisine.unpublish",
        saisine,
    )


def send_reminders(now: datetime, steps: Iterable[int]) -> int:
    """Remind the communes that have not submitted, once per step; notify late openings."""
    steps = tuple(steps)
    count = 0
    for saisine in queries.saisines_to_notify(now):
        notify_opening(saisine, now)
    for saisine in queries.open_saisines():
        if now < saisine.opens_at or now >= saisine.deadline:
            continue
        submitted = set(
            db.session.scalars(
                select(SaisineResponse.commune_id).where(
                    SaisineResponse.saisine_id == saisine.id,
                    SaisineResponse.status == ResponseStatus.SUBMITTED,
                )
            )
        )
        recipients = None
        org = saisine_org(saisine)
        for target in saisine.targets:
            if target.commune_id in submitted:
                continue
            step = rules.reminder_step_due(saisine.deadline, now, target.last_reminder_step, steps)
            if step is None:
                continue
            if recipients is None:
                recipients = queries.recipients_by_commune(saisine)
            commune = db.session.get(Commune, target.commune_id)
            link = external_url(
                org, "saisines_commune.respond", insee=commune.insee_code, saisine_id=saisine.id
            )
            for person in recipients.get(target.commune_id, []):
                queue_email(
                    person.email,
                    "consultations/saisine_reminder",
                    organisation=org,
                    locale=person.locale,
                    saisine=saisine,
                    commune=commune,
                    step=step,
                    link=link,
                )
            target.last_reminder_step = step
            record(
                None, org, "saisine.remind", saisine, {"commune": commune.insee_code, "step": step}
            )
            count += 1
    db.session.flush()
    return count
