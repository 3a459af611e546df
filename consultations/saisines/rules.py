"""Pure rules of saisines: deadlines in Paris time, reminders, tacit opinions, counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from app.paris import PARIS, paris_to_utc, to_paris  # noqa: F401  (used by the saisines' callers)
from consultations.saisines.models import Opinion, ResponseStatus, SaisineStatus, SilenceRule

DEFAULT_REMINDER_DAYS = (7, 1)


def is_past(deadline: datetime, now: datetime) -> bool:
    return now >= deadline


def time_left(deadline: datetime, now: datetime) -> timedelta:
    return max(deadline - now, timedelta(0))


def days_left(deadline: datetime, now: datetime) -> int:
    """Calendar days in Paris between today and the deadline's day (0 = due today)."""
    return (to_paris(deadline).date() - to_paris(now).date()).days


def reminder_step_due(
    deadline: datetime,
    now: datetime,
    last_sent: int | None,
    steps: Iterable[int] = DEFAULT_REMINDER_DAYS,
) -> int | None:
    """The reminder step (days before the deadline) to send now, or None.

    Step J-n is due from midnight Paris time, n calendar days before the deadline's day, until
    the deadline. Only the most recent due step is sent; a step at or after one already sent
    is never sent again.
    """
    if now >= deadline:
        return None
    remaining = days_left(deadline, now)
    due = [step for step in sorted(set(steps), reverse=True) if remaining <= step]
    if not due:
        return None
    step = due[-1]  # the closest to the deadline
    if last_sent is not None and step >= last_sent:
        return None
    return step


class TargetStatus(StrEnum):
    NOT_OPENED = "not_opened"
    OPENED = "opened"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    LATE = "late"
    TACIT = "tacit"


def target_status(
    *,
    opened: bool,
    response_status: ResponseStatus | None,
    deadline_passed: bool,
    tacit: bool = False,
) -> TargetStatus:
    if response_status == ResponseStatus.SUBMITTED:
        return TargetStatus.SUBMITTED
    if tacit:
        return TargetStatus.TACIT
    if deadline_passed:
        return TargetStatus.LATE
    if response_status == ResponseStatus.DRAFT:
        return TargetStatus.DRAFT
    return TargetStatus.OPENED if opened else TargetStatus.NOT_OPENED


def tacit_opinion(rule: SilenceRule) -> Opinion | None:
    """The opinion recorded for a commune that did not answer by the deadline."""
    return Opinion.FAVORABLE if rule is SilenceRule.FAVOURABLE else None


def motivation_required(opinion: Opinion | None) -> bool:
    return opinion is not None and opinion is not Opinion.FAVORABLE


class Phase(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # opened by the EPCI, visible to the communes from opens_at
    OPEN = "open"
    CLOSED = "closed"


def phase(status: SaisineStatus, opens_at: datetime, deadline: datetime, now: datetime) -> Phase:
    """Where a saisine stands now; an open saisine past its deadline is closed already."""
    if status is SaisineStatus.DRAFT:
        return Phase.DRAFT
    if status is SaisineStatus.CLOSED or now >= deadline:
        return Phase.CLOSED
    if now < opens_at:
        return Phase.SCHEDULED
    return Phase.OPEN


@dataclass
class OpinionCount:
    communes: int = 0
    population: int = 0


@dataclass
class Tally:
    """Opinions counted by commune and weighted by population."""

    targets: int = 0
    population: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_opinion: dict[str, OpinionCount] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return self.by_status.get(TargetStatus.SUBMITTED, 0)

    @property
    def answer_rate(self) -> float:
        return self.answered / self.targets if self.targets else 0.0

    def share(self, opinion: str, weighted: bool = False) -> float:
        count = self.by_opinion.get(opinion, OpinionCount())
        if weighted:
            return count.population / self.population if self.population else 0.0
        return count.communes / self.targets if self.targets else 0.0


def tally(rows: Sequence[tuple[TargetStatus, str | None, int]]) -> Tally:
    """Count (status, opinion, population) rows, one per target commune."""
    return tally_groups((status, opinion, 1, population) for status, opinion, population in rows)


def tally_groups(groups: Iterable[tuple[TargetStatus, str | None, int, int]]) -> Tally:
    """Count (status, opinion, communes, population) groups of target communes, as counted
    by the database (one row per status and opinion rather than one per commune)."""
    result = Tally()
    for status, opinion, communes, population in groups:
        result.targets += communes
        result.population += population
        result.by_status[status] = result.by_status.get(status, 0) + communes
        key = opinion or "none"
        count = result.by_opinion.setdefault(key, OpinionCount())
        count.communes += communes
        count.population += population
    return result


def tallies(rows, no_sector: str) -> tuple[Tally, dict[str, Tally]]:
    """The counts of the whole saisine and of each sector (sorted by name).

    `rows` have .status, .opinion, .commune.population and .sector (or None).
    """
    by_sector: dict[str, list] = {}
    for row in rows:
        name = row.sector.name if row.sector else no_sector
        by_sector.setdefault(name, []).append((row.status, row.opinion, row.commune.population))
    whole = tally([(r.status, r.opinion, r.commune.population) for r in rows])
    return whole, {name: tally(items) for name, items in sorted(by_sector.items())}


OPINION_ORDER = ("favorable", "favorable_with_reservations", "unfavorable", "abstention", "none")


@dataclass(frozen=True)
class Segment:
    """One opinion's part of a 100 % stacked bar: its x and width in a bar `width` wide."""

    opinion: str
    x: float
    width: float
    share: float


def stacked_shares(tally_: Tally, width: int, weighted: bool = False) -> list[Segment]:
    """The opinions' shares of the targets (or of their population) as adjacent segments,
    in a fixed order (favourable first, no opinion last); empty shares are left out."""
    segments: list[Segment] = []
    x = 0.0
    for opinion in OPINION_ORDER:
        share = tally_.share(opinion, weighted=weighted)
        if share <= 0:
            continue
        segments.append(Segment(opinion, round(x, 1), round(share * width, 1), share))
        x += share * width
    return segments
