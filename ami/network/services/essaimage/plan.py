"""The speed-meeting plan of an essaimage day: the preference of each pair, building and
storing the plan (ami.network.rules.speed_meeting_plan) and e-mailing each association its
schedule, and reading the stored plan back for the pages and the .ics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from sqlalchemy import delete, select

from ami.models import Association
from ami.network import essaimage_calendar, queries, rules
from ami.network.models import DirectoryProfile, EssaimageDay, EssaimageSeat
from ami.network.services.common import NetworkError
from ami.network.services.essaimage import mail
from ami.network.services.essaimage.days import round_starts
from ami.network.services.essaimage.invitations import (
    invitations_of,
    is_registered,
    registered_invitations,
)
from app.audit.services import record
from app.db import db, utcnow
from app.web.urls import external_url

#: preference weights given to the plan
PREFER_MATCHED, PREFER_STRONG, PREFER_SUGGESTED, PREFER_NONE = 3, 2, 1, 0
#: a suggestion score from which a pair is strongly preferred
STRONG_SCORE = 6


# --- preferences ----------------------------------------------------------------------------


def preferences(org, ids) -> dict[frozenset[int], int]:
    """The plan's preference of each pair: an active match 3, a suggestion score of at least 6
    2, any other suggestion 1; pairs already working together 0 (they know each other). In a
    bounded number of queries."""
    ids = set(ids)
    if len(ids) < 2:
        return {}
    profiles = queries.profiles(org, ids, listed_only=False)
    heard = queries.heard_together_pairs(org, ids)
    result: dict[frozenset[int], int] = {}
    for a, b in combinations(sorted(ids), 2):
        pair = frozenset((a, b))
        if a in profiles and b in profiles:
            hearings = heard.get(pair, ())
            points = max(
                rules.score(profiles[a], profiles[b], hearings).score,
                rules.score(profiles[b], profiles[a], hearings).score,
            )
            if points >= STRONG_SCORE:
                result[pair] = PREFER_STRONG
            elif points > 0:
                result[pair] = PREFER_SUGGESTED
    for first, second in queries.active_match_pairs(ids):
        result[frozenset((first, second))] = PREFER_MATCHED
    # on one submitted application (lead or partner): they already work together
    for pair in queries.applied_together_pairs(org, ids):
        result.pop(pair, None)
    return result


# --- building the plan ----------------------------------------------------------------------


def _plan_error(exc: rules.PlanError, count: int) -> NetworkError:
    most = count if count % 2 else count - 1
    return NetworkError(f"essaimage_plan_{exc.code}", n=count, max=max(most, 0))


def build_plan(actor, org, day: EssaimageDay) -> rules.Plan:
    """Seat the registered associations for the day's rounds, replacing an earlier plan; each
    is sent its schedule."""
    if utcnow() >= day.starts_at:
        raise NetworkError("essaimage_started")
    registered = registered_invitations(day)
    ids = [i.association_id for i in registered]
    prefer = preferences(org, ids)
    try:
        plan = rules.speed_meeting_plan(ids, day.rounds, day.table_size, prefer, seed=day.id)
    except rules.PlanError as exc:
        raise _plan_error(exc, len(ids)) from None
    db.session.execute(delete(EssaimageSeat).where(EssaimageSeat.day_id == day.id))
    for number, tables in enumerate(plan.tables, start=1):
        for table_number, table in enumerate(tables, start=1):
            db.session.add_all(
                EssaimageSeat(
                    day_id=day.id, round=number, table_number=table_number, association_id=who
                )
                for who in table
            )
    day.plan_built_at = utcnow()
    db.session.flush()
    figures = figures_of(plan, prefer)
    record(
        actor,
        org,
        "network.essaimage.plan",
        day,
        {
            "registered": len(ids),
            "meetings": figures.meetings,
            "preferred": figures.preferred,
            "rests": list(figures.rests),
        },
    )
    names = {i.association_id: i.association.name for i in registered}
    for invitation in registered:
        rounds = _rounds(day, plan, invitation.association_id, names)
        _tell_schedule(org, day, invitation.association, rounds)
    return plan


def _rounds(day, plan: rules.Plan, association_id: int, names) -> list:
    """One association's rounds of `plan`, for its e-mail and .ics."""
    return [
        essaimage_calendar.Round(
            number, round_starts(day, number), table, tuple(names[o] for o in others)
        )
        for number, table, others in plan.schedule_of(association_id)
    ]


