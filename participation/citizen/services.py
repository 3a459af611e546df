"""Participants' actions in citizen consultations, and their moderation.

They take plain arguments, flush and never commit, and raise ParticipationError with a code
that the routes turn into a message. The few reads the public pages need close the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import unescape

import bleach
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.organisations.models import Commune, Organisation
from app.questionnaires import QuestionType
from app.sanitize import text_to_html
from app.users.models import User
from app.web.urls import external_url
from participation.citizen import rules
from participation.citizen.models import (
    Comment,
    ContentStatus,
    Moderation,
    ModerationAction,
    Participant,
    Proposal,
    PublicConsultation,
    QuestionnaireAnswer,
    Report,
    Support,
)

PROPOSAL = "proposal"
COMMENT = "comment"
TARGET_TYPES = (PROPOSAL, COMMENT)
ACTIONS = ("publish", "hide", "restore", "dismiss")


class ParticipationError(Exception):
    """A business rule refused the action; `code` names the message to show."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def html_to_text(html: str) -> str:
    """The words of sanitised HTML, for full-text search."""
    return " ".join(unescape(bleach.clean(html or "", tags=set(), strip=True)).split())


# --- The participant: terms, commune, name shown or not -------------------------------------


def participant_of(user: User) -> Participant | None:
    return db.session.scalar(select(Participant).where(Participant.user_id == user.id))


def has_accepted_terms(user: User) -> bool:
    participant = participant_of(user)
    return participant is not None and participant.terms_accepted_at is not None


def _commune_of_org(org_id: int, commune_id: int | None) -> int | None:
    if commune_id is None:
        return None
    commune = db.session.get(Commune, commune_id)
    if commune is None or commune.organisation_id != org_id:
        raise ParticipationError("unknown_commune")
    return commune.id


def save_participant(
    user: User,
    *,
    commune_id: int | None,
    show_name: bool,
    accept_terms_at: datetime | None = None,
) -> Participant:
    """Record the person's choices; with `accept_terms_at`, their acceptance of the terms."""
    participant = participant_of(user)
    if participant is None:
        participant = Participant(user_id=user.id)
        db.session.add(participant)
    participant.commune_id = _commune_of_org(user.organisation_id, commune_id)
    participant.show_name = bool(show_name)
    if accept_terms_at is not None and participant.terms_accepted_at is None:
        participant.terms_accepted_at = accept_terms_at
    db.session.flush()
    return participant


# --- Contributions -------------------------------------------------------------------------


def _check_open(consultation: PublicConsultation, now: datetime, allowed: bool) -> None:
    if not rules.open_for_contributions(consultation, now):
        raise ParticipationError("closed")
    if not allowed:
        raise ParticipationError("not_allowed_here")


def _check_links(*texts: str) -> None:
    if rules.too_many_links(" ".join(texts)):
        raise ParticipationError("too_many_links", limit=rules.MAX_LINKS)


def _new_status(consultation: PublicConsultation) -> ContentStatus:
    if consultation.moderation is Moderation.PRE:
        return ContentStatus.PENDING
    return ContentStatus.PUBLISHED


@dataclass
class ProposalData:
    title: str
    #: as typed: paragraphs and simple HTML are kept, sanitised
    body: str
    theme_id: int | None = None
    commune_id: int | None = None
    show_name: bool = False


def _theme_of(consultation: PublicConsultation, theme_id: int | None) -> int | None:
    if theme_id is None:
        return None
    if theme_id not in {t.id for t in consultation.themes}:
        raise ParticipationError("unknown_theme")
    return theme_id


def proposal_communes(consultation: PublicConsultation) -> list[Commune]:
    """The communes a proposal may concern: the consultation's, else all the organisation's."""
    from app.organisations.queries import communes_of

    if consultation.communes:
        return sorted(consultation.communes, key=lambda c: c.name)
    org = db.session.get(Organisation, consultation.organisation_id)
    return communes_of(org)


