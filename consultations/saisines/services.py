"""Business actions on saisines. They flush, never commit; e-mails go through the outbox."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.organisations.models import Commune, Organisation
from app.sanitize import clean_html
from app.users.models import Role, User
from app.web.urls import external_url
from consultations.saisines import queries, rules
from consultations.saisines.answers import display as display_answer
from consultations.saisines.forms import opinion_labels
from consultations.saisines.models import (
    DeadlineExtension,
    Opinion,
    Question,
    QuestionType,
    ResponseAttachment,
    ResponseStatus,
    ResponseVersion,
    Saisine,
    SaisineDocument,
    SaisineKind,
    SaisineResponse,
    SaisineStatus,
    SaisineTarget,
    SignatureDelegation,
    SilenceRule,
)


class SaisineError(Exception):
    """A business rule refused the action; `code` names the message to show."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


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


def saisine_org(saisine: Saisine) -> Organisation:
    return db.session.get(Organisation, saisine.organisation_id)


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


# --- questionnaire -----------------------------------------------------------------------


def questionnaire_frozen(saisine: Saisine) -> bool:
    """Questions of the current version no longer change once a commune has answered."""
    return (
        db.session.scalar(
            select(SaisineResponse.id).where(
                SaisineResponse.saisine_id == saisine.id,
                SaisineResponse.questionnaire_version == saisine.questionnaire_version,
            )
        )
        is not None
    )


def _check_editable(saisine: Saisine) -> None:
    if saisine.status is SaisineStatus.CLOSED:
        raise SaisineError("closed")
    if questionnaire_frozen(saisine):
        raise SaisineError("questionnaire_frozen")


def _key(label: str, taken: set[str]) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:30] or "question"
    key, n = base, 2
    while key in taken:
        key = f"{base}_{n}"
        n += 1
    return key


def add_question(
    actor: User,
    saisine: Saisine,
    *,
    label: str,
    type: QuestionType,
    required: bool,
    help_text: str = "",
    unit: str = "",
    choices: list[str] | None = None,
) -> Question:
    _check_editable(saisine)
    current = saisine.current_questions
    question = Question(
        saisine=saisine,
        version=saisine.questionnaire_version,
        key=_key(label, {q.key for q in saisine.questions}),
        position=max((q.position for q in current), default=0) + 1,
        label=label.strip(),
        type=type,
        required=required,
        help_text=help_text.strip(),
        unit=unit.strip(),
        choices=_clean_choices(type, choices),
    )
    db.session.add(question)
    db.session.flush()
    record(actor, saisine_org(saisine), "saisine.question_add", saisine, {"key": question.key})
    return question


def _clean_choices(type: QuestionType, choices: list[str] | None) -> list[str]:
    if type not in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        return []
    cleaned = list(dict.fromkeys(c.strip() for c in (choices or []) if c.strip()))
    if len(cleaned) < 2:
        raise SaisineError("two_choices_needed")
    return cleaned


def update_question(
    actor: User,
    question: Question,
    *,
    label: str,
    type: QuestionType,
    required: bool,
    help_text: str = "",
    unit: str = "",
    choices: list[str] | None = None,
) -> None:
    saisine = question.saisine
    _check_editable(saisine)
    if question.version != saisine.questionnaire_version:
        raise SaisineError("old_version")
    cleaned_choices = _clean_choices(type, choices)
    question.label = label.strip()
    question.type = type
    question.required = required
    question.help_text = help_text.strip()
    question.unit = unit.strip()
    question.choices = cleaned_choices
    record(actor, saisine_org(saisine), "saisine.question_update", saisine, {"key": question.key})


def delete_question(actor: User, question: Question) -> None:
    saisine = question.saisine
    _check_editable(saisine)
    if question.version != saisine.questionnaire_version:
        raise SaisineError("old_version")
    record(actor, saisine_org(saisine), "saisine.question_delete", saisine, {"key": question.key})
    saisine.questions.remove(question)
    db.session.flush()


