"""Reads of the conseil de développement; the only place that filters by organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.db import db
from app.organisations.models import Organisation
from app.users.models import Membership, Role, User
from participation.council import rules
from participation.council.models import (
    Contribution,
    ContributionAuthor,
    ContributionStatus,
    ContributionVersion,
    ContributionVote,
    CouncilFunction,
    CouncilOffice,
    FollowUp,
    FollowUpStatus,
    Referral,
)
from participation.council.permissions import DevelopmentCouncil

# --- the council and its members ------------------------------------------------------------


def offices_of(org: Organisation) -> list[CouncilOffice]:
    return list(
        db.session.scalars(
            select(CouncilOffice)
            .where(CouncilOffice.organisation_id == org.id)
            .order_by(CouncilOffice.function.desc(), CouncilOffice.id)
        )
    )


def council_of(org: Organisation) -> DevelopmentCouncil:
    offices = offices_of(org)
    president = next((o.user_id for o in offices if o.function is CouncilFunction.PRESIDENT), None)
    bureau = frozenset(o.user_id for o in offices if o.function is CouncilFunction.BUREAU)
    return DevelopmentCouncil(org.id, president, bureau)


def _with_role(org_id: int, role: Role) -> Select:
    return (
        select(User)
        .where(
            User.organisation_id == org_id,
            User.active.is_(True),
            User.memberships.any(Membership.role == role),
        )
        .order_by(func.lower(User.display_name), User.id)
    )


def members_of(org: Organisation) -> list[User]:
    """The council's members: the active people with the role development_council_member."""
    return list(db.session.scalars(_with_role(org.id, Role.DEVELOPMENT_COUNCIL_MEMBER)))


def member_in(org: Organisation, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    query = _with_role(org.id, Role.DEVELOPMENT_COUNCIL_MEMBER).where(User.id == user_id)
    return db.session.scalar(query)


def admins_of(org_id: int) -> list[User]:
    return list(db.session.scalars(_with_role(org_id, Role.ADMIN)))


# --- referrals ------------------------------------------------------------------------------


def referral_in(org: Organisation, referral_id: int) -> Referral | None:
    return db.session.scalar(
        select(Referral).where(Referral.organisation_id == org.id, Referral.id == referral_id)
    )


@dataclass
class ReferralRow:
    referral: Referral
    contributions: int


def referrals_of(org: Organisation) -> list[ReferralRow]:
    counted = (
        select(func.count(Contribution.id))
        .where(Contribution.referral_id == Referral.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Referral, counted)
        .where(Referral.organisation_id == org.id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    )
    return [ReferralRow(referral, n) for referral, n in rows]


def contributions_on(referral: Referral) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.referral_id == referral.id)
            .order_by(Contribution.created_at)
        )
    )


# --- contributions --------------------------------------------------------------------------


def contribution_in(org: Organisation, contribution_id: int) -> Contribution | None:
    return db.session.scalar(
        select(Contribution)
        .where(Contribution.organisation_id == org.id, Contribution.id == contribution_id)
        .options(selectinload(Contribution.authors), joinedload(Contribution.follow_up))
    )


def contributions_of(org: Organisation) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.organisation_id == org.id)
            .options(joinedload(Contribution.follow_up), joinedload(Contribution.referral))
            .order_by(Contribution.updated_at.desc(), Contribution.id.desc())
        )
    )


def version_of(contribution: Contribution, number: int | None) -> ContributionVersion | None:
    return next((v for v in contribution.versions if v.number == number), None)


def vote_of(contribution: Contribution, user: User) -> ContributionVote | None:
    return db.session.scalar(
        select(ContributionVote).where(
            ContributionVote.contribution_id == contribution.id,
            ContributionVote.user_id == user.id,
        )
    )


def votes_of(contribution: Contribution) -> list[ContributionVote]:
    return list(
        db.session.scalars(
            select(ContributionVote)
            .join(User, User.id == ContributionVote.user_id)
            .where(ContributionVote.contribution_id == contribution.id)
            .order_by(func.lower(User.display_name))
        )
    )


def open_votes_for(org: Organisation, user: User) -> list[Contribution]:
    """Contributions put to the vote on which `user` has not voted yet."""
    voted = select(ContributionVote.contribution_id).where(ContributionVote.user_id == user.id)
    return list(
        db.session.scalars(
            select(Contribution)
            .where(
                Contribution.organisation_id == org.id,
                Contribution.status == ContributionStatus.VOTING,
                Contribution.id.not_in(voted),
            )
            .order_by(Contribution.vote_opened_at)
        )
    )


