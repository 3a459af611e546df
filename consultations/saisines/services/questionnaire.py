"""The questionnaire of a saisine, frozen once a commune has answered."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from app.audit.services import record
from app.db import db
from app.users.models import User
from consultations.saisines.models import (
    Question,
    QuestionType,
    Saisine,
    SaisineResponse,
    SaisineStatus,
)
from consultations.saisines.services.common import SaisineError, saisine_org

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