def submit_proposal(
    author: User, consultation: PublicConsultation, data: ProposalData, now: datetime, ip: str
) -> Proposal:
    _check_open(consultation, now, consultation.allow_proposals)
    _check_links(data.title, data.body)
    commune_id = data.commune_id
    if commune_id is not None and commune_id not in {c.id for c in proposal_communes(consultation)}:
        raise ParticipationError("unknown_commune")
    body = text_to_html(data.body)
    proposal = Proposal(
        consultation_id=consultation.id,
        consultation=consultation,
        author_id=author.id,
        show_name=data.show_name,
        theme_id=_theme_of(consultation, data.theme_id),
        commune_id=commune_id,
        title=data.title.strip(),
        body=body,
        body_text=html_to_text(body),
        status=_new_status(consultation),
        ip_address=ip,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def add_comment(
    author: User, proposal: Proposal, body: str, show_name: bool, now: datetime, ip: str
) -> Comment:
    consultation = proposal.consultation
    _check_open(consultation, now, consultation.allow_comments)
    if proposal.status is not ContentStatus.PUBLISHED:
        raise ParticipationError("not_published")
    _check_links(body)
    comment = Comment(
        proposal_id=proposal.id,
        proposal=proposal,
        author_id=author.id,
        show_name=show_name,
        body=text_to_html(body),
        status=_new_status(consultation),
        ip_address=ip,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def support(user: User, proposal: Proposal, now: datetime) -> Support:
    """One support per person: the unique constraint refuses a second one, even one sent at
    the same moment (IntegrityError at flush, or at the other transaction's commit)."""
    consultation = proposal.consultation
    _check_open(consultation, now, consultation.allow_supports)
    if proposal.status is not ContentStatus.PUBLISHED:
        raise ParticipationError("not_published")
    if user_supports(user, proposal):
        raise ParticipationError("already_supported")
    given = Support(proposal_id=proposal.id, user_id=user.id, created_at=now)
    db.session.add(given)
    db.session.flush()
    _count_supports(proposal, +1)
    return given


def withdraw_support(user: User, proposal: Proposal, now: datetime) -> None:
    consultation = proposal.consultation
    _check_open(consultation, now, consultation.allow_supports)
    removed = db.session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ).rowcount
    if not removed:
        raise ParticipationError("not_supported")
    _count_supports(proposal, -removed)


def _count_supports(proposal: Proposal, change: int) -> None:
    """Kept in step in the same transaction, computed by the database (no lost update)."""
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id)
        .values(support_count=Proposal.support_count + change),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(proposal, ["support_count"])


def set_name_shown(user: User, contribution: Proposal | Comment, show_name: bool) -> None:
    if contribution.author_id != user.id:
        raise ParticipationError("not_author")
    contribution.show_name = bool(show_name)
    db.session.flush()


def questionnaire_questions(consultation: PublicConsultation) -> list:
    """The questions a participant answers on the public page (files are not asked for)."""
    return [q for q in consultation.questions if q.type is not QuestionType.FILE]


def save_answers(
    user: User, consultation: PublicConsultation, answers: dict, now: datetime
) -> QuestionnaireAnswer:
    """Create or replace the person's answers; they may change them during the phase."""
    _check_open(consultation, now, consultation.allow_questionnaire)
    missing = [
        q.label
        for q in questionnaire_questions(consultation)
        if q.required and q.key not in answers
    ]
    if missing:
        raise ParticipationError("answers_missing", questions=missing)
    answer = questionnaire_answer(consultation, user)
    if answer is None:
        answer = QuestionnaireAnswer(consultation_id=consultation.id, user_id=user.id)
        db.session.add(answer)
    participant = participant_of(user)
    answer.commune_id = participant.commune_id if participant else None
    answer.answers = dict(answers)
    db.session.flush()
    return answer


# --- Reports and moderation --------------------------------------------------------------


