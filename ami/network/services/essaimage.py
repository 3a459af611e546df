"""The essaimage day ("le temps de l'essaimage"): the yearly meeting of the associations funded
in the year. The EPCI creates the day and invites the funded associations (leads and partners
of joint applications) and others of its choice; each association registers or declines until
registration closes; the speed-meeting plan seats the registered associations round by round
(ami.network.rules.speed_meeting_plan), preferring matched and suggested pairs and avoiding
those who already work together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from itertools import combinations

from sqlalchemy import delete, func, select, union
from sqlalchemy.orm import contains_eager

from ami.messages import error_messages
from ami.models import (
    AmiCall,
    Application,
    Association,
    Decision,
    Outcome,
    application_partner,
)
from ami.network import essaimage_calendar, queries, rules
from ami.network.models import (
    DirectoryProfile,
    EssaimageDay,
    EssaimageInvitation,
    EssaimageSeat,
    InvitationReason,
    Match,
)
from ami.network.services.common import NetworkError
from ami.services.associations import people_of
from app.audit.services import record
from app.db import db, utcnow
from app.i18n import _
from app.mail.services import Attachment, queue_email
from app.web import local_datetime
from app.web.urls import base_url, external_url

#: preference weights given to the plan
PREFER_MATCHED, PREFER_STRONG, PREFER_SUGGESTED, PREFER_NONE = 3, 2, 1, 0
#: a suggestion score from which a pair is strongly preferred
STRONG_SCORE = 6
MAX_ATTENDEES = 5


@error_messages
def _messages(params: dict) -> dict[str, str]:
    count = params.get("n", 0)
    return {
        "essaimage_end_before_start": _("L'heure de fin doit suivre l'heure de début."),
        "essaimage_meetings_outside": _(
            "Les rencontres express doivent commencer pendant la journée, entre son début et "
            "sa fin."
        ),
        "essaimage_rounds_too_long": _(
            "%(rounds)d tours de %(minutes)d minutes finiraient à %(end)s, après la fin de la "
            "journée : réduisez le nombre de tours ou leur durée, ou commencez plus tôt.",
            rounds=params.get("rounds", 0),
            minutes=params.get("minutes", 0),
            end=local_datetime(params.get("end"), "HH:mm"),
        ),
        "essaimage_closing_after_start": _(
            "La clôture des inscriptions doit précéder le jour de l'essaimage."
        ),
        "essaimage_settings": _(
            "De 1 à 12 tours de 5 à 60 minutes, à des tables de 2 à 6 associations."
        ),
        "essaimage_started": _(
            "L'essaimage a commencé : le plan des rencontres ne peut plus être modifié."
        ),
        "essaimage_invite_closed": _(
            "Les inscriptions sont closes : repoussez d'abord la date de clôture pour inviter "
            "d'autres associations."
        ),
        "essaimage_plan_built": _(
            "Le plan des rencontres est construit : l'invitation ne peut plus être retirée."
        ),
        "essaimage_closed": _(
            "Les inscriptions sont closes depuis le %(date)s : pour toute modification, "
            "contactez l'équipe cohésion sociale.",
            date=local_datetime(params.get("closes"), "full"),
        ),
        "essaimage_attendees": _("Indiquez de 1 à 5 personnes."),
        "essaimage_plan_too_few": _(
            "Il faut au moins deux associations inscrites pour construire le plan des "
            "rencontres (%(n)d inscrite pour l'instant).",
            n=count,
        ),
        "essaimage_plan_table_size": _("Les tables accueillent de 2 à 6 associations."),
        "essaimage_plan_rounds": _("Le nombre de tours va de 1 à 12."),
        "essaimage_plan_too_many_rounds": _(
            "Avec %(n)d associations inscrites en tête-à-tête, il ne peut y avoir plus de "
            "%(max)d tours sans qu'une rencontre se répète.",
            n=count,
            max=params.get("max", 0),
        ),
    }


# --- the day --------------------------------------------------------------------------------


@dataclass
class DayData:
    year: int
    title: str
    starts_at: datetime
    ends_at: datetime
    meetings_start_at: datetime
    rounds: int = 4
    round_minutes: int = 10
    table_size: int = 2
    description: str = ""
    location: str = ""
    registration_closes_at: datetime | None = None


def meetings_end(data) -> datetime:
    return data.meetings_start_at + timedelta(minutes=data.rounds * data.round_minutes)


def schedule_problems(data: DayData) -> list[NetworkError]:
    """What is wrong with the day's times (none: it holds together)."""
    problems = []
    if not (1 <= data.rounds <= rules.MAX_ROUNDS and 5 <= data.round_minutes <= 60) or not (
        rules.MIN_TABLE <= data.table_size <= rules.MAX_TABLE
    ):
        problems.append(NetworkError("essaimage_settings"))
    if data.ends_at <= data.starts_at:
        problems.append(NetworkError("essaimage_end_before_start"))
    elif not data.starts_at <= data.meetings_start_at < data.ends_at:
        problems.append(NetworkError("essaimage_meetings_outside"))
    elif meetings_end(data) > data.ends_at:
        problems.append(
            NetworkError(
                "essaimage_rounds_too_long",
                rounds=data.rounds,
                minutes=data.round_minutes,
                end=meetings_end(data),
            )
        )
    closes = data.registration_closes_at
    if closes is not None and closes > data.starts_at:
        problems.append(NetworkError("essaimage_closing_after_start"))
    return problems


