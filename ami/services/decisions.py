"""The jury's deliberation: the ranking, the decisions within the envelope and their
notification to the associations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Label, func, select

from ami import rules
from ami.messages import error_messages
from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    Association,
    CoFunder,
    Criterion,
    Decision,
    InterestDeclaration,
    JuryMember,
    Outcome,
    Score,
    Track,
    application_partner,
    application_qpv,
)
from ami.services.common import AmiError
from app.audit.services import record
from app.db import db
from app.i18n import _
from app.mail.services import Attachment, queue_email
from app.users.models import Membership, Role, User


@error_messages
def _messages(params: dict) -> dict[str, str]:
    bounds = {
        "requested": _("le montant demandé"),
        "ceiling": _("le plafond par candidature de l'appel"),
        "rate": _("le taux de financement de %(rate)s %% du budget", rate=params.get("rate")),
    }
    return {
        "deliberation_closed": _("La délibération n'est pas encore ouverte."),
        "deliberation_open": _("La délibération est déjà ouverte."),
        "not_eligible": _("Seules les candidatures recevables reçoivent une décision."),
        "already_notified": _("La décision a déjà été notifiée : elle n'est plus modifiable."),
        "amount_required": _("Indiquez le montant attribué."),
        "above_max": _(
            "Le montant ne peut pas dépasser %(max)s : c'est la limite fixée par %(bound)s.",
            max=params.get("max", ""),
            bound=bounds.get(params.get("limited_by"), ""),
        ),
        "co_funded_above_granted": _(
            "La part du cofinanceur ne peut pas dépasser le montant attribué."
        ),
        "co_funder_exceeded": _(
            "La part de %(name)s dépasserait son apport (%(amount)s, dont %(used)s déjà engagés).",
            name=params.get("name", ""),
            amount=params.get("amount", ""),
            used=params.get("used", ""),
        ),
        "co_funder_required": _("Choisissez le cofinanceur de cette part."),
        "envelope_exceeded": _(
            "Ce montant porterait le total attribué à %(total)s, au-delà de l'enveloppe de "
            "%(envelope)s.",
            total=params.get("total", ""),
            envelope=params.get("envelope", ""),
        ),
        "nothing_to_notify": _("Aucune décision à notifier."),
    }


def _euros(cents: int) -> str:
    from ami.routes import euros

    return euros(cents)


# --- the deliberation -----------------------------------------------------------------------


def open_deliberation(actor, call: AmiCall, now) -> None:
    if call.deliberation_opened_at is not None:
        raise AmiError("deliberation_open")
    call.deliberation_opened_at = now
    db.session.flush()
    record(actor, actor.organisation, "ami.deliberation_open", call)


@dataclass(frozen=True)
class CoFunderUse:
    co_funder: CoFunder
    used_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.co_funder.amount_cents - self.used_cents


@dataclass(frozen=True)
class Totals:
    envelope_cents: int
    committed_cents: int
    co_funders: list[CoFunderUse] = field(default_factory=list)

    @property
    def remaining_cents(self) -> int:
        return self.envelope_cents - self.committed_cents

    @property
    def state(self) -> str:
        return rules.envelope_state(self.envelope_cents, self.committed_cents)


def totals(call: AmiCall, exclude_application_id: int | None = None) -> Totals:
    """The sum granted to funded applications against the envelope, and each co-funder's
    share used (two queries)."""
    query = (
        select(func.coalesce(func.sum(Decision.granted_cents), 0))
        .join(Application, Decision.application_id == Application.id)
        .where(Application.call_id == call.id, Decision.outcome == Outcome.FUNDED)
    )
    used_query = (
        select(Decision.co_funder_id, func.sum(Decision.co_funded_cents))
        .join(Application, Decision.application_id == Application.id)
        .where(
            Application.call_id == call.id,
            Decision.outcome == Outcome.FUNDED,
            Decision.co_funder_id.is_not(None),
        )
        .group_by(Decision.co_funder_id)
    )
    if exclude_application_id is not None:
        query = query.where(Application.id != exclude_application_id)
        used_query = used_query.where(Application.id != exclude_application_id)
    committed = int(db.session.scalar(query) or 0)
    used = {k: int(v or 0) for k, v in db.session.execute(used_query)}
    return Totals(
        call.budget_envelope_cents,
        committed,
        [CoFunderUse(cf, used.get(cf.id, 0)) for cf in call.co_funders],
    )


@dataclass(frozen=True)
class DecisionLine:
    """What the ranking shows of a decision."""

    outcome: Outcome
    granted_cents: int
    notified_at: datetime | None


@dataclass(frozen=True)
class RankedApplication:
    """An eligible application as the ranking reads it: the columns shown and those the
    funding computation needs, with its partners and QPVs counted in SQL (a read model: no
    ORM object, none of the application's relationships)."""

    id: int
    number: str | None
    title: str
    association_name: str
    track: Track
    theme_id: int | None
    women_share: int | None
    budget_total_cents: int | None
    requested_cents: int | None
    partner_count: int
    qpv_count: int
    decision: DecisionLine | None


@dataclass(frozen=True)
class RankingRow:
    position: int
    ranked: rules.Ranked
    funding: rules.Funding
    #: members without a conflict of interest on it
    eligible_jurors: int
    conflicts: int

    @property
    def application(self) -> RankedApplication:
        return self.ranked.application


def _count_of(table, column) -> Label[int]:
    return (
        select(func.count())
        .select_from(table)
        .where(table.c.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
        .label(f"{column}_count")
    )


def ranked_applications(call: AmiCall) -> list[RankedApplication]:
    """The call's eligible applications as read models, in the order of
    number then id (one query)."""
    rows = db.session.execute(
        select(
            Application.id,
            Application.number,
            Application.title,
            Association.name,
            Application.track,
            Application.theme_id,
            Application.women_share,
            Application.budget_total_cents,
            Application.requested_cents,
            _count_of(application_partner, "partner"),
            _count_of(application_qpv, "qpv"),
            Decision.id,
            Decision.outcome,
            Decision.granted_cents,
            Decision.notified_at,
        )
        .join(Association, Association.id == Application.association_id)
        .outerjoin(Decision, Decision.application_id == Application.id)
        .where(
            Application.call_id == call.id,
            Application.status == ApplicationStatus.ELIGIBLE,
        )
        .order_by(Application.number, Application.id)
    ).all()
    return [
        RankedApplication(
            *row[:11],
            decision=DecisionLine(row[12], row[13], row[14]) if row[11] is not None else None,
        )
        for row in rows
    ]


def member_means(call: AmiCall) -> dict[int, list[float | None]]:
    """Each member's weighted mean on each application of the call, summed in SQL over the
    criteria of the call's grid they scored: application id -> [mean, ...]."""
    weighted = func.sum(Score.value * Criterion.weight)
    weight = func.sum(Criterion.weight)
    rows = db.session.execute(
        select(Score.application_id, weighted, weight)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Application, Application.id == Score.application_id)
        .where(
            Criterion.call_id == call.id,
            Application.call_id == call.id,
            Application.status == ApplicationStatus.ELIGIBLE,
        )
        .group_by(Score.application_id, Score.jury_member_id)
        .order_by(Score.application_id, Score.jury_member_id)
    )
    means: dict[int, list[float | None]] = {}
    for application_id, weighted_sum, weight_sum in rows:
        means.setdefault(application_id, []).append(
            rules.weighted_mean(int(weighted_sum or 0), int(weight_sum or 0))
        )
    return means


def ranking(call: AmiCall) -> list[RankingRow]:
    """Eligible applications by weighted mean, with the spread, the scorers, the conflicts and
    the funding computation (four queries, plus the call's bonus rules once)."""
    applications = ranked_applications(call)
    conflicts: dict[int, int] = {}
    means: dict[int, list[float | None]] = {}
    if applications:
        means = member_means(call)
        conflicts = dict(
            db.session.execute(
                select(InterestDeclaration.application_id, func.count(InterestDeclaration.id))
                .join(Application, Application.id == InterestDeclaration.application_id)
                .where(
                    Application.call_id == call.id,
                    Application.status == ApplicationStatus.ELIGIBLE,
                    InterestDeclaration.conflict_of_interest.is_(True),
                )
                .group_by(InterestDeclaration.application_id)
            ).all()
        )
    jurors = db.session.scalar(
        select(func.count(JuryMember.id)).where(JuryMember.call_id == call.id)
    )
    rows = []
    for position, ranked in enumerate(rules.rank_member_totals(applications, means), start=1):
        application = ranked.application
        rows.append(
            RankingRow(
                position,
                ranked,
                rules.funding(
                    call,
                    application,
                    partner_count=application.partner_count,
                    qpv_count=application.qpv_count,
                ),
                (jurors or 0) - conflicts.get(application.id, 0),
                conflicts.get(application.id, 0),
            )
        )
    return rows


# --- decisions ------------------------------------------------------------------------------


@dataclass
class DecisionData:
    outcome: Outcome
    granted_cents: int | None = None
    co_funder: CoFunder | None = None
    co_funded_cents: int | None = None
    motivation: str = ""
    advice: str = ""
    referral_note: str = ""
    introductions: list[Association] = field(default_factory=list)


def _check_amounts(application: Application, data: DecisionData, confirm_overrun: bool):
    """The amount within the funding rules, the co-funder's share and the envelope; returns
    whether the envelope is overrun (confirmed)."""
    call = application.call
    allowed = rules.funding(call, application)
    granted = data.granted_cents or 0
    if granted <= 0:
        raise AmiError("amount_required")
    if granted > allowed.max_cents:
        raise AmiError(
            "above_max",
            max=_euros(allowed.max_cents),
            limited_by=allowed.limited_by,
            rate=allowed.rate,
        )
    co_funded = data.co_funded_cents or 0
    if co_funded and data.co_funder is None:
        raise AmiError("co_funder_required")
    if co_funded > granted:
        raise AmiError("co_funded_above_granted")
    current = totals(call, exclude_application_id=application.id)
    if data.co_funder is not None and co_funded:
        use = next(u for u in current.co_funders if u.co_funder.id == data.co_funder.id)
        if use.used_cents + co_funded > data.co_funder.amount_cents:
            raise AmiError(
                "co_funder_exceeded",
                name=data.co_funder.name,
                amount=_euros(data.co_funder.amount_cents),
                used=_euros(use.used_cents),
            )
    state = rules.envelope_state(current.envelope_cents, current.committed_cents, granted)
    if state == "exceeded":
        if not confirm_overrun:
            raise AmiError(
                "envelope_exceeded",
                total=_euros(current.committed_cents + granted),
                envelope=_euros(current.envelope_cents),
            )
        return current.committed_cents + granted - current.envelope_cents
    return 0


def record_decision(
    actor, application: Application, data: DecisionData, *, confirm_overrun: bool = False
) -> Decision:
    """Record (or change, until notified) the decision on an eligible application."""
    call = application.call
    if call.deliberation_opened_at is None:
        raise AmiError("deliberation_closed")
    if application.status != ApplicationStatus.ELIGIBLE:
        raise AmiError("not_eligible")
    decision = application.decision
    if decision is not None and decision.notified_at is not None:
        raise AmiError("already_notified")
    overrun = 0
    if data.outcome is Outcome.FUNDED:
        overrun = _check_amounts(application, data, confirm_overrun)
    if decision is None:
        decision = Decision(application_id=application.id, application=application)
        db.session.add(decision)
    funded = data.outcome is Outcome.FUNDED
    decision.outcome = data.outcome
    decision.granted_cents = (data.granted_cents or 0) if funded else 0
    decision.co_funder_id = data.co_funder.id if funded and data.co_funder else None
    decision.co_funded_cents = (data.co_funded_cents or 0) if decision.co_funder_id else 0
    decision.motivation = data.motivation.strip()
    decision.advice = data.advice.strip()
    decision.referral_note = (
        data.referral_note.strip() if data.outcome is Outcome.REDIRECTED else ""
    )
    decision.introductions = [a for a in data.introductions if a.id != application.association_id]
    decision.decided_by_id = actor.id
    db.session.flush()
    details = {
        "application_id": application.id,
        "outcome": str(data.outcome),
        "granted_cents": decision.granted_cents,
    }
    record(actor, actor.organisation, "ami.decision", decision.application, details)
    if overrun:
        record(
            actor,
            actor.organisation,
            "ami.envelope_overrun",
            call,
            {"application_id": application.id, "overrun_cents": overrun},
        )
    return decision


# --- notification ---------------------------------------------------------------------------


def recipients(association: Association) -> list[User]:
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
        ).unique()
    )


