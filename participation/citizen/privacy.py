"""Personal data of participants: their download, the deletion of their account, and the
retention of IP addresses.

Deleting an account keeps the user row, anonymised and deactivated, so that every foreign key
to it stays valid (audit entries, outbox, other domains' tables): the e-mail address, name and
password are erased, the roles, tokens and participant choices deleted. Contributions stay,
anonymous (author set to NULL, "Contributeur anonyme"); supports stay counted.

IP addresses are kept for a year (PARTICIPATION_IP_RETENTION_DAYS): the hosting law (LCEN,
décret 2021-1362) asks for the identification data of those who post content to be kept that
long, so deleting an account does not erase them earlier; `flask participation purge-ips`
erases them afterwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from app.audit.models import AuditEntry
from app.audit.services import record
from app.db import db
from app.mail.models import OutboxEmail
from app.questionnaires.answers import display
from app.users.models import AuthToken, Membership, Role, User, new_session_token
from app.users.passwords import verify_password
from participation.citizen.models import (
    Comment,
    ConsultationQuestion,
    Participant,
    Proposal,
    PublicConsultation,
    QuestionnaireAnswer,
    Report,
    Support,
)
from participation.citizen.services import ParticipationError

DELETED_NAME = "Compte supprimé"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User) -> dict:
    """Everything the platform holds about this participant, as JSON-ready data."""
    participant = db.session.scalar(select(Participant).where(Participant.user_id == user.id))
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "locale": user.locale,
            "created_at": _when(user.created_at),
            "email_confirmed_at": _when(user.email_confirmed_at),
            "last_login_at": _when(user.last_login_at),
            "roles": sorted(str(role) for role in user.roles),
        },
        "participant": {
            "terms_accepted_at": _when(participant.terms_accepted_at) if participant else None,
            "commune": participant.commune.name if participant and participant.commune else None,
            "show_name": participant.show_name if participant else False,
        },
        "proposals": [_proposal(p) for p in _authored(Proposal, user)],
        "comments": [_comment(c) for c in _authored(Comment, user)],
        "supports": _supports(user),
        "questionnaire_answers": _answers(user),
        "reports": [
            {
                "target_type": r.target_type,
                "target_id": r.target_id,
                "reason": r.reason,
                "created_at": _when(r.created_at),
                "ip_address": r.ip_address,
            }
            for r in db.session.scalars(
                select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
            )
        ],
    }


def _authored(model, user: User) -> list:
    return list(
        db.session.scalars(select(model).where(model.author_id == user.id).order_by(model.id))
    )


def _proposal(p: Proposal) -> dict:
    return {
        "id": p.id,
        "consultation": p.consultation.title,
        "title": p.title,
        "body": p.body,
        "theme": p.theme.name if p.theme else None,
        "commune": p.commune.name if p.commune else None,
        "status": str(p.status),
        "show_name": p.show_name,
        "support_count": p.support_count,
        "created_at": _when(p.created_at),
        "ip_address": p.ip_address,
    }


def _comment(c: Comment) -> dict:
    return {
        "id": c.id,
        "proposal_id": c.proposal_id,
        "proposal": c.proposal.title,
        "body": c.body,
        "status": str(c.status),
        "show_name": c.show_name,
        "created_at": _when(c.created_at),
        "ip_address": c.ip_address,
    }


def _supports(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Support, Proposal.title)
        .join(Proposal, Support.proposal_id == Proposal.id)
        .where(Support.user_id == user.id)
        .order_by(Support.id)
    )
    return [
        {"proposal_id": s.proposal_id, "proposal": title, "created_at": _when(s.created_at)}
        for s, title in rows
    ]


def _answers(user: User) -> list[dict]:
    result = []
    rows = db.session.execute(
        select(QuestionnaireAnswer, PublicConsultation)
        .join(PublicConsultation, QuestionnaireAnswer.consultation_id == PublicConsultation.id)
        .where(QuestionnaireAnswer.user_id == user.id)
        .order_by(QuestionnaireAnswer.id)
    )
    for answer, consultation in rows:
        questions = {
            q.key: q
            for q in db.session.scalars(
                select(ConsultationQuestion).where(
                    ConsultationQuestion.consultation_id == consultation.id
                )
            )
        }
        result.append(
            {
                "consultation": consultation.title,
                "updated_at": _when(answer.updated_at),
                "answers": [
                    {
                        "question": questions[key].label if key in questions else key,
                        "answer": display(questions[key], value) if key in questions else value,
                    }
                    for key, value in answer.answers.items()
                ],
            }
        )
    return result


def delete_account(user: User, password: str) -> None:
    """Anonymise the account after checking the password; contributions stay, anonymous."""
    if not verify_password(user.password_hash, password or ""):
        raise ParticipationError("wrong_password")
    if not set(user.roles) <= {Role.CITIZEN}:
        raise ParticipationError("account_has_roles")
    org, former_email = user.organisation, user.email
    for model, column in (
        (Proposal, Proposal.author_id),
        (Comment, Comment.author_id),
        (Support, Support.user_id),
        (QuestionnaireAnswer, QuestionnaireAnswer.user_id),
        (Report, Report.reporter_id),
    ):
        db.session.execute(
            update(model).where(column == user.id).values({column.key: None}),
            execution_options={"synchronize_session": False},
        )
    for model, column in (
        (Participant, Participant.user_id),
        (AuthToken, AuthToken.user_id),
        (Membership, Membership.user_id),
    ):
        db.session.execute(delete(model).where(column == user.id))
    db.session.execute(
        delete(OutboxEmail).where(
            OutboxEmail.organisation_id == user.organisation_id,
            OutboxEmail.to_address == former_email,
        )
    )
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.object_type == User.__tablename__, AuditEntry.object_id == user.id)
        .values(object_label=DELETED_NAME),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(user, ["memberships"])
    user.email = f"deleted-{user.id}@invalid"
    user.display_name = DELETED_NAME
    user.password_hash = None
    user.active = False
    user.email_confirmed_at = None
    user.last_login_at = None
    user.session_token = new_session_token()  # every open session ends
    record(user, org, "participation.account_deleted", user)
    db.session.flush()


def purge_ip_addresses(now: datetime, retention_days: int) -> dict[str, int]:
    """Erase the IP addresses older than the retention period; the counts by table."""
    limit = now - timedelta(days=retention_days)
    counts = {}
    for name, model in (("proposals", Proposal), ("comments", Comment), ("reports", Report)):
        counts[name] = db.session.execute(
            update(model)
            .where(model.ip_address.is_not(None), model.created_at < limit)
            .values(ip_address=None),
            execution_options={"synchronize_session": False},
        ).rowcount
    return counts