def report(
    reporter: User | None,
    consultation: PublicConsultation,
    target_type: str,
    target: Proposal | Comment,
    reason: str,
    ip: str,
) -> Report:
    """Anyone may report published content, signed in or not."""
    if target.status is not ContentStatus.PUBLISHED:
        raise ParticipationError("not_published")
    created = Report(
        organisation_id=consultation.organisation_id,
        target_type=target_type,
        target_id=target.id,
        reporter_id=getattr(reporter, "id", None),
        reason=reason.strip(),
        ip_address=ip,
    )
    db.session.add(created)
    db.session.flush()
    return created


_TRANSITIONS = {
    "publish": ({ContentStatus.PENDING}, ContentStatus.PUBLISHED),
    "hide": ({ContentStatus.PENDING, ContentStatus.PUBLISHED}, ContentStatus.HIDDEN),
    "restore": ({ContentStatus.HIDDEN}, ContentStatus.PUBLISHED),
}
REASON_REQUIRED = ("hide", "restore")


def moderate(
    moderator: User,
    consultation: PublicConsultation,
    target_type: str,
    target: Proposal | Comment,
    action: str,
    reason: str,
    now: datetime,
) -> ModerationAction:
    """Publish, hide or restore a proposal or comment, or dismiss its reports; the open
    reports on it are handled either way, and the action is logged and audited."""
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ParticipationError("reason_required")
    if action == "dismiss":
        if not open_reports(target_type, [target.id]):
            raise ParticipationError("no_open_report")
    else:
        allowed_from, new_status = _TRANSITIONS[action]
        if target.status not in allowed_from:
            raise ParticipationError("wrong_status")
        target.status = new_status
    db.session.execute(
        update(Report)
        .where(
            Report.target_type == target_type,
            Report.target_id == target.id,
            Report.handled_at.is_(None),
        )
        .values(handled_at=now),
        execution_options={"synchronize_session": False},
    )
    logged = ModerationAction(
        organisation_id=consultation.organisation_id,
        target_type=target_type,
        target_id=target.id,
        action=action,
        reason=reason,
        moderator_id=moderator.id,
        created_at=now,
    )
    db.session.add(logged)
    org = db.session.get(Organisation, consultation.organisation_id)
    label = target.title if target_type == PROPOSAL else target.proposal.title
    record(
        moderator,
        org,
        f"participation.{target_type}_{action}",
        target,
        {"reason": reason, "title": label, "consultation": consultation.title},
    )
    if action in ("publish", "hide"):
        _tell_author(consultation, target_type, target, action, reason, org)
    db.session.flush()
    return logged


def _tell_author(consultation, target_type, target, action, reason, org) -> None:
    author = target.author
    if author is None or not author.active:
        return
    proposal = target if target_type == PROPOSAL else target.proposal
    queue_email(
        author.email,
        f"participation/{target_type}_{action}",
        organisation=org,
        locale=author.locale,
        user=author,
        consultation=consultation,
        proposal=proposal,
        reason=reason,
        link=external_url(org, "citizen.proposal", slug=consultation.slug, proposal_id=proposal.id),
        terms_link=external_url(org, "citizen.terms"),
    )


# --- Reads for the public pages -------------------------------------------------------------


def comment_in(consultation: PublicConsultation, comment_id: int) -> Comment | None:
    return db.session.scalar(
        select(Comment)
        .join(Proposal, Comment.proposal_id == Proposal.id)
        .where(Comment.id == comment_id, Proposal.consultation_id == consultation.id)
    )


def published_comments(proposal: Proposal) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.proposal_id == proposal.id, Comment.status == ContentStatus.PUBLISHED)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def user_supports(user: User, proposal: Proposal) -> bool:
    return (
        db.session.scalar(
            select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
        )
        is not None
    )


