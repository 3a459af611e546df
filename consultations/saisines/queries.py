"""Reads of saisines; the only place that filters them by organisation or commune."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased, lazyload, selectinload

from app.db import db
from app.organisations.models import Commune, Organisation, Sector
from app.users.models import Membership, Role, User
from app.web.pagination import Page, count_rows
from consultations.saisines import rules
from consultations.saisines.models import (
    ResponseStatus,
    Saisine,
    SaisineResponse,
    SaisineStatus,
    SaisineTarget,
    SignatureDelegation,
)


def saisine_in(org: Organisation, saisine_id: int) -> Saisine | None:
    return db.session.scalar(
        select(Saisine).where(Saisine.organisation_id == org.id, Saisine.id == saisine_id)
    )


def reference_taken(org: Organisation, reference: str, except_id: int | None = None) -> bool:
    query = select(Saisine.id).where(
        Saisine.organisation_id == org.id, Saisine.reference == reference
    )
    if except_id:
        query = query.where(Saisine.id != except_id)
    return db.session.scalar(query) is not None


@dataclass
class SaisineSummary:
    saisine: Saisine
    targets: int
    submitted: int


def admin_list(org: Organisation, status: str | None = None) -> Select:
    targets = (
        select(func.count(SaisineTarget.id))
        .where(SaisineTarget.saisine_id == Saisine.id)
        .scalar_subquery()
    )
    submitted = (
        select(func.count(SaisineResponse.id))
        .where(
            SaisineResponse.saisine_id == Saisine.id,
            SaisineResponse.status == ResponseStatus.SUBMITTED,
        )
        .scalar_subquery()
    )
    query = select(Saisine, targets.label("targets"), submitted.label("submitted")).where(
        Saisine.organisation_id == org.id
    )
    if status in {s.value for s in SaisineStatus}:
        query = query.where(Saisine.status == status)
    return query.order_by(Saisine.deadline.desc(), Saisine.id.desc())


def summaries(query: Select, limit: int, offset: int) -> list[SaisineSummary]:
    rows = db.session.execute(query.limit(limit).offset(offset))
    return [SaisineSummary(s, t or 0, n or 0) for s, t, n in rows]


def count(query: Select) -> int:
    return count_rows(query)


def is_targeted(saisine: Saisine, commune: Commune) -> bool:
    return (
        db.session.scalar(
            select(SaisineTarget.id).where(
                SaisineTarget.saisine_id == saisine.id, SaisineTarget.commune_id == commune.id
            )
        )
        is not None
    )


def target_of(saisine: Saisine, commune: Commune) -> SaisineTarget | None:
    return db.session.scalar(
        select(SaisineTarget).where(
            SaisineTarget.saisine_id == saisine.id, SaisineTarget.commune_id == commune.id
        )
    )


def response_of(saisine: Saisine, commune: Commune) -> SaisineResponse | None:
    return db.session.scalar(
        select(SaisineResponse)
        .where(SaisineResponse.saisine_id == saisine.id, SaisineResponse.commune_id == commune.id)
        .options(selectinload(SaisineResponse.attachments), selectinload(SaisineResponse.versions))
    )


def delegate_ids(commune: Commune) -> frozenset[int]:
    return frozenset(
        db.session.scalars(
            select(SignatureDelegation.user_id).where(SignatureDelegation.commune_id == commune.id)
        )
    )


def delegations_of(commune: Commune) -> list[SignatureDelegation]:
    return list(
        db.session.scalars(
            select(SignatureDelegation)
            .where(SignatureDelegation.commune_id == commune.id)
            .options(selectinload(SignatureDelegation.user))
        )
    )


def commune_people(commune: Commune, roles=(Role.MAYOR, Role.COMMUNE_STAFF)) -> list[User]:
    """Active people of the commune with one of these roles."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(
                Membership.commune_id == commune.id,
                Membership.role.in_(list(roles)),
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.display_name)
        )
    )


def recipients_by_commune(saisine: Saisine) -> dict[int, list[User]]:
    """The mayors and staff of every target commune, in one query."""
    rows = db.session.execute(
        select(Membership.commune_id, User)
        .join(User, User.id == Membership.user_id)
        .join(SaisineTarget, SaisineTarget.commune_id == Membership.commune_id)
        .where(
            SaisineTarget.saisine_id == saisine.id,
            Membership.role.in_([Role.MAYOR, Role.COMMUNE_STAFF]),
            User.active.is_(True),
        )
    )
    result: dict[int, list[User]] = {}
    for commune_id, user in rows:
        if user not in result.setdefault(commune_id, []):
            result[commune_id].append(user)
    return result


@dataclass
class InboxRow:
    saisine: Saisine
    commune: Commune
    response: SaisineResponse | None
    tacit_opinion: str | None = None

    @property
    def response_status(self):
        return self.response.status if self.response else None


#: past saisines shown per page of a commune's inbox (a métropole sends 60 a year)
PAST_PER_PAGE = 30


