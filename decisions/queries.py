"""Reads of the decision path, always scoped to one organisation.

`public_dossiers` and `timeline` return plain data (dataclasses) for the pages, the feed and
the open-data API.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app import consultation_kinds
from app.consultation_kinds import TimelineEntry
from app.db import db
from app.web.pagination import count_rows
from decisions import rules
from decisions.models import DecisionStage, Deliberation, Dossier, StageMove

# --- loading ---------------------------------------------------------------------------------


def dossier_in(organisation, dossier_id: int) -> Dossier | None:
    return db.session.scalar(
        select(Dossier).where(Dossier.organisation_id == organisation.id, Dossier.id == dossier_id)
    )


def public_dossier(organisation, dossier_id: int) -> Dossier | None:
    dossier = dossier_in(organisation, dossier_id)
    return dossier if dossier is not None and dossier.public else None


# --- lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    stage: DecisionStage | None = None
    commission: str | None = None
    text: str | None = None
    year: int | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        """From the query string; values that make no sense are ignored, never a 500."""
        stage = args.get("etape") or None
        year = (args.get("annee") or "").strip()
        return cls(
            stage=DecisionStage(stage) if stage in set(DecisionStage) else None,
            commission=rules.xml_safe(args.get("commission") or "").strip()[:200] or None,
            text=rules.xml_safe(args.get("q") or "").strip()[:200] or None,
            year=int(year)
            if year.isascii() and year.isdigit() and 1900 < int(year) < 3000
            else None,
        )

    def as_args(self) -> dict[str, str]:
        values = {
            "etape": self.stage.value if self.stage else None,
            "commission": self.commission,
            "q": self.text,
            "annee": str(self.year) if self.year else None,
        }
        return {k: v for k, v in values.items() if v}


def _filtered(query: Select, filters: Filters) -> Select:
    if filters.stage is not None:
        query = query.where(Dossier.stage == filters.stage)
    if filters.commission:
        query = query.where(Dossier.commission == filters.commission)
    if filters.text:
        escaped = filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                Dossier.title.ilike(pattern, escape="\\"),
                Dossier.summary.ilike(pattern, escape="\\"),
                Dossier.commission.ilike(pattern, escape="\\"),
            )
        )
    if filters.year:
        start, end = rules.year_bounds(filters.year)
        query = query.where(Dossier.created_at >= start, Dossier.created_at < end)
    return query


def admin_query(organisation, filters: Filters = Filters()) -> Select:
    query = (
        select(Dossier)
        .where(Dossier.organisation_id == organisation.id)
        .options(selectinload(Dossier.deliberation))
        .order_by(Dossier.updated_at.desc(), Dossier.id.desc())
    )
    return _filtered(query, filters)


def public_query(organisation, filters: Filters = Filters()) -> Select:
    return admin_query(organisation, filters).where(Dossier.public.is_(True))


def commissions(organisation, public_only: bool) -> list[str]:
    query = select(Dossier.commission).where(
        Dossier.organisation_id == organisation.id, Dossier.commission != ""
    )
    if public_only:
        query = query.where(Dossier.public.is_(True))
    return list(db.session.scalars(query.distinct().order_by(Dossier.commission)))


def years(organisation, public_only: bool) -> list[int]:
    """The years dossiers were opened in (Paris), newest first."""
    query = select(func.min(Dossier.created_at), func.max(Dossier.created_at)).where(
        Dossier.organisation_id == organisation.id
    )
    if public_only:
        query = query.where(Dossier.public.is_(True))
    first, last = db.session.execute(query).one()
    if first is None:
        return []
    from app.paris import to_paris

    return list(range(to_paris(last).year, to_paris(first).year - 1, -1))


@dataclass(frozen=True)
class DecisionSummary:
    body: str
    decided_on: date
    number: str
    result: str


@dataclass(frozen=True)
class DossierSummary:
    """A dossier as the public list and the API show it."""

    id: int
    title: str
    summary: str
    stage: str
    commission: str
    lead: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    decision: DecisionSummary | None

    def as_dict(self) -> dict:
        return asdict(self)


def summarise(dossier: Dossier) -> DossierSummary:
    d = dossier.deliberation
    return DossierSummary(
        id=dossier.id,
        title=dossier.title,
        summary=dossier.summary,
        stage=dossier.stage.value,
        commission=dossier.commission,
        lead=dossier.lead_label,
        created_at=dossier.created_at,
        updated_at=dossier.updated_at,
        closed_at=dossier.closed_at,
        decision=DecisionSummary(d.body_name, d.decided_on, d.number, d.result.value)
        if d is not None
        else None,
    )


@dataclass(frozen=True)
class DossierPage:
    items: list[DossierSummary]
    total: int
    page: int
    per_page: int


def public_dossiers(
    organisation,
    *,
    stage: DecisionStage | str | None = None,
    commission: str | None = None,
    text: str | None = None,
    year: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> DossierPage:
    """The organisation's public dossiers, newest change first, as plain data (two queries
    and one for the deliberations)."""
    filters = Filters(
        stage=DecisionStage(stage) if stage else None, commission=commission, text=text, year=year
    )
    query = public_query(organisation, filters)
    page = max(1, page)
    total = count_rows(query)
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return DossierPage([summarise(d) for d in rows], total or 0, page, per_page)


# --- the timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """One line of a dossier's timeline: an attached consultation, a stage move or the
    deliberation."""

    type: str  # "consultation", "stage" or "deliberation"
    at: datetime | date | None
    #: for consultations
    entry: TimelineEntry | None = None
    link_id: int | None = None
    #: for stage moves
    from_stage: str | None = None
    to_stage: str | None = None
    reason: str = ""
    override_reason: str = ""
    #: the agent who moved it: shown to admins only (not an elected official)
    moved_by: str | None = None
    #: for the deliberation
    decision: DecisionSummary | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self, public: bool = True) -> dict:
        data = asdict(self)
        data.pop("link_id")
        if public:
            data.pop("moved_by")
            entry = data["entry"]
            if entry is not None:
                entry.pop("url")
                if not entry["public"]:
                    entry["summary"] = ""
                    entry["counts"] = {}
        return data


def attached_entries(dossier: Dossier) -> list[tuple[int, TimelineEntry]]:
    """(link id, entry) for each attached consultation, one bulk read per kind."""
    organisation = _organisation(dossier)
    by_kind: dict[str, list] = defaultdict(list)
    for link in dossier.links:
        by_kind[link.kind].append(link)
    found = []
    for key, links in by_kind.items():
        kind = consultation_kinds.get(key)
        if kind is None:
            continue
        entries = kind.entries(organisation, [link.item_id for link in links])
        for link in links:
            if link.item_id in entries:
                found.append((link.id, entries[link.item_id]))
    return found


def open_consultations(dossier: Dossier) -> list[TimelineEntry]:
    return [entry for _id, entry in attached_entries(dossier) if entry.is_open]


def timeline(dossier: Dossier) -> list[TimelineItem]:
    """Attached consultations and stage moves in chronological order, the deliberation last."""
    items = [
        TimelineItem(type="consultation", at=entry.date, entry=entry, link_id=link_id)
        for link_id, entry in attached_entries(dossier)
    ]
    items += [
        TimelineItem(
            type="stage",
            at=move.moved_at,
            from_stage=move.from_stage.value if move.from_stage else None,
            to_stage=move.to_stage.value,
            reason=move.reason,
            override_reason=move.override_reason,
            moved_by=move.moved_by.display_name if move.moved_by else None,
        )
        for move in dossier.moves
    ]
    items.sort(key=lambda item: _sort_key(item.at))
    d = dossier.deliberation
    if d is not None:
        items.append(
            TimelineItem(
                type="deliberation",
                at=d.decided_on,
                override_reason=d.override_reason,
                decision=DecisionSummary(d.body_name, d.decided_on, d.number, d.result.value),
            )
        )
    return items


def _sort_key(moment) -> tuple[int, float]:
    if moment is None:
        return (1, 0.0)
    return (0, moment.timestamp())


def _organisation(dossier: Dossier):
    from app.organisations.models import Organisation

    return db.session.get(Organisation, dossier.organisation_id)


# --- the feed --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEvent:
    dossier_id: int
    dossier_title: str
    at: datetime
    kind: str  # "stage" or "deliberation"
    #: the stage move's or the deliberation's id (with kind, a stable identifier)
    event_id: int = 0
    to_stage: str | None = None
    from_stage: str | None = None
    reason: str = ""
    decision: DecisionSummary | None = None


def feed_events(organisation, limit: int = 50) -> list[FeedEvent]:
    """The latest stage moves and deliberations of public dossiers, newest first."""
    moves = db.session.execute(
        select(StageMove, Dossier.title)
        .join(Dossier, Dossier.id == StageMove.dossier_id)
        .where(Dossier.organisation_id == organisation.id, Dossier.public.is_(True))
        .order_by(StageMove.moved_at.desc(), StageMove.id.desc())
        .limit(limit)
    ).all()
    deliberations = db.session.execute(
        select(Deliberation, Dossier.title)
        .join(Dossier, Dossier.id == Deliberation.dossier_id)
        .where(Dossier.organisation_id == organisation.id, Dossier.public.is_(True))
        .order_by(Deliberation.recorded_at.desc())
        .limit(limit)
    ).all()
    events = [
        FeedEvent(
            dossier_id=move.dossier_id,
            dossier_title=title,
            at=move.moved_at,
            kind="stage",
            event_id=move.id,
            to_stage=move.to_stage.value,
            from_stage=move.from_stage.value if move.from_stage else None,
            reason=move.reason,
        )
        for move, title in moves
    ] + [
        FeedEvent(
            dossier_id=d.dossier_id,
            dossier_title=title,
            at=d.recorded_at,
            kind="deliberation",
            event_id=d.id,
            decision=DecisionSummary(d.body_name, d.decided_on, d.number, d.result.value),
        )
        for d, title in deliberations
    ]
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
