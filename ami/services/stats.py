"""Follow-up and statistics of the AMI: counts and amounts per call or per year, by theme, QPV,
track and outcome, and the funded actions that later entered the contrat de ville.

Every figure comes from a grouped SQL query: the number of queries does not grow with the
number of applications.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select

from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    CoFunder,
    Decision,
    Outcome,
    Qpv,
    Theme,
    Track,
    application_qpv,
)
from ami.services.common import AmiError
from app.audit.services import record
from app.db import db

#: the years a funded action may enter the contrat de ville
FIRST_CITY_CONTRACT_YEAR = 2015
LAST_CITY_CONTRACT_YEAR = 2100


@dataclass
class Counts:
    """What a group of submitted applications adds up to."""

    label: str = ""
    submitted: int = 0
    eligible: int = 0
    funded: int = 0
    requested_cents: int = 0
    granted_cents: int = 0
    co_funded_cents: int = 0
    city_contract: int = 0

    @property
    def city_contract_share(self) -> int | None:
        """Share of the funded actions that entered the contrat de ville (whole percent)."""
        if not self.funded:
            return None
        return round(self.city_contract * 100 / self.funded)


@dataclass
class Stats:
    """The statistics of a scope (one call, or every call of a year)."""

    totals: Counts
    envelope_cents: int = 0
    by_theme: list[Counts] = field(default_factory=list)
    by_qpv: list[Counts] = field(default_factory=list)
    by_track: list[Counts] = field(default_factory=list)
    by_outcome: list[tuple[str | None, int, int]] = field(default_factory=list)
    co_funders: list[tuple[str, int, int, int]] = field(default_factory=list)
    funded: list[Application] = field(default_factory=list)


def _scope(org, call: AmiCall | None = None, year: int | None = None):
    """The condition selecting the submitted applications of the call or the year."""
    conditions = [
        AmiCall.organisation_id == org.id,
        Application.status != ApplicationStatus.DRAFT,
    ]
    if call is not None:
        conditions.append(Application.call_id == call.id)
    if year is not None:
        conditions.append(AmiCall.year == year)
    return and_(*conditions)


def _measures():
    funded = Decision.outcome == Outcome.FUNDED
    return (
        func.count(Application.id),
        func.coalesce(
            func.sum(case((Application.status == ApplicationStatus.ELIGIBLE, 1), else_=0)), 0
        ),
        func.coalesce(func.sum(case((funded, 1), else_=0)), 0),
        func.coalesce(func.sum(Application.requested_cents), 0),
        func.coalesce(func.sum(case((funded, Decision.granted_cents), else_=0)), 0),
        func.coalesce(func.sum(case((funded, Decision.co_funded_cents), else_=0)), 0),
        func.coalesce(
            func.sum(case((and_(funded, Application.city_contract_year.is_not(None)), 1), else_=0)),
            0,
        ),
    )


def _base(*keys):
    return (
        select(*keys, *_measures())
        .select_from(Application)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .outerjoin(Decision, Decision.application_id == Application.id)
    )


def _counts(label, values) -> Counts:
    return Counts(str(label), *(int(v or 0) for v in values))


def compute(org, call: AmiCall | None = None, year: int | None = None) -> Stats:
    """The statistics of one call, or of all the calls of `year`, in a fixed number of queries."""
    scope = _scope(org, call, year)
    totals = db.session.execute(_base().where(scope)).one()
    stats = Stats(totals=_counts("", totals))
    theme_rows = db.session.execute(
        _base(Theme.name, Theme.position)
        .outerjoin(Theme, Theme.id == Application.theme_id)
        .where(scope)
        .group_by(Theme.id, Theme.name, Theme.position)
        .order_by(Theme.position, Theme.name)
    ).all()
    stats.by_theme = [_counts(row[0] or "—", row[2:]) for row in theme_rows]
    qpv_rows = db.session.execute(
        _base(Qpv.name)
        .join(application_qpv, application_qpv.c.application_id == Application.id)
        .join(Qpv, Qpv.id == application_qpv.c.qpv_id)
        .where(scope)
        .group_by(Qpv.id, Qpv.name)
        .order_by(Qpv.name)
    ).all()
    stats.by_qpv = [_counts(row[0], row[1:]) for row in qpv_rows]
    track_rows = dict(
        (row[0], row[1:])
        for row in db.session.execute(
            _base(Application.track).where(scope).group_by(Application.track)
        ).all()
    )
    stats.by_track = [_counts(track, track_rows[track]) for track in Track if track in track_rows]
    outcome_rows = db.session.execute(
        select(
            Decision.outcome,
            func.count(Application.id),
            func.coalesce(func.sum(Decision.granted_cents), 0),
        )
        .select_from(Application)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .outerjoin(Decision, Decision.application_id == Application.id)
        .where(scope)
        .group_by(Decision.outcome)
    ).all()
    by_outcome = {row[0]: (int(row[1]), int(row[2] or 0)) for row in outcome_rows}
    stats.by_outcome = [(o, *by_outcome[o]) for o in Outcome if o in by_outcome]
    if None in by_outcome:
        stats.by_outcome.append((None, by_outcome[None][0], 0))
    stats.co_funders = _co_funders(org, call, year)
    stats.envelope_cents = _envelope(org, call, year)
    stats.funded = funded_applications(org, call, year)
    return stats


def _call_scope(org, call, year):
    conditions = [AmiCall.organisation_id == org.id]
    if call is not None:
        conditions.append(AmiCall.id == call.id)
    if year is not None:
        conditions.append(AmiCall.year == year)
    return and_(*conditions)


def _envelope(org, call, year) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(AmiCall.budget_envelope_cents), 0)).where(
                _call_scope(org, call, year)
            )
        )
        or 0
    )


def _co_funders(org, call, year) -> list[tuple[str, int, int, int]]:
    """(name, part of the envelope, funded actions, amount paid), per co-funder name."""
    pledged = db.session.execute(
        select(CoFunder.name, func.sum(CoFunder.amount_cents))
        .join(AmiCall, AmiCall.id == CoFunder.call_id)
        .where(_call_scope(org, call, year))
        .group_by(CoFunder.name)
        .order_by(CoFunder.name)
    ).all()
    paid = {
        row[0]: (int(row[1]), int(row[2] or 0))
        for row in db.session.execute(
            select(CoFunder.name, func.count(Decision.id), func.sum(Decision.co_funded_cents))
            .join(Decision, Decision.co_funder_id == CoFunder.id)
            .join(AmiCall, AmiCall.id == CoFunder.call_id)
            .where(_call_scope(org, call, year), Decision.outcome == Outcome.FUNDED)
            .group_by(CoFunder.name)
        ).all()
    }
    return [(name, int(amount or 0), *paid.get(name, (0, 0))) for name, amount in pledged]


def funded_applications(org, call=None, year=None) -> list[Application]:
    """The funded applications of the scope, by number (their relations loaded in bulk)."""
    return list(
        db.session.scalars(
            select(Application)
            .join(AmiCall, AmiCall.id == Application.call_id)
            .join(Decision, Decision.application_id == Application.id)
            .where(_scope(org, call, year), Decision.outcome == Outcome.FUNDED)
            .order_by(AmiCall.year, Application.number, Application.id)
        ).unique()
    )


def submitted_applications(org, call=None, year=None) -> list[Application]:
    """Every submitted application of the scope, by call and number."""
    return list(
        db.session.scalars(
            select(Application)
            .join(AmiCall, AmiCall.id == Application.call_id)
            .where(_scope(org, call, year))
            .order_by(AmiCall.year, AmiCall.id, Application.number, Application.id)
        ).unique()
    )


def years_of(org) -> list[int]:
    """The years that have calls, most recent first."""
    return list(
        db.session.scalars(
            select(AmiCall.year)
            .where(AmiCall.organisation_id == org.id)
            .distinct()
            .order_by(AmiCall.year.desc())
        )
    )


# --- the chart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: int
    y: int
    width: int
    height: int
    series: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[str, int, int]]
    baseline: int


def bar_chart(groups: list[Counts], height: int = 220, bar: int = 28, gap: int = 90) -> Chart:
    """Geometry of a grouped bar chart: submitted and funded applications per group (the
    legend goes under the labels)."""
    top, bottom = 20, 60
    biggest = max((g.submitted for g in groups), default=0) or 1
    plot = height - top - bottom
    bars, labels = [], []
    x = gap // 2
    for group in groups:
        for series, value in (("submitted", group.submitted), ("funded", group.funded)):
            h = round(value * plot / biggest)
            bars.append(Bar(group.label, value, x, top + plot - h, bar, h, series))
            x += bar
        labels.append((group.label, x - bar, top + plot + 16))
        x += gap
    return Chart(max(x, 320), height, bars, labels, top + plot)


# --- the contrat de ville follow-up -----------------------------------------------------------


def set_city_contract_year(actor, application: Application, year: int | None) -> None:
    """Record (or clear with None) the year a funded action entered the contrat de ville."""
    decision = application.decision
    if decision is None or decision.outcome != Outcome.FUNDED:
        raise AmiError("city_contract_not_funded")
    if year is not None and not FIRST_CITY_CONTRACT_YEAR <= year <= LAST_CITY_CONTRACT_YEAR:
        raise AmiError("city_contract_year_range")
    before = application.city_contract_year
    application.city_contract_year = year
    db.session.flush()
    org = application.call.organisation_id
    from app.organisations.models import Organisation

    record(
        actor,
        db.session.get(Organisation, org),
        "ami.city_contract",
        application,
        {"before": before, "after": year, "number": application.number},
    )