def _check(data: DayData) -> None:
    problems = schedule_problems(data)
    if problems:
        raise problems[0]


def _apply(day: EssaimageDay, data: DayData) -> dict:
    changed = {}
    for name in (item.name for item in fields(DayData)):
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        before = getattr(day, name)
        if before != value:
            changed[name] = [_plain(before), _plain(value)]
            setattr(day, name, value)
    return changed


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def create_day(actor, org, data: DayData) -> EssaimageDay:
    _check(data)
    day = EssaimageDay(organisation_id=org.id, created_by_id=actor.id)
    _apply(day, data)
    db.session.add(day)
    db.session.flush()
    record(actor, org, "network.essaimage.create", day, {"year": day.year, "title": day.title})
    return day


def update_day(actor, org, day: EssaimageDay, data: DayData) -> bool:
    """Change the day. A plan built for other rounds or tables is removed (to be built again):
    returns True then."""
    _check(data)
    changed = _apply(day, data)
    cleared = day.plan_built_at is not None and bool({"rounds", "table_size"} & set(changed))
    if cleared:
        db.session.execute(delete(EssaimageSeat).where(EssaimageSeat.day_id == day.id))
        day.plan_built_at = None
        changed["plan"] = "removed"
    db.session.flush()
    record(actor, org, "network.essaimage.update", day, changed)
    return cleared


def registration_closes(day: EssaimageDay) -> datetime:
    return day.registration_closes_at or day.starts_at


def round_starts(day: EssaimageDay, number: int) -> datetime:
    start = day.meetings_start_at or day.starts_at
    return start + timedelta(minutes=(number - 1) * day.round_minutes)


# --- reads ----------------------------------------------------------------------------------


def day_in(org, day_id: int) -> EssaimageDay | None:
    return db.session.scalar(
        select(EssaimageDay).where(
            EssaimageDay.id == day_id, EssaimageDay.organisation_id == org.id
        )
    )


@dataclass(frozen=True)
class DayCounts:
    invited: int = 0
    registered: int = 0
    declined: int = 0


def days_of(org) -> list[tuple[EssaimageDay, DayCounts]]:
    """The organisation's days, newest first, with their answers counted (two queries)."""
    days = list(
        db.session.scalars(
            select(EssaimageDay)
            .where(EssaimageDay.organisation_id == org.id)
            .order_by(EssaimageDay.starts_at.desc(), EssaimageDay.id.desc())
        )
    )
    counts = {}
    if days:
        rows = db.session.execute(
            select(
                EssaimageInvitation.day_id,
                func.count(),
                func.count(EssaimageInvitation.registered_at),
                func.count(EssaimageInvitation.declined_at),
            )
            .where(EssaimageInvitation.day_id.in_([d.id for d in days]))
            .group_by(EssaimageInvitation.day_id)
        )
        counts = {day_id: DayCounts(*numbers) for day_id, *numbers in rows}
    return [(d, counts.get(d.id, DayCounts())) for d in days]


def invitations_of(day: EssaimageDay) -> list[EssaimageInvitation]:
    """The day's invitations, by association name (one query)."""
    rows = db.session.scalars(
        select(EssaimageInvitation)
        .join(Association, Association.id == EssaimageInvitation.association_id)
        .where(EssaimageInvitation.day_id == day.id)
        .order_by(Association.name, EssaimageInvitation.id)
    ).unique()
    return list(rows)


def is_registered(invitation: EssaimageInvitation) -> bool:
    return invitation.registered_at is not None and invitation.declined_at is None


