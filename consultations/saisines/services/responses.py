"""The commune side: drafts, signed submissions, receipts, signature delegations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.organisations.models import Commune
from app.users.models import Role, User
from app.web.urls import external_url
from consultations.saisines import queries, rules
from consultations.saisines.answers import display as display_answer
from consultations.saisines.forms import opinion_labels
from consultations.saisines.models import (
    Opinion,
    Question,
    QuestionType,
    ResponseAttachment,
    ResponseStatus,
    ResponseVersion,
    Saisine,
    SaisineResponse,
    SignatureDelegation,
)
from consultations.saisines.services.common import SaisineError, saisine_org

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