def move_question(actor: User, question: Question, offset: int) -> None:
    saisine = question.saisine
    _check_editable(saisine)
    if question.version != saisine.questionnaire_version:
        raise SaisineError("old_version")
    ordered = sorted(saisine.current_questions, key=lambda q: q.position)
    index = ordered.index(question)
    other = index + offset
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        record(actor, saisine_org(saisine), "saisine.question_move", saisine, {"key": question.key})


def new_questionnaire_version(actor: User, saisine: Saisine) -> int:
    """Copy the current questions into a new version that can be changed again."""
    if saisine.status is SaisineStatus.CLOSED:
        raise SaisineError("closed")
    if not questionnaire_frozen(saisine):
        raise SaisineError("questionnaire_not_frozen")
    current = saisine.current_questions
    saisine.questionnaire_version += 1
    for question in current:
        db.session.add(
            Question(
                saisine=saisine,
                version=saisine.questionnaire_version,
                key=question.key,
                position=question.position,
                label=question.label,
                help_text=question.help_text,
                type=question.type,
                required=question.required,
                unit=question.unit,
                choices=list(question.choices),
            )
        )
    db.session.flush()
    record(
        actor,
        saisine_org(saisine),
        "saisine.questionnaire_version",
        saisine,
        {"version": saisine.questionnaire_version},
    )
    return saisine.questionnaire_version


# --- the commune side --------------------------------------------------------------------


@dataclass
class ResponseData:
    opinion: Opinion | None
    motivation: str
    answers: dict
    new_files: list  # (question_key or None, StoredFile)
    removed_attachment_ids: list[int]


def mark_opened(saisine: Saisine, commune: Commune, now: datetime) -> None:
    target = queries.target_of(saisine, commune)
    if target is not None and target.first_opened_at is None:
        target.first_opened_at = now


def _response_for(saisine: Saisine, commune: Commune) -> SaisineResponse:
    response = queries.response_of(saisine, commune)
    if response is None:
        response = SaisineResponse(
            saisine_id=saisine.id,
            commune_id=commune.id,
            saisine=saisine,
            commune=commune,
            questionnaire_version=saisine.questionnaire_version,
        )
        db.session.add(response)
    return response


def _check_lock(response: SaisineResponse, expected: int | None) -> None:
    if expected is not None and response.id is not None and response.lock_version != expected:
        raise SaisineError("edited_meanwhile", by=getattr(response.edited_by, "display_name", ""))


def _apply(response: SaisineResponse, actor: User, data: ResponseData, expected: int | None):
    _check_lock(response, expected)
    response.opinion = data.opinion
    response.motivation = data.motivation.strip()
    response.answers = dict(data.answers)
    response.questionnaire_version = response.saisine.questionnaire_version
    response.edited_by_id = actor.id
    for attachment in list(response.attachments):
        if attachment.id in data.removed_attachment_ids:
            response.attachments.remove(attachment)
    for question_key, stored in data.new_files:
        if question_key:
            for old in [a for a in response.attachments if a.question_key == question_key]:
                response.attachments.remove(old)
        response.attachments.append(
            ResponseAttachment(file_id=stored.id, file=stored, question_key=question_key)
        )


def save_draft(
    actor: User,
    saisine: Saisine,
    commune: Commune,
    data: ResponseData,
    expected_version: int | None,
) -> SaisineResponse:
    """Save a draft; after submission it is an amendment that leaves the signed answer as is."""
    response = _response_for(saisine, commune)
    if response.status is ResponseStatus.SUBMITTED:
        _check_lock(response, expected_version)
        if data.new_files or data.removed_attachment_ids:
            raise SaisineError("attachments_need_signature")
        response.pending_changes = {
            "opinion": str(data.opinion) if data.opinion else None,
            "motivation": data.motivation.strip(),
            "answers": dict(data.answers),
        }
        response.edited_by_id = actor.id
    else:
        _apply(response, actor, data, expected_version)
        response.status = ResponseStatus.DRAFT
    db.session.flush()
    return response