def invitation_of(day: EssaimageDay, association) -> EssaimageInvitation | None:
    return db.session.scalar(
        select(EssaimageInvitation).where(
            EssaimageInvitation.day_id == day.id,
            EssaimageInvitation.association_id == association.id,
        )
    )


def invitations_for(org, association) -> list[EssaimageInvitation]:
    """The association's invitations, the latest day first."""
    return list(
        db.session.scalars(
            select(EssaimageInvitation)
            .join(EssaimageInvitation.day)
            .options(contains_eager(EssaimageInvitation.day))
            .where(
                EssaimageInvitation.association_id == association.id,
                EssaimageDay.organisation_id == org.id,
            )
            .order_by(EssaimageDay.starts_at.desc())
        ).unique()
    )


def funded_associations(org, year: int) -> list[Association]:
    """The associations with a funded application to a call of `year`: the lead association and
    the partners of joint applications, once each, by name."""
    funded = (
        select(Application.id)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .join(Decision, Decision.application_id == Application.id)
        .where(
            AmiCall.organisation_id == org.id,
            AmiCall.year == year,
            Decision.outcome == Outcome.FUNDED,
        )
    )
    leads = select(Application.association_id).where(Application.id.in_(funded))
    partners = select(application_partner.c.association_id).where(
        application_partner.c.application_id.in_(funded)
    )
    ids = union(leads, partners).subquery()
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.organisation_id == org.id, Association.id.in_(select(ids)))
            .order_by(Association.name)
        )
    )


def others_to_invite(org, day: EssaimageDay) -> list[Association]:
    """The organisation's associations not invited yet, by name."""
    invited = select(EssaimageInvitation.association_id).where(EssaimageInvitation.day_id == day.id)
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.organisation_id == org.id, Association.id.not_in(invited))
            .order_by(Association.name)
        )
    )


# --- invitations ----------------------------------------------------------------------------


def _domain(org) -> str:
    return base_url(org).split("://", 1)[-1]


def _people(association) -> list:
    return [m.user for m in people_of(association) if m.user.active]


def ics_for(org, day: EssaimageDay, association, rounds=None) -> bytes:
    """The day's .ics for one association, with its rounds once the plan is built."""
    if rounds is None:
        stored = stored_plan(org, day, with_figures=False)
        rounds = stored.rounds_of(association.id) if stored else []
    endpoint = "ami.essaimage_my_plan" if rounds else "ami.essaimage_mine"
    values = {"association_id": association.id}
    if rounds:
        values["day_id"] = day.id
    link = external_url(org, endpoint, **values)
    return essaimage_calendar.calendar(day, association, rounds, link, _domain(org))


def _invite(actor, org, day, associations, reason: InvitationReason) -> list:
    if utcnow() >= registration_closes(day):
        raise NetworkError("essaimage_invite_closed")
    invited = {
        a
        for (a,) in db.session.execute(
            select(EssaimageInvitation.association_id).where(EssaimageInvitation.day_id == day.id)
        )
    }
    created = []
    for association in associations:
        if association.id in invited or association.organisation_id != org.id:
            continue
        invitation = EssaimageInvitation(
            day_id=day.id, association_id=association.id, association=association, reason=reason
        )
        db.session.add(invitation)
        invited.add(association.id)
        created.append(invitation)
        _tell_invited(org, day, association)
    db.session.flush()
    if created:
        record(
            actor,
            org,
            "network.essaimage.invite",
            day,
            {"reason": str(reason), "associations": [i.association_id for i in created]},
        )
    return created


def _tell_invited(org, day, association) -> None:
    link = external_url(org, "ami.essaimage_mine", association_id=association.id)
    ics = ics_for(org, day, association, rounds=[])
    for person in _people(association):
        queue_email(
            person.email,
            "ami/network/essaimage_invitation",
            organisation=org,
            locale=person.locale,
            attachments=[Attachment("essaimage.ics", "text/calendar", ics)],
            person=person,
            association=association,
            day=day,
            closes_at=registration_closes(day),
            link=link,
        )


def invite_funded(actor, org, day: EssaimageDay) -> list[EssaimageInvitation]:
    """Invite every association funded in the day's year not invited yet (leads and partners);
    each is told by e-mail with the .ics. Returns the new invitations."""
    return _invite(actor, org, day, funded_associations(org, day.year), InvitationReason.FUNDED)


def invite_chosen(actor, org, day: EssaimageDay, associations) -> list[EssaimageInvitation]:
    return _invite(actor, org, day, associations, InvitationReason.CHOSEN)