def pending_count(call: AmiCall) -> int:
    """How many decisions of the call wait to be notified (one query)."""
    return (
        db.session.scalar(
            select(func.count(Decision.id))
            .join(Application, Decision.application_id == Application.id)
            .where(Application.call_id == call.id, Decision.notified_at.is_(None))
        )
        or 0
    )


def pending_decisions(call: AmiCall) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .join(Application, Decision.application_id == Application.id)
            .where(Application.call_id == call.id, Decision.notified_at.is_(None))
            .order_by(Application.number, Application.id)
        )
    )


def notify_decisions(actor, call: AmiCall, now) -> int:
    """E-mail every decision not yet notified, with its letter; returns how many."""
    from ami.letter_pdf import decision_letter, letter_filename
    from app.web.urls import external_url

    decisions = pending_decisions(call)
    if not decisions:
        raise AmiError("nothing_to_notify")
    org = actor.organisation
    for decision in decisions:
        application = decision.application
        decision.notified_at = now
        pdf = decision_letter(decision, org)
        attachment = Attachment(letter_filename(application), "application/pdf", pdf)
        people = recipients(application.association)
        addresses = [(p.email, p.locale, p.display_name) for p in people]
        if not addresses and application.association.contact_email:
            addresses = [
                (
                    application.association.contact_email,
                    "fr",
                    application.association.contact_name,
                )
            ]
        link = external_url(org, "ami.application_decision", application_id=application.id)
        for address, locale, name in addresses:
            queue_email(
                address,
                "ami/decision_notified",
                organisation=org,
                locale=locale or "fr",
                attachments=[attachment],
                name=name,
                application=application,
                decision=decision,
                amount=_euros(decision.granted_cents),
                link=link,
            )
        record(
            actor,
            org,
            "ami.decision_notify",
            application,
            {"outcome": str(decision.outcome), "recipients": len(addresses)},
        )
    db.session.flush()
    return len(decisions)
