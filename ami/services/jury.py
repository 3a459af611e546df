"""The jury: its members and colleges, their declarations of interest and their scores."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, delete, func, select

from ami.messages import error_messages
from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    College,
    InterestDeclaration,
    JuryMember,
    Score,
)
from ami.services.common import AmiError
from app.audit.services import record
from app.db import db
from app.i18n import _
from app.users import services as users
from app.users.models import Role


@error_messages
def _messages(params: dict) -> dict[str, str]:
    return {
        "already_member": _("Cette personne siège déjà dans le jury de cet appel."),
        "other_organisation": _("Cette personne n'appartient pas à l'organisation."),
        "member_has_scores": _(
            "Ce membre a déjà noté des candidatures : il ne peut plus être retiré du jury."
        ),
        "not_eligible": _("Seules les candidatures recevables sont examinées par le jury."),
        "declare_first": _(
            "Déclarez d'abord l'absence ou l'existence d'un lien d'intérêt avec ce porteur."
        ),
        "conflict": _(
            "Vous vous êtes déporté(e) sur cette candidature : vous ne pouvez pas la noter."
        ),
        "conflict_locked": _(
            "La délibération est ouverte : un conflit d'intérêts déclaré ne peut plus être retiré."
        ),
        "bad_score": _("Chaque note va de 0 à 5."),
    }


# --- members --------------------------------------------------------------------------------


def add_member(actor, call: AmiCall, user, college: College) -> JuryMember:
    """Seat a person of the organisation on the call's jury (giving them the jury role)."""
    if user.organisation_id != call.organisation_id:
        raise AmiError("other_organisation")
    existing = db.session.scalar(
        select(JuryMember).where(JuryMember.call_id == call.id, JuryMember.user_id == user.id)
    )
    if existing is not None:
        raise AmiError("already_member")
    if not user.has_role(Role.JURY_MEMBER):
        users.add_role(actor, user, Role.JURY_MEMBER)
    member = JuryMember(call_id=call.id, user_id=user.id, user=user, college=College(college))
    db.session.add(member)
    db.session.flush()
    _tell_seated(actor, call, user, member)
    record(
        actor,
        user.organisation,
        "ami.jury_member_add",
        call,
        {"user_id": user.id, "college": str(college)},
    )
    return member


def _tell_seated(actor, call: AmiCall, user, member: JuryMember) -> None:
    from app.mail.services import queue_email
    from app.web.urls import external_url

    queue_email(
        user.email,
        "ami/jury_seated",
        organisation=user.organisation,
        locale=user.locale or "fr",
        person=user,
        call=call,
        member=member,
        link=external_url(user.organisation, "ami.jury_call", call_id=call.id),
    )


def invite_member(actor, org, call: AmiCall, email: str, name: str, college: College):
    """Invite a new person by e-mail (or find them by address) and seat them on the jury."""
    user = users.invite(actor, org, email, name, Role.JURY_MEMBER)
    return add_member(actor, call, user, college)


def remove_member(actor, member: JuryMember) -> None:
    """Remove a member who has not scored anything yet (with their declarations)."""
    scored = db.session.scalar(
        select(func.count(Score.id)).where(Score.jury_member_id == member.id)
    )
    if scored:
        raise AmiError("member_has_scores")
    call = db.session.get(AmiCall, member.call_id)
    db.session.execute(
        delete(InterestDeclaration).where(InterestDeclaration.jury_member_id == member.id)
    )
    record(
        actor,
        member.user.organisation,
        "ami.jury_member_remove",
        call,
        {"user_id": member.user_id, "college": str(member.college)},
    )
    db.session.delete(member)
    db.session.flush()


@dataclass(frozen=True)
class MemberRow:
    member: JuryMember
    declarations: int
    conflicts: int
    scored_applications: int


def members_of(call: AmiCall) -> list[MemberRow]:
    """The call's jury with each member's counts, in three queries."""
    members = list(
        db.session.scalars(
            select(JuryMember).where(JuryMember.call_id == call.id).order_by(JuryMember.id)
        )
    )
    ids = [m.id for m in members]
    declarations: dict[int, tuple[int, int]] = {}
    scored: dict[int, int] = {}
    if ids:
        rows = db.session.execute(
            select(
                InterestDeclaration.jury_member_id,
                func.count(InterestDeclaration.id),
                func.sum(case((InterestDeclaration.conflict_of_interest.is_(True), 1), else_=0)),
            )
            .where(InterestDeclaration.jury_member_id.in_(ids))
            .group_by(InterestDeclaration.jury_member_id)
        )
        declarations = {m: (n, int(c or 0)) for m, n, c in rows}
        rows = db.session.execute(
            select(Score.jury_member_id, func.count(func.distinct(Score.application_id)))
            .where(Score.jury_member_id.in_(ids))
            .group_by(Score.jury_member_id)
        )
        scored = dict(rows.all())
    return [MemberRow(m, *declarations.get(m.id, (0, 0)), scored.get(m.id, 0)) for m in members]


# --- declarations and scores ----------------------------------------------------------------


def declaration_of(member: JuryMember, application: Application) -> InterestDeclaration | None:
    return db.session.scalar(
        select(InterestDeclaration).where(
            InterestDeclaration.jury_member_id == member.id,
            InterestDeclaration.application_id == application.id,
        )
    )


def _check_eligible(member: JuryMember, application: Application) -> None:
    if application.call_id != member.call_id or application.status != ApplicationStatus.ELIGIBLE:
        raise AmiError("not_eligible")