def uninvite(actor, org, day: EssaimageDay, invitation: EssaimageInvitation) -> None:
    """Withdraw an invitation (before the plan is built); the association is told."""
    if day.plan_built_at is not None:
        raise NetworkError("essaimage_plan_built")
    association = invitation.association
    for person in _people(association):
        queue_email(
            person.email,
            "ami/network/essaimage_withdrawn",
            organisation=org,
            locale=person.locale,
            person=person,
            association=association,
            day=day,
        )
    record(
        actor,
        org,
        "network.essaimage.uninvite",
        day,
        {"association_id": association.id, "was_registered": is_registered(invitation)},
    )
    db.session.delete(invitation)
    db.session.flush()


def respond(actor, org, invitation: EssaimageInvitation, attending: bool, attendees=None):
    """The association registers (with how many people) or declines; it may change its mind
    until registration closes."""
    day = invitation.day
    now = utcnow()
    closes = registration_closes(day)
    if now >= closes:
        raise NetworkError("essaimage_closed", closes=closes)
    if attending:
        if attendees is None or not 1 <= attendees <= MAX_ATTENDEES:
            raise NetworkError("essaimage_attendees")
        if not is_registered(invitation):
            invitation.registered_at = now
        invitation.declined_at = None
        invitation.attendees = attendees
    else:
        invitation.declined_at = now
        invitation.registered_at = None
    invitation.responded_by_id = actor.id
    db.session.flush()
    record(
        actor,
        org,
        "network.essaimage.respond",
        day,
        {
            "association_id": invitation.association_id,
            "attending": attending,
            "attendees": invitation.attendees if attending else 0,
        },
    )


# --- the plan -------------------------------------------------------------------------------


def _application_groups(org, group, condition, ids: set[int]) -> dict[frozenset[int], set]:
    """{pair of `ids`: the `group` values (a hearing, an application) both belong to}, through
    the organisation's applications meeting `condition`, partners counting with their lead
    association. Two queries."""
    base = (
        select(group)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .where(AmiCall.organisation_id == org.id, condition)
    )
    leads = db.session.execute(base.add_columns(Application.association_id)).all()
    partners = db.session.execute(
        base.add_columns(application_partner.c.association_id).join(
            application_partner, application_partner.c.application_id == Application.id
        )
    ).all()
    groups: dict[int, set[int]] = defaultdict(set)
    for key, who in [*leads, *partners]:
        if who in ids:
            groups[key].add(who)
    pairs: dict[frozenset[int], set] = defaultdict(set)
    for key, members in groups.items():
        for x, y in combinations(sorted(members), 2):
            pairs[frozenset((x, y))].add(key)
    return pairs


def _matched(ids: set[int]) -> set[frozenset[int]]:
    rows = db.session.execute(
        select(Match.first_association_id, Match.second_association_id).where(
            Match.ended_at.is_(None),
            Match.first_association_id.in_(ids),
            Match.second_association_id.in_(ids),
        )
    )
    return {frozenset(row) for row in rows}


def preferences(org, ids) -> dict[frozenset[int], int]:
    """The plan's preference of each pair: an active match 3, a suggestion score of at least 6
    2, any other suggestion 1; pairs already working together 0 (they know each other). In a
    bounded number of queries."""
    ids = set(ids)
    if len(ids) < 2:
        return {}
    profiles = queries.profiles(org, ids, listed_only=False)
    # the hearings each pair was heard in together (ami.network.queries.heard_together, for
    # every pair at once)
    heard = _application_groups(
        org, Application.hearing_id, Application.hearing_id.is_not(None), ids
    )
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
    for pair in _matched(ids):
        result[pair] = PREFER_MATCHED
    # on one submitted application (lead or partner): they already work together
    for pair in _application_groups(
        org, Application.id, Application.submitted_at.is_not(None), ids
    ):
        result.pop(pair, None)
    return result


def registered_invitations(day: EssaimageDay) -> list[EssaimageInvitation]:
    return [i for i in invitations_of(day) if is_registered(i)]


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
    link = external_url(org, "ami.essaimage_my_plan", association_id=association.id, day_id=day.id)
    ics = ics_for(org, day, association, rounds)
    for person in _people(association):
        queue_email(
            person.email,
            "ami/network/essaimage_plan",
            organisation=org,
            locale=person.locale,
            attachments=[Attachment("essaimage.ics", "text/calendar", ics)],
            person=person,
            association=association,
            day=day,
            rounds=rounds,
            link=link,
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