def missing_answers(saisine: Saisine, response: SaisineResponse) -> list[Question]:
    missing = []
    file_keys = {a.question_key for a in response.attachments if a.question_key}
    for question in saisine.current_questions:
        if not question.required:
            continue
        if question.type is QuestionType.FILE:
            if question.key not in file_keys:
                missing.append(question)
        elif response.answers.get(question.key) in (None, "", []):
            missing.append(question)
    return missing


def submit_response(
    actor: User,
    saisine: Saisine,
    commune: Commune,
    data: ResponseData,
    expected_version: int | None,
    now: datetime,
    signed_as: str,
) -> SaisineResponse:
    """Sign and submit (or amend) the commune's answer; a receipt goes to the commune."""
    if rules.phase(saisine.status, saisine.opens_at, saisine.deadline, now) is not rules.Phase.OPEN:
        raise SaisineError("deadline_passed")
    response = _response_for(saisine, commune)
    _apply(response, actor, data, expected_version)
    if saisine.asks_opinion:
        if response.opinion is None:
            raise SaisineError("opinion_required")
        if rules.motivation_required(response.opinion) and not response.motivation:
            raise SaisineError("motivation_required")
    else:
        response.opinion = None
    missing = missing_answers(saisine, response)
    if missing:
        raise SaisineError("answers_missing", questions=[q.label for q in missing])
    amended = response.status is ResponseStatus.SUBMITTED
    response.status = ResponseStatus.SUBMITTED
    response.pending_changes = None
    response.submitted_at = now
    response.submitted_by_id = actor.id
    response.signed_as = signed_as
    db.session.flush()
    version = ResponseVersion(
        response=response,
        number=len(response.versions) + 1,
        opinion=response.opinion,
        motivation=response.motivation,
        answers=dict(response.answers),
        questionnaire_version=response.questionnaire_version,
        attachment_names=[a.file.original_name for a in response.attachments],
        submitted_at=now,
        submitted_by_id=actor.id,
        signed_as=signed_as,
    )
    db.session.add(version)
    db.session.flush()
    _send_receipt(saisine, commune, response, version, actor)
    record(
        actor,
        saisine_org(saisine),
        "saisine.amend" if amended else "saisine.submit",
        saisine,
        {
            "commune": commune.insee_code,
            "version": version.number,
            "opinion": str(response.opinion or ""),
        },
    )
    return response


def _send_receipt(saisine, commune, response, version, actor) -> None:
    org = saisine_org(saisine)
    people = queries.commune_people(commune)
    if actor not in people:
        people.append(actor)
    link = external_url(
        org, "saisines_commune.respond", insee=commune.insee_code, saisine_id=saisine.id
    )
    for person in people:
        queue_email(
            person.email,
            "consultations/response_receipt",
            organisation=org,
            locale=person.locale,
            saisine=saisine,
            commune=commune,
            response=response,
            version=version,
            signatory=actor,
            questions=saisine.current_questions,
            answer_text=display_answer,
            opinion_text=lambda opinion: str(opinion_labels().get(opinion, "")),
            link=link,
        )


# --- signature delegations -----------------------------------------------------------------


def grant_delegation(mayor: User, commune: Commune, person: User) -> SignatureDelegation:
    if not person.has_role(Role.COMMUNE_STAFF, commune):
        raise SaisineError("delegate_not_staff")
    existing = db.session.scalar(
        select(SignatureDelegation).where(
            SignatureDelegation.commune_id == commune.id, SignatureDelegation.user_id == person.id
        )
    )
    if existing is not None:
        return existing
    delegation = SignatureDelegation(
        commune_id=commune.id, user_id=person.id, user=person, granted_by_id=mayor.id
    )
    db.session.add(delegation)
    db.session.flush()
    record(
        mayor,
        mayor.organisation,
        "commune.delegation_grant",
        person,
        {"commune": commune.insee_code},
    )
    return delegation


def revoke_delegation(mayor: User, delegation: SignatureDelegation) -> None:
    record(
        mayor,
        mayor.organisation,
        "commune.delegation_revoke",
        delegation.user,
        {"commune_id": delegation.commune_id},
    )
    db.session.delete(delegation)
