"""The EPCI's actions on citizen consultations: create, edit, publish, questionnaire,
synthesis and feedback. Services flush but never commit; each action is audited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.audit.services import record
from app.db import db
from app.organisations.models import Commune, Organisation
from app.organisations.services import slugify
from app.questionnaires import QuestionType
from app.uploads.models import StoredFile
from app.users.models import User
from participation.citizen import queries, rules
from participation.citizen.models import (
    ConsultationDocument,
    ConsultationQuestion,
    ConsultationTheme,
    Moderation,
    Proposal,
    PublicConsultation,
)

FEEDBACK_STATUSES = ("retained", "partly", "not_retained")
MAX_THEMES = 30
MAX_THEME_LENGTH = 120
#: question types a participant can answer (no files in citizen questionnaires)
CITIZEN_QUESTION_TYPES = tuple(t for t in QuestionType if t is not QuestionType.FILE)


class ConsultationError(Exception):
    """A business rule refused the action; `code` names the message to show."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class ConsultationData:
    title: str
    #: sanitised HTML
    presentation: str
    #: the phases' dates, timezone-aware (stored in UTC)
    information_starts_at: datetime
    contributions_start_at: datetime
    contributions_end_at: datetime
    synthesis_starts_at: datetime
    feedback_starts_at: datetime
    moderation: Moderation = Moderation.POST
    allow_proposals: bool = True
    allow_comments: bool = True
    allow_supports: bool = True
    allow_questionnaire: bool = False
    themes: list[str] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)


_FIELDS = (
    "title",
    "presentation",
    "information_starts_at",
    "contributions_start_at",
    "contributions_end_at",
    "synthesis_starts_at",
    "feedback_starts_at",
    "moderation",
    "allow_proposals",
    "allow_comments",
    "allow_supports",
    "allow_questionnaire",
)


def _org(consultation: PublicConsultation) -> Organisation:
    return db.session.get(Organisation, consultation.organisation_id)


def _audit(actor, consultation: PublicConsultation, action: str, details=None, obj=None):
    record(actor, _org(consultation), f"consultation.{action}", obj or consultation, details)


def clean_themes(names: list[str]) -> list[str]:
    """Theme names without blanks or repeats (case and accents aside), in the given order."""
    seen: set[str] = set()
    result = []
    for name in names:
        name = " ".join(name.split())
        key = _fold(name)
        if name and key not in seen:
            seen.add(key)
            result.append(name)
    return result


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _check(org: Organisation, data: ConsultationData) -> list[str]:
    if not rules.dates_in_order(data):
        raise ConsultationError("dates_order")
    if not data.communes:
        raise ConsultationError("no_commune")
    if any(c.organisation_id != org.id for c in data.communes):
        raise ConsultationError("no_commune")
    themes = clean_themes(data.themes)
    if len(themes) > MAX_THEMES or any(len(t) > MAX_THEME_LENGTH for t in themes):
        raise ConsultationError("themes_too_long", max=MAX_THEMES)
    return themes


#: addresses of the public pages that a consultation's slug must not hide
RESERVED_SLUGS = {"moderation", "mon-profil", "conditions-de-participation"}


def _free_slug(org: Organisation, title: str) -> str:
    base = slugify(title)[:60].strip("-") or "consultation"
    if base in RESERVED_SLUGS:
        base = f"consultation-{base}"
    slug, n = base, 2
    while queries.slug_taken(org, slug):
        slug = f"{base}-{n}"
        n += 1
    return slug


def create_consultation(actor: User, org: Organisation, data: ConsultationData):
    """A new consultation, unpublished (a draft seen by admins only)."""
    themes = _check(org, data)
    consultation = PublicConsultation(
        organisation_id=org.id,
        slug=_free_slug(org, data.title),
        published=False,
        created_by_id=actor.id,
        synthesis="",
    )
    for name in _FIELDS:
        setattr(consultation, name, getattr(data, name))
    consultation.themes = [ConsultationTheme(name=name) for name in themes]
    consultation.communes = list(data.communes)
    db.session.add(consultation)
    db.session.flush()
    record(actor, org, "consultation.create", consultation, {"slug": consultation.slug})
    return consultation


def _themes_in_use(themes: list[ConsultationTheme]) -> list[str]:
    if not themes:
        return []
    used = set(
        db.session.scalars(
            select(Proposal.theme_id)
            .where(Proposal.theme_id.in_([t.id for t in themes]))
            .distinct()
        )
    )
    return [t.name for t in themes if t.id in used]


def _sync_themes(consultation: PublicConsultation, names: list[str]) -> None:
    """Keep the themes whose name is still given, add the new ones, remove the others.

    A theme that proposals already use is never removed.
    """
    wanted = {_fold(name): name for name in names}
    existing = {_fold(t.name): t for t in consultation.themes}
    removed = [t for key, t in existing.items() if key not in wanted]
    in_use = _themes_in_use(removed)
    if in_use:
        raise ConsultationError("theme_in_use", themes=in_use)
    for theme in removed:
        consultation.themes.remove(theme)
    for key, name in wanted.items():
        if key in existing:
            existing[key].name = name
        else:
            consultation.themes.append(ConsultationTheme(name=name))


