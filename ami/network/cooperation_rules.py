"""The pure rules of cooperation tracking (no database): the pairs a joint application links,
what a cooperation was born after (its origins) and the main one, the pairs sharing an
essaimage table or a hearing group, and the rows and figures of a year's network.

A cooperation is a pair of associations in a year; its date is the earliest of its sources
(a joint application, a declaration); an event of the network before that date is one of its
origins. ami.network.services.cooperation reads them from the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ami.models import Association

HEARING, MATCH, ESSAIMAGE, OTHER = "hearing", "match", "essaimage", "other"
#: the order origins are shown in
ORIGINS = (HEARING, MATCH, ESSAIMAGE, OTHER)
#: the origin that gives a cooperation its colour in the picture when several hold: the
#: network's own actions first (essaimage day, then match), then the hearing
MAIN_ORIGIN_ORDER = (ESSAIMAGE, MATCH, HEARING, OTHER)


# --- origins and pairs ----------------------------------------------------------------------


def pair(a: int, b: int) -> tuple[int, int]:
    """A pair of associations, the lower id first (as stored)."""
    return (a, b) if a < b else (b, a)


def application_pairs(lead_id: int, partner_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The pairs a joint application links: its lead with each partner, the partners with
    each other."""
    members = sorted({lead_id, *partner_ids})
    return {pair(a, b) for a, b in combinations(members, 2)}


@dataclass(frozen=True)
class HeardTogether:
    """Both associations were heard in the same group of a call of `call_year`, on a slot
    starting at `starts_at` (None: the group had no slot)."""

    call_year: int
    starts_at: datetime | None


def hearing_before(year: int, date: datetime, hearings: Iterable[HeardTogether]) -> bool:
    """Heard together on a slot before the cooperation's date, or in a call of an earlier
    year."""
    return any(
        h.call_year < year or (h.starts_at is not None and h.starts_at < date) for h in hearings
    )


def any_before(date: datetime, moments: Iterable[datetime | None]) -> bool:
    return any(m is not None and m < date for m in moments)


def origins_of(
    year: int,
    date: datetime,
    hearings: Iterable[HeardTogether] = (),
    matched_at: Iterable[datetime | None] = (),
    essaimage_at: Iterable[datetime | None] = (),
) -> frozenset[str]:
    """What a cooperation of `year` dated `date` was born after: a hearing together, a match
    (ended or not), a table shared at an essaimage day; "other" when none of them."""
    found = set()
    if hearing_before(year, date, hearings):
        found.add(HEARING)
    if any_before(date, matched_at):
        found.add(MATCH)
    if any_before(date, essaimage_at):
        found.add(ESSAIMAGE)
    return frozenset(found or {OTHER})


def main_origin(origins: Iterable[str]) -> str:
    chosen = set(origins)
    return next((o for o in MAIN_ORIGIN_ORDER if o in chosen), OTHER)


def tables_shared(seats: Iterable[tuple[int, int, int, int]]) -> dict[tuple[int, int], set[int]]:
    """{pair: essaimage days} from seats (day id, round, table, association id): the pairs
    seated at the same table in a round."""
    tables: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    for day_id, round_, table, association_id in seats:
        tables[(day_id, round_, table)].add(association_id)
    shared: dict[tuple[int, int], set[int]] = defaultdict(set)
    for (day_id, _round, _table), members in tables.items():
        for a, b in combinations(sorted(members), 2):
            shared[(a, b)].add(day_id)
    return shared


def groups_shared(
    members: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], set[int]]:
    """{pair: hearing groups} from (hearing id, association id) rows."""
    groups: dict[int, set[int]] = defaultdict(set)
    for hearing_id, association_id in members:
        groups[hearing_id].add(association_id)
    shared: dict[tuple[int, int], set[int]] = defaultdict(set)
    for hearing_id, who in groups.items():
        for a, b in combinations(sorted(who), 2):
            shared[(a, b)].add(hearing_id)
    return shared


# --- the rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a cooperation comes from: a joint application or a declaration."""

    kind: str  # "application" or "declared"
    date: datetime
    application_id: int | None = None
    number: str = ""
    title: str = ""
    cooperation_id: int | None = None
    description: str = ""


@dataclass
class CooperationRow:
    first: Association
    second: Association
    year: int
    sources: list[Source]
    date: datetime
    origins: frozenset[str] = field(default_factory=frozenset)

    @property
    def main_origin(self) -> str:
        return main_origin(self.origins)

    @property
    def declared(self) -> list[Source]:
        return [s for s in self.sources if s.kind == "declared"]

    @property
    def applications(self) -> list[Source]:
        return [s for s in self.sources if s.kind == "application"]

    def partner_of(self, association_id: int) -> Association:
        return self.second if self.first.id == association_id else self.first


@dataclass
class Counts:
    cooperations: int = 0
    associations: int = 0
    hearing: int = 0
    match: int = 0
    essaimage: int = 0
    other: int = 0


def counts(rows: Iterable[CooperationRow]) -> Counts:
    """The year's figures; a cooperation with several origins counts in each."""
    result, involved = Counts(), set()
    for row in rows:
        result.cooperations += 1
        involved.update((row.first.id, row.second.id))
        for origin in row.origins:
            setattr(result, origin, getattr(result, origin) + 1)
    result.associations = len(involved)
    return result