def inbox(
    user: User, now: datetime, past_page: int = 1, per_page: int | None = None
) -> tuple[list[InboxRow], Page]:
    """The saisines of the person's communes: the current ones, and one page of the past ones
    (latest deadline first); four queries whatever the history."""
    commune_ids = [
        m.commune_id for m in user.memberships if m.role in (Role.MAYOR, Role.COMMUNE_STAFF)
    ]
    past_page, per_page = max(1, past_page), per_page or PAST_PER_PAGE
    if not commune_ids:
        return [], Page([], past_page, per_page, 0)
    query = (
        select(Saisine, Commune, SaisineResponse, SaisineTarget.tacit_opinion)
        .join(SaisineTarget, SaisineTarget.saisine_id == Saisine.id)
        .join(Commune, Commune.id == SaisineTarget.commune_id)
        .outerjoin(
            SaisineResponse,
            and_(
                SaisineResponse.saisine_id == Saisine.id,
                SaisineResponse.commune_id == SaisineTarget.commune_id,
            ),
        )
        .where(
            SaisineTarget.commune_id.in_(commune_ids),
            Saisine.organisation_id == user.organisation_id,
            Saisine.status != SaisineStatus.DRAFT,
            Saisine.opens_at <= now,
        )
    )
    # rules.phase: published and opened already, so open unless closed or past its deadline
    open_now = and_(Saisine.status != SaisineStatus.CLOSED, Saisine.deadline > now)
    current = [
        InboxRow(*row)
        for row in db.session.execute(query.where(open_now).order_by(Saisine.deadline))
    ]
    past = query.where(~open_now)
    total = count_rows(past)
    rows = db.session.execute(
        past.order_by(Saisine.deadline.desc(), Saisine.id.desc())
        .limit(per_page)
        .offset((past_page - 1) * per_page)
    )
    return current, Page([InboxRow(*row) for row in rows], past_page, per_page, total)


def to_answer_count(user: User, now: datetime) -> int:
    """How many open saisines still await an answer from the person's communes (a draft
    counts; a transmitted answer does not): one query, for the menu's badge."""
    commune_ids = [
        m.commune_id for m in user.memberships if m.role in (Role.MAYOR, Role.COMMUNE_STAFF)
    ]
    if not commune_ids:
        return 0
    submitted = (
        select(SaisineResponse.id)
        .where(
            SaisineResponse.saisine_id == Saisine.id,
            SaisineResponse.commune_id == SaisineTarget.commune_id,
            SaisineResponse.status == ResponseStatus.SUBMITTED,
        )
        .exists()
    )
    query = (
        select(func.count())
        .select_from(SaisineTarget)
        .join(Saisine, Saisine.id == SaisineTarget.saisine_id)
        .where(
            SaisineTarget.commune_id.in_(commune_ids),
            Saisine.organisation_id == user.organisation_id,
            Saisine.status == SaisineStatus.OPEN,
            Saisine.opens_at <= now,
            Saisine.deadline > now,
            ~submitted,
        )
    )
    return db.session.scalar(query) or 0


@dataclass
class DashboardRow:
    target: SaisineTarget
    commune: Commune
    sector: Sector | None
    response: SaisineResponse | None
    submitted_by: User | None
    status: rules.TargetStatus

    @property
    def opinion(self) -> str | None:
        """The submitted opinion, or the tacit one recorded at the closing."""
        if self.response is not None and self.response.status is ResponseStatus.SUBMITTED:
            return self.response.opinion
        return self.target.tacit_opinion


def dashboard(saisine: Saisine, now: datetime) -> list[DashboardRow]:
    """One row per target commune, with its response and signatory: one query."""
    signer = aliased(User)
    rows = db.session.execute(
        select(SaisineTarget, Commune, Sector, SaisineResponse, signer)
        .join(Commune, Commune.id == SaisineTarget.commune_id)
        .outerjoin(Sector, Sector.id == Commune.sector_id)
        .outerjoin(
            SaisineResponse,
            and_(
                SaisineResponse.saisine_id == SaisineTarget.saisine_id,
                SaisineResponse.commune_id == SaisineTarget.commune_id,
            ),
        )
        .outerjoin(signer, signer.id == SaisineResponse.submitted_by_id)
        .where(SaisineTarget.saisine_id == saisine.id)
        .order_by(Commune.name)
        # the signatory's name only: not their memberships and communes (two more queries)
        .options(lazyload(signer.memberships))
    )
    passed = now >= saisine.deadline
    result = []
    for target, commune, sector, response, submitted_by in rows:
        status = rules.target_status(
            opened=target.first_opened_at is not None,
            response_status=response.status if response else None,
            deadline_passed=passed,
            tacit=target.tacit_opinion is not None,
        )
        result.append(DashboardRow(target, commune, sector, response, submitted_by, status))
    return result


def open_saisines_due(now: datetime) -> list[Saisine]:
    return list(
        db.session.scalars(
            select(Saisine).where(Saisine.status == SaisineStatus.OPEN, Saisine.deadline <= now)
        )
    )


def open_saisines() -> list[Saisine]:
    return list(db.session.scalars(select(Saisine).where(Saisine.status == SaisineStatus.OPEN)))


def saisines_to_notify(now: datetime) -> list[Saisine]:
    """Opened saisines whose opening date has come and whose communes were not told yet."""
    return list(
        db.session.scalars(
            select(Saisine).where(
                Saisine.status == SaisineStatus.OPEN,
                Saisine.notified_at.is_(None),
                Saisine.opens_at <= now,
                Saisine.deadline > now,
            )
        )
    )