def update_consultation(actor: User, consultation: PublicConsultation, data: ConsultationData):
    org = _org(consultation)
    themes = _check(org, data)
    changed = sorted(n for n in _FIELDS if getattr(consultation, n) != getattr(data, n))
    for name in _FIELDS:
        setattr(consultation, name, getattr(data, name))
    _sync_themes(consultation, themes)
    consultation.communes = list(data.communes)
    db.session.flush()
    _audit(actor, consultation, "update", {"fields": changed})


def add_document(actor: User, consultation: PublicConsultation, file: StoredFile):
    document = ConsultationDocument(file_id=file.id)
    consultation.documents.append(document)
    db.session.flush()
    _audit(actor, consultation, "document_add", {"file": file.original_name})
    return document


def remove_document(actor: User, consultation: PublicConsultation, document) -> None:
    _audit(actor, consultation, "document_remove", {"file": document.file.original_name})
    consultation.documents.remove(document)
    db.session.flush()


def set_published(actor: User, consultation: PublicConsultation, published: bool) -> None:
    """Show the consultation to the public, or take it back to a draft."""
    if published and not rules.dates_in_order(consultation):
        raise ConsultationError("dates_order")
    if consultation.published == published:
        return
    consultation.published = published
    _audit(actor, consultation, "publish" if published else "unpublish")


def save_synthesis(actor: User, consultation: PublicConsultation, html: str) -> None:
    """The synthesis written by the EPCI (sanitised HTML), shown from the synthesis phase."""
    consultation.synthesis = html
    _audit(actor, consultation, "synthesis")


def give_feedback(actor: User, proposal: Proposal, status: str | None, html: str) -> None:
    """The EPCI's answer to one proposal ("what we retained"): a status and a text (HTML)."""
    if status not in (None, *FEEDBACK_STATUSES):
        raise ConsultationError("feedback_status")
    if html and status is None:
        raise ConsultationError("feedback_status_needed")
    proposal.feedback_status = status
    proposal.feedback = html
    consultation = db.session.get(PublicConsultation, proposal.consultation_id)
    _audit(actor, consultation, "feedback", {"status": status}, obj=proposal)


# --- questionnaire -----------------------------------------------------------------------


def questionnaire_frozen(consultation: PublicConsultation) -> bool:
    """Questions no longer change once someone has answered the questionnaire."""
    return queries.has_answers(consultation)


def _check_editable(consultation: PublicConsultation) -> None:
    if questionnaire_frozen(consultation):
        raise ConsultationError("questionnaire_frozen")


def _key(label: str, taken: set[str]) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:30] or "question"
    key, n = base, 2
    while key in taken:
        key = f"{base}_{n}"
        n += 1
    return key


def _clean_choices(type: QuestionType, choices: list[str] | None) -> list[str]:
    if type not in CITIZEN_QUESTION_TYPES:
        raise ConsultationError("question_type")
    if type not in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        return []
    cleaned = list(dict.fromkeys(c.strip() for c in (choices or []) if c.strip()))
    if len(cleaned) < 2:
        raise ConsultationError("two_choices_needed")
    return cleaned


def add_question(
    actor: User,
    consultation: PublicConsultation,
    *,
    label: str,
    type: QuestionType,
    required: bool,
    help_text: str = "",
    unit: str = "",
    choices: list[str] | None = None,
) -> ConsultationQuestion:
    _check_editable(consultation)
    question = ConsultationQuestion(
        key=_key(label, {q.key for q in consultation.questions}),
        position=max((q.position for q in consultation.questions), default=0) + 1,
        label=label.strip(),
        type=type,
        required=required,
        help_text=help_text.strip(),
        unit=unit.strip(),
        choices=_clean_choices(type, choices),
    )
    consultation.questions.append(question)
    db.session.flush()
    _audit(actor, consultation, "question_add", {"key": question.key})
    return question


def update_question(
    actor: User,
    question: ConsultationQuestion,
    *,
    label: str,
    type: QuestionType,
    required: bool,
    help_text: str = "",
    unit: str = "",
    choices: list[str] | None = None,
) -> None:
    consultation = question.consultation
    _check_editable(consultation)
    question.choices = _clean_choices(type, choices)
    question.label = label.strip()
    question.type = type
    question.required = required
    question.help_text = help_text.strip()
    question.unit = unit.strip()
    _audit(actor, consultation, "question_update", {"key": question.key})


def delete_question(actor: User, question: ConsultationQuestion) -> None:
    consultation = question.consultation
    _check_editable(consultation)
    _audit(actor, consultation, "question_delete", {"key": question.key})
    consultation.questions.remove(question)
    db.session.flush()


def move_question(actor: User, question: ConsultationQuestion, offset: int) -> None:
    consultation = question.consultation
    _check_editable(consultation)
    ordered = sorted(consultation.questions, key=lambda q: q.position)
    index = ordered.index(question)
    other = index + offset
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        _audit(actor, consultation, "question_move", {"key": question.key})