def declare(
    actor, member: JuryMember, application: Application, conflict: bool, reason: str, now
) -> InterestDeclaration:
    """Declare no link with the applicant, or a conflict of interest (déport): the member's
    scores on it are then deleted. A conflict cannot be withdrawn once the deliberation is
    open."""
    _check_eligible(member, application)
    declaration = declaration_of(member, application)
    call = application.call
    if (
        declaration is not None
        and declaration.conflict_of_interest
        and not conflict
        and call.deliberation_opened_at is not None
    ):
        raise AmiError("conflict_locked")
    if declaration is None:
        declaration = InterestDeclaration(
            jury_member_id=member.id, application_id=application.id, declared_at=now
        )
        db.session.add(declaration)
    declaration.conflict_of_interest = conflict
    declaration.reason = (reason or "").strip()[:500] if conflict else ""
    declaration.declared_at = now
    details = {"application_id": application.id, "conflict": conflict}
    if conflict:
        removed = db.session.execute(
            delete(Score).where(
                Score.jury_member_id == member.id, Score.application_id == application.id
            )
        ).rowcount
        details["scores_deleted"] = removed or 0
    db.session.flush()
    record(
        actor,
        actor.organisation,
        "ami.jury_conflict" if conflict else "ami.jury_no_conflict",
        application,
        details,
    )
    return declaration


def my_scores(member: JuryMember, application: Application) -> dict[int, Score]:
    return {
        s.criterion_id: s
        for s in db.session.scalars(
            select(Score).where(
                Score.jury_member_id == member.id, Score.application_id == application.id
            )
        )
    }


def save_scores(
    actor,
    member: JuryMember,
    application: Application,
    values: dict[int, tuple[int | None, str]],
    now,
) -> int:
    """Upsert the member's scores ({criterion_id: (value 0-5 or None, comment)}); a criterion
    left blank is not stored. Returns how many scores are stored."""
    _check_eligible(member, application)
    declaration = declaration_of(member, application)
    if declaration is None:
        raise AmiError("declare_first")
    if declaration.conflict_of_interest:
        raise AmiError("conflict")
    criteria = {c.id for c in application.call.criteria}
    existing = my_scores(member, application)
    stored = 0
    for criterion_id, (value, comment) in values.items():
        if criterion_id not in criteria:
            continue
        if value is None:
            if criterion_id in existing:
                db.session.delete(existing[criterion_id])
            continue
        if not 0 <= value <= 5:
            raise AmiError("bad_score")
        score = existing.get(criterion_id)
        if score is None:
            score = Score(
                jury_member_id=member.id,
                application_id=application.id,
                criterion_id=criterion_id,
            )
            db.session.add(score)
        score.value = value
        score.comment = (comment or "").strip()
        score.scored_at = now
        stored += 1
    db.session.flush()
    record(
        actor,
        actor.organisation,
        "ami.jury_score",
        application,
        {"member_id": member.id, "scores": stored},
    )
    return stored


def criterion_means(application: Application) -> dict[int, float]:
    """The jury's mean per criterion (shown once the deliberation is open)."""
    rows = db.session.execute(
        select(Score.criterion_id, func.avg(Score.value))
        .where(Score.application_id == application.id)
        .group_by(Score.criterion_id)
    )
    return {c: float(avg) for c, avg in rows}


# --- a member's own view of the call ---------------------------------------------------------


@dataclass(frozen=True)
class MyState:
    application: Application
    #: "declare", "conflict", "score" or "scored"
    state: str
    scored: int
    total: int


def eligible_applications(call: AmiCall) -> list[Application]:
    from sqlalchemy.orm import selectinload

    from ami.models import Hearing

    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.call_id == call.id,
                Application.status == ApplicationStatus.ELIGIBLE,
            )
            .options(selectinload(Application.hearing).joinedload(Hearing.slot))
            .order_by(Application.number, Application.id)
        )
    )


def my_states(member: JuryMember, applications: list[Application], criteria_count: int):
    """One row per application with the member's state, in two queries."""
    ids = [a.id for a in applications]
    conflicts: dict[int, bool] = {}
    counts: dict[int, int] = {}
    if ids:
        conflicts = dict(
            db.session.execute(
                select(
                    InterestDeclaration.application_id, InterestDeclaration.conflict_of_interest
                ).where(
                    InterestDeclaration.jury_member_id == member.id,
                    InterestDeclaration.application_id.in_(ids),
                )
            ).all()
        )
        counts = dict(
            db.session.execute(
                select(Score.application_id, func.count(Score.id))
                .where(Score.jury_member_id == member.id, Score.application_id.in_(ids))
                .group_by(Score.application_id)
            ).all()
        )
    rows = []
    for application in applications:
        scored = counts.get(application.id, 0)
        if application.id not in conflicts:
            state = "declare"
        elif conflicts[application.id]:
            state = "conflict"
        elif criteria_count and scored >= criteria_count:
            state = "scored"
        else:
            state = "score"
        rows.append(MyState(application, state, scored, criteria_count))
    return rows


def seats_of(user) -> list[tuple[JuryMember, AmiCall]]:
    """The calls where the person sits on the jury, with their seat (newest first)."""
    return [
        (member, call)
        for member, call in db.session.execute(
            select(JuryMember, AmiCall)
            .join(AmiCall, JuryMember.call_id == AmiCall.id)
            .where(JuryMember.user_id == user.id, AmiCall.organisation_id == user.organisation_id)
            .order_by(AmiCall.year.desc(), AmiCall.id.desc())
        )
    ]