def questionnaire_answer(
    consultation: PublicConsultation, user: User
) -> QuestionnaireAnswer | None:
    return db.session.scalar(
        select(QuestionnaireAnswer).where(
            QuestionnaireAnswer.consultation_id == consultation.id,
            QuestionnaireAnswer.user_id == user.id,
        )
    )


def contributions_of(user: User) -> tuple[list[Proposal], list[Comment]]:
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.author_id == user.id)
        .options(selectinload(Proposal.consultation))
        .order_by(Proposal.created_at.desc())
    )
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.author_id == user.id)
        .options(selectinload(Comment.proposal))
        .order_by(Comment.created_at.desc())
    )
    return list(proposals), list(comments)


def open_reports(target_type: str, ids: list[int]) -> dict[int, list[Report]]:
    found: dict[int, list[Report]] = {}
    if not ids:
        return found
    for item in db.session.scalars(
        select(Report)
        .where(
            Report.target_type == target_type,
            Report.target_id.in_(ids),
            Report.handled_at.is_(None),
        )
        .order_by(Report.created_at)
    ):
        found.setdefault(item.target_id, []).append(item)
    return found


def moderation_log(target_type: str, target_id: int) -> list[ModerationAction]:
    return list(
        db.session.scalars(
            select(ModerationAction)
            .where(
                ModerationAction.target_type == target_type,
                ModerationAction.target_id == target_id,
            )
            .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        )
    )


@dataclass
class QueueItem:
    target_type: str
    target: Proposal | Comment
    proposal: Proposal
    reports: list[Report]


QUEUE_TABS = ("pending", "reported", "hidden")


def _queue_filter(query, org: Organisation, target_type: str, tab: str):
    model = Proposal if target_type == PROPOSAL else Comment
    if model is Comment:
        query = query.join(Proposal, Comment.proposal_id == Proposal.id)
    query = query.join(PublicConsultation, Proposal.consultation_id == PublicConsultation.id)
    query = query.where(PublicConsultation.organisation_id == org.id)
    if tab == "reported":
        reported = select(Report.target_id).where(
            Report.organisation_id == org.id,
            Report.target_type == target_type,
            Report.handled_at.is_(None),
        )
        return query.where(model.id.in_(reported))
    status = ContentStatus.PENDING if tab == "pending" else ContentStatus.HIDDEN
    return query.where(model.status == status)


def moderation_queue(org: Organisation, tab: str, limit: int = 200) -> list[QueueItem]:
    """Pending, reported (with their open reports) or hidden content, oldest first."""
    items: list[QueueItem] = []
    for target_type, model in ((PROPOSAL, Proposal), (COMMENT, Comment)):
        query = _queue_filter(select(model), org, target_type, tab).options(
            selectinload(Proposal.consultation)
            if model is Proposal
            else selectinload(Comment.proposal).selectinload(Proposal.consultation)
        )
        rows = list(db.session.scalars(query.order_by(model.created_at).limit(limit)))
        reports = open_reports(target_type, [r.id for r in rows])
        for row in rows:
            proposal = row if model is Proposal else row.proposal
            items.append(QueueItem(target_type, row, proposal, reports.get(row.id, [])))
    return sorted(items, key=lambda i: i.target.created_at)


def pending_count(org: Organisation) -> int:
    """Proposals and comments awaiting moderation: one query (two counts in one statement),
    for the menu's badge."""
    counts = [
        _queue_filter(select(func.count(model.id)), org, target_type, "pending").scalar_subquery()
        for target_type, model in ((PROPOSAL, Proposal), (COMMENT, Comment))
    ]
    return db.session.scalar(select(counts[0] + counts[1])) or 0


def queue_counts(org: Organisation) -> dict[str, int]:
    counts = {}
    for tab in QUEUE_TABS[:2]:
        counts[tab] = sum(
            db.session.scalar(_queue_filter(select(func.count(model.id)), org, target_type, tab))
            or 0
            for target_type, model in ((PROPOSAL, Proposal), (COMMENT, Comment))
        )
    return counts