def _tell_schedule(org, day, association, rounds) -> None:
    mail.tell(
        org,
        association,
        "ami/network/essaimage_plan",
        ics=mail.calendar_for(org, day, association, rounds),
        day=day,
        rounds=rounds,
        link=external_url(
            org, "ami.essaimage_my_plan", association_id=association.id, day_id=day.id
        ),
    )


# --- the stored plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    #: meetings (pairs sharing a table), all rounds
    meetings: int
    #: of which pairs the plan preferred (matched or suggested)
    preferred: int
    #: of which matched pairs
    matched: int
    #: associations resting, per round
    rests: tuple[int, ...]


def figures_of(plan: rules.Plan, prefer: dict) -> Figures:
    pairs = plan.pairs()
    return Figures(
        meetings=len(pairs),
        preferred=sum(1 for p in pairs if prefer.get(p, 0) > 0),
        matched=sum(1 for p in pairs if prefer.get(p, 0) == PREFER_MATCHED),
        rests=tuple(len(r) for r in plan.resting),
    )


@dataclass
class StoredPlan:
    """The plan as stored, for the pages: its tables, the associations by id (by name in
    `participants`), its figures and whether answers changed since it was built."""

    day: EssaimageDay
    plan: rules.Plan
    associations: dict[int, Association]
    participants: list[Association]
    figures: Figures | None
    #: associations that registered or declined after the plan was built
    changed: list[Association] = field(default_factory=list)
    #: associations whose directory entry is listed (their names link to it)
    listed: set[int] = field(default_factory=set)

    def rounds_of(self, association_id: int) -> list[essaimage_calendar.Round]:
        """The association's rounds (empty when it is not in the plan)."""
        if association_id not in self.associations:
            return []
        names = {i: a.name for i, a in self.associations.items()}
        return _rounds(self.day, self.plan, association_id, names)

    def rows_of(self, association_id: int) -> list[tuple[int, datetime, int | None, list]]:
        """(round, start, table or None for a pause, the associations met), by round."""
        if association_id not in self.associations:
            return []
        return [
            (number, round_starts(self.day, number), table, [self.associations[o] for o in others])
            for number, table, others in self.plan.schedule_of(association_id)
        ]

    def round_times(self) -> list[datetime]:
        return [round_starts(self.day, n) for n in range(1, len(self.plan.tables) + 1)]


def stored_plan(org, day: EssaimageDay, with_figures: bool = True) -> StoredPlan | None:
    """The built plan of the day (None before), in a bounded number of queries."""
    if day.plan_built_at is None:
        return None
    seats = list(
        db.session.scalars(
            select(EssaimageSeat)
            .where(EssaimageSeat.day_id == day.id)
            .order_by(EssaimageSeat.round, EssaimageSeat.table_number, EssaimageSeat.id)
        )
    )
    invitations = invitations_of(day)
    associations = {s.association_id: s.association for s in seats}
    built = day.plan_built_at
    for invitation in invitations:
        if is_registered(invitation) and invitation.registered_at <= built:
            associations.setdefault(invitation.association_id, invitation.association)
    rounds = max([day.rounds, *(s.round for s in seats)])
    tables: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(rounds)]
    for seat in seats:
        tables[seat.round - 1][seat.table_number].append(seat.association_id)
    everyone = set(associations)
    plan = rules.Plan(
        tables=[[tuple(sorted(t[n])) for n in sorted(t)] for t in tables],
        resting=[
            tuple(sorted(everyone - {who for table in t.values() for who in table})) for t in tables
        ],
    )
    changed = [
        i.association
        for i in invitations
        if (i.registered_at and i.registered_at > built)
        or (i.declined_at and i.declined_at > built)
    ]
    listed = set(
        db.session.scalars(
            select(DirectoryProfile.association_id).where(
                DirectoryProfile.association_id.in_(everyone), DirectoryProfile.listed.is_(True)
            )
        )
    )
    participants = sorted(associations.values(), key=lambda a: (a.name.casefold(), a.id))
    figures = figures_of(plan, preferences(org, everyone)) if with_figures else None
    return StoredPlan(day, plan, associations, participants, figures, changed, listed)


def ics_for(org, day: EssaimageDay, association, rounds=None) -> bytes:
    """The day's .ics for one association, with its rounds once the plan is built."""
    if rounds is None:
        stored = stored_plan(org, day, with_figures=False)
        rounds = stored.rounds_of(association.id) if stored else []
    return mail.calendar_for(org, day, association, rounds)
