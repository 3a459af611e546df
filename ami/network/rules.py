"""The network's pure rules: the suggestion score ("with whom could we work?") and the
speed-meeting plan of the essaimage day. No database here: the callers load `Profile`s.

The score is transparent: each reason adds a fixed number of points, shown with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# --- suggestions ----------------------------------------------------------------------------

#: points per shared item, per reason; the page explains them
WEIGHTS: dict[str, int] = {
    #: per theme both work on
    "same_theme": 3,
    #: per QPV both act in
    "same_qpv": 3,
    #: per tag the other offers and the association looks for
    "they_offer": 4,
    #: per tag the association offers and the other looks for
    "you_offer": 2,
    #: they act in the same commune (counted once)
    "same_commune": 3,
    #: neighbouring communes: a shared postal code or the same sector (counted once, and only
    #: when they share no commune)
    "neighbour": 1,
    #: per hearing group they were heard in together
    "heard_together": 2,
}


@dataclass(frozen=True)
class Profile:
    """What the score looks at for one association."""

    id: int
    name: str
    theme_ids: frozenset[int] = frozenset()
    qpv_ids: frozenset[int] = frozenset()
    #: its seat and the communes it acts in
    commune_ids: frozenset[int] = frozenset()
    #: postal codes of those communes (and of its address)
    postal_codes: frozenset[str] = frozenset()
    #: sectors (conseils de territoire) of those communes
    sector_ids: frozenset[int] = frozenset()
    offer_tag_ids: frozenset[int] = frozenset()
    need_tag_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Reason:
    """One reason of a suggestion: its code (WEIGHTS), the points it adds and the ids it is
    about (themes, QPVs, tags, communes, or hearings)."""

    code: str
    points: int
    items: tuple = ()


@dataclass(frozen=True)
class Suggestion:
    association_id: int
    name: str
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)


def _per_item(code: str, items: Iterable) -> Reason | None:
    items = tuple(sorted(items, key=str))
    if not items:
        return None
    return Reason(code, WEIGHTS[code] * len(items), items)


def score(me: Profile, other: Profile, heard_together: Iterable[int] = ()) -> Suggestion:
    """How well `other` fits `me`, and why. `heard_together` lists the hearings (ids) where
    both were heard in the same group."""
    reasons = [
        _per_item("same_theme", me.theme_ids & other.theme_ids),
        _per_item("same_qpv", me.qpv_ids & other.qpv_ids),
        _per_item("they_offer", other.offer_tag_ids & me.need_tag_ids),
        _per_item("you_offer", me.offer_tag_ids & other.need_tag_ids),
    ]
    shared_communes = me.commune_ids & other.commune_ids
    if shared_communes:
        reasons.append(
            Reason("same_commune", WEIGHTS["same_commune"], tuple(sorted(shared_communes)))
        )
    elif (me.postal_codes & other.postal_codes) or (me.sector_ids & other.sector_ids):
        reasons.append(Reason("neighbour", WEIGHTS["neighbour"], tuple(sorted(other.commune_ids))))
    reasons.append(_per_item("heard_together", set(heard_together)))
    kept = tuple(r for r in reasons if r is not None)
    return Suggestion(other.id, other.name, sum(r.points for r in kept), kept)


def points(me: Profile, other: Profile, heard_together: Iterable[int] = ()) -> int:
    """`score(me, other, heard_together).score`, without building its reasons: the ranking
    counts the points of every association and explains only the ones it keeps."""
    total = (
        WEIGHTS["same_theme"] * len(me.theme_ids & other.theme_ids)
        + WEIGHTS["same_qpv"] * len(me.qpv_ids & other.qpv_ids)
        + WEIGHTS["they_offer"] * len(other.offer_tag_ids & me.need_tag_ids)
        + WEIGHTS["you_offer"] * len(me.offer_tag_ids & other.need_tag_ids)
        + WEIGHTS["heard_together"] * len(set(heard_together))
    )
    if me.commune_ids & other.commune_ids:
        total += WEIGHTS["same_commune"]
    elif (me.postal_codes & other.postal_codes) or (me.sector_ids & other.sector_ids):
        total += WEIGHTS["neighbour"]
    return total


def suggestions(
    me: Profile,
    others: Iterable[Profile],
    heard_together: Mapping[int, Iterable[int]] | None = None,
    limit: int | None = 20,
) -> list[Suggestion]:
    """The other associations ranked for `me`: highest score first, then by name and id;
    those with no reason at all are left out, and so is `me`."""
    heard_together = heard_together or {}
    counted = []
    for other in others:
        if other.id == me.id:
            continue
        total = points(me, other, heard_together.get(other.id, ()))
        if total > 0:
            counted.append((-total, other.name.casefold(), other.id, other))
    counted.sort(key=lambda row: row[:3])
    kept = counted if limit is None else counted[:limit]
    return [score(me, other, heard_together.get(other.id, ())) for *_key, other in kept]


# --- the speed-meeting plan -----------------------------------------------------------------

#: table sizes accepted: 2 (face to face) to 6
MIN_TABLE, MAX_TABLE = 2, 6
MAX_ROUNDS = 12


class PlanError(ValueError):
    """The plan cannot be built: `code` is "too_few" (fewer than two participants),
    "table_size", "rounds" (out of range) or "too_many_rounds" (more rounds than there are
    others to meet)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Plan:
    """The tables of each round (association ids, sorted; table n is `tables[r][n - 1]`)
    and who rests in each round."""

    tables: list[list[tuple[int, ...]]]
    resting: list[tuple[int, ...]]

    def pairs(self) -> list[frozenset[int]]:
        """Every meeting, once per pair and round (a repeated pair appears twice)."""
        return [
            frozenset((a, b))
            for round_tables in self.tables
            for table in round_tables
            for i, a in enumerate(table)
            for b in table[i + 1 :]
        ]

    def rests(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for resting in self.resting:
            for who in resting:
                counts[who] = counts.get(who, 0) + 1
        return counts

    def schedule_of(self, who: int) -> list[tuple[int, int | None, tuple[int, ...]]]:
        """(round, table number or None when resting, the others at the table), by round."""
        rows = []
        for number, round_tables in enumerate(self.tables, start=1):
            seat = next(
                ((t, table) for t, table in enumerate(round_tables, start=1) if who in table),
                None,
            )
            if seat is None:
                rows.append((number, None, ()))
            else:
                rows.append((number, seat[0], tuple(x for x in seat[1] if x != who)))
        return rows


def table_sizes(count: int, table_size: int) -> list[int]:
    """Sizes of one round's tables: as few tables as `table_size` allows, as even as possible
    (9 at tables of 4: 3, 3, 3). A table of one is a rest (9 in pairs: four pairs, one rests)."""
    if count <= 0:
        return []
    tables = -(-count // table_size)
    base, extra = divmod(count, tables)
    return [base + 1] * extra + [base] * (tables - extra)


def _check(count: int, rounds: int, table_size: int) -> None:
    if count < 2:
        raise PlanError("too_few")
    if not MIN_TABLE <= table_size <= MAX_TABLE:
        raise PlanError("table_size")
    if not 1 <= rounds <= MAX_ROUNDS:
        raise PlanError("rounds")
    # in pairs, each round uses one of the n - 1 others (n odd: n rounds, each resting once)
    if table_size == 2 and rounds > (count if count % 2 else count - 1):
        raise PlanError("too_many_rounds")


def _circle(people: list[int], rounds: int) -> Plan:
    """The round-robin (circle) method: pairs never repeat and, with an odd number, each person
    rests at most once. The fallback that always works in pairs."""
    ring: list[int | None] = list(people) + ([None] if len(people) % 2 else [])
    tables, resting = [], []
    for _ in range(rounds):
        half = len(ring) // 2
        pairs = list(zip(ring[:half], reversed(ring[half:]), strict=True))
        tables.append([tuple(sorted(p)) for p in pairs if None not in p])
        resting.append(tuple(x for p in pairs if None in p for x in p if x is not None))
        ring = [ring[0], ring[-1], *ring[1:-1]]
    return Plan(tables, resting)


class _Builder:
    """One randomised greedy attempt: round by round, the most constrained person first,
    each table filled with those who met nobody at it, preferred pairs first."""

    def __init__(self, people, rounds, table_size, preferences, rng):
        self.people, self.rounds, self.table_size = people, rounds, table_size
        self.preferences, self.rng = preferences, rng
        self.met: dict[int, set[int]] = {p: set() for p in people}
        self.rests: dict[int, int] = dict.fromkeys(people, 0)

    def _weight(self, candidate: int, table: list[int]) -> float:
        prefer = sum(self.preferences.get(frozenset((candidate, x)), 0) for x in table)
        return prefer * 10 + self.rests[candidate] * 1000 + self.rng.random()

    def _table(self, pool: set[int], size: int) -> list[int]:
        def options(p):
            return sum(1 for q in pool if q != p and q not in self.met[p])

        first = min(pool, key=lambda p: (-self.rests[p], options(p), self.rng.random()))
        table = [first]
        pool.discard(first)
        while len(table) < size:
            fits = [c for c in pool if not any(c in self.met[x] for x in table)]
            if not fits:
                break
            chosen = max(fits, key=lambda c: self._weight(c, table))
            table.append(chosen)
            pool.discard(chosen)
        return table

    def _round(self) -> tuple[list[tuple[int, ...]], tuple[int, ...]]:
        sizes = table_sizes(len(self.people), self.table_size)
        seats = sum(s for s in sizes if s >= 2)
        # those who rested least rest now (nobody rests twice while others have not)
        order = sorted(self.people, key=lambda p: (self.rests[p], self.rng.random()))
        idle = len(self.people) - seats
        resting, pool = set(order[:idle]), set(order[idle:])
        tables = []
        for size in (s for s in sizes if s >= 2):
            if len(pool) < 2:
                break
            table = self._table(pool, size)
            if len(table) == 1:
                resting.add(table[0])
            else:
                tables.append(tuple(sorted(table)))
        resting |= pool
        for table in tables:
            for p in table:
                self.met[p].update(x for x in table if x != p)
        for p in resting:
            self.rests[p] += 1
        return sorted(tables), tuple(sorted(resting))

    def build(self) -> Plan:
        tables, resting = [], []
        for _ in range(self.rounds):
            round_tables, round_resting = self._round()
            tables.append(round_tables)
            resting.append(round_resting)
        return Plan(tables, resting)


def _quality(plan: Plan, preferences: Mapping[frozenset[int], int]) -> tuple:
    """Lower is better: rests beyond one per person, rests, then fewer meetings and fewer
    preferred pairs."""
    rests = plan.rests()
    pairs = plan.pairs()
    return (
        sum(max(0, n - 1) for n in rests.values()),
        sum(rests.values()),
        -len(pairs),
        -sum(preferences.get(p, 0) for p in pairs),
    )


def speed_meeting_plan(
    participants: Iterable[int],
    rounds: int,
    table_size: int = 2,
    preferences: Mapping[frozenset[int], int] | None = None,
    seed: int = 0,
    attempts: int | None = None,
) -> Plan:
    """Seat `participants` for `rounds` rounds at tables of `table_size` (2: face to face),
    so that no two people ever share a table twice, everyone is seated in every round or rests
    at most once where the numbers force it, and pairs with a higher `preferences` weight
    (suggested, matched) meet first. Deterministic for a seed."""
    import random

    people = sorted(set(participants))
    _check(len(people), rounds, table_size)
    preferences = preferences or {}
    rng = random.Random(seed)
    if attempts is None:
        attempts = max(10, min(200, 8_000 // (len(people) * rounds)))
    best = _circle(people, rounds) if table_size == 2 else None
    best_quality = _quality(best, preferences) if best else None
    for _ in range(attempts):
        plan = _Builder(people, rounds, table_size, preferences, rng).build()
        quality = _quality(plan, preferences)
        if best_quality is None or quality < best_quality:
            best, best_quality = plan, quality
    return best