def drafts_of(org: Organisation, user: User) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .join(ContributionAuthor)
            .where(
                Contribution.organisation_id == org.id,
                Contribution.status == ContributionStatus.DRAFT,
                ContributionAuthor.user_id == user.id,
            )
            .order_by(Contribution.updated_at.desc())
        )
    )


def follow_ups_to_answer(org: Organisation) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .join(FollowUp)
            .where(
                Contribution.organisation_id == org.id,
                FollowUp.status == FollowUpStatus.PENDING,
            )
            .options(joinedload(Contribution.follow_up))
            .order_by(FollowUp.due_on, Contribution.id)
        )
    )


# --- public pages ---------------------------------------------------------------------------


def public_query(org: Organisation, overdue_on: date | None = None) -> Select:
    """Transmitted contributions with their follow-up; only the overdue ones if `overdue_on`
    (today in Paris) is given."""
    query = (
        select(Contribution)
        .where(
            Contribution.organisation_id == org.id,
            Contribution.status == ContributionStatus.TRANSMITTED,
        )
        .options(joinedload(Contribution.follow_up), joinedload(Contribution.referral))
        .order_by(Contribution.transmitted_at.desc(), Contribution.id.desc())
    )
    if overdue_on is not None:
        query = query.join(FollowUp).where(
            FollowUp.status == FollowUpStatus.PENDING, FollowUp.due_on < overdue_on
        )
    return query


def public_contribution(org: Organisation, contribution_id: int) -> Contribution | None:
    return db.session.scalar(
        public_query(org).where(Contribution.id == contribution_id).order_by(None)
    )


# --- annual report --------------------------------------------------------------------------


@dataclass
class AttendanceLine:
    name: str
    votes: int
    of: int
    member: bool


@dataclass
class AnnualReport:
    organisation: Organisation
    year: int
    now: datetime
    referrals: list[Referral] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    follow_ups: list[Contribution] = field(default_factory=list)
    votes: list[Contribution] = field(default_factory=list)
    attendance: list[AttendanceLine] = field(default_factory=list)


def annual_report(org: Organisation, year: int, now: datetime) -> AnnualReport:
    start, end = rules.year_bounds(year)
    report = AnnualReport(org, year, now)
    report.referrals = list(
        db.session.scalars(
            select(Referral)
            .where(
                Referral.organisation_id == org.id,
                Referral.created_at >= start,
                Referral.created_at < end,
            )
            .order_by(Referral.created_at)
        )
    )
    answered_in_year = select(FollowUp.contribution_id).where(
        FollowUp.answered_at >= start, FollowUp.answered_at < end
    )
    active = list(
        db.session.scalars(
            select(Contribution)
            .where(
                Contribution.organisation_id == org.id,
                or_(
                    Contribution.created_at.between(start, end),
                    Contribution.vote_closed_at.between(start, end),
                    Contribution.transmitted_at.between(start, end),
                    Contribution.id.in_(answered_in_year),
                ),
            )
            .options(joinedload(Contribution.follow_up), joinedload(Contribution.referral))
            .order_by(Contribution.created_at, Contribution.id)
        ).unique()
    )
    report.contributions = [
        c
        for c in active
        if any(
            rules.in_year(moment, year)
            for moment in (c.created_at, c.vote_closed_at, c.transmitted_at)
        )
    ]
    report.follow_ups = [
        c
        for c in active
        if c.follow_up is not None
        and (rules.in_year(c.transmitted_at, year) or rules.in_year(c.follow_up.answered_at, year))
    ]
    report.votes = [c for c in active if rules.in_year(c.vote_closed_at, year)]
    report.attendance = _attendance(org, report.votes)
    return report


def _attendance(org: Organisation, votes: list[Contribution]) -> list[AttendanceLine]:
    ids = [c.id for c in votes]
    voters: dict[int, set[int]] = {c.id: set() for c in votes}
    if ids:
        rows = db.session.execute(
            select(ContributionVote.contribution_id, ContributionVote.user_id).where(
                ContributionVote.contribution_id.in_(ids)
            )
        )
        for contribution_id, user_id in rows:
            voters[contribution_id].add(user_id)
    members = {u.id: u for u in members_of(org)}
    counts = rules.attendance(members, voters)
    others = set(counts) - set(members)
    people = dict(members)
    if others:
        people.update(
            {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(others)))}
        )
    lines = [
        AttendanceLine(people[uid].display_name, n, len(ids), uid in members)
        for uid, n in counts.items()
    ]
    return sorted(lines, key=lambda line: line.name.casefold())
