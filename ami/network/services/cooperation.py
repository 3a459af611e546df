"""Cooperation tracking: who works with whom in a year, and whether the cooperation was born
after a hearing, a match or an essaimage day.

A cooperation is a pair of associations in a year. It comes from joint applications (an
application that is not a draft links its lead association with each partner, and the
partners with each other, at its submission) and from cooperations declared by one of the two
associations or by the EPCI (`ami_cooperation`). Its date is the earliest of its sources; an
event of the network before that date is one of its origins (the pure rules, with no database:
ami.network.cooperation_rules).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from ami.messages import error_messages
from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    Association,
    Hearing,
    HearingSlot,
    application_partner,
)
from ami.network.cooperation_rules import (
    CooperationRow,
    HeardTogether,
    Source,
    application_pairs,
    groups_shared,
    origins_of,
    pair,
    tables_shared,
)
from ami.network.models import Cooperation, EssaimageDay, EssaimageSeat, Match
from ami.network.services.common import NetworkError
from ami.services.applications import association_people
from app.audit.services import record
from app.db import db
from app.i18n import _
from app.mail.services import queue_email
from app.users.models import User
from app.web import sort_key
from app.web.urls import external_url

FIRST_YEAR, LAST_YEAR = 2000, 2100
DESCRIPTION_MAX = 1000


@error_messages
def _messages(params: dict) -> dict[str, str]:
    return {
        "cooperation_self": _(
            "Une association ne peut pas déclarer une coopération avec elle-même."
        ),
        "cooperation_exists": _(
            "Une coopération entre ces deux associations est déjà déclarée pour %(year)s.",
            year=params.get("year", ""),
        ),
        "cooperation_year": _(
            "Indiquez une année entre %(first)s et %(last)s.", first=FIRST_YEAR, last=LAST_YEAR
        ),
        "cooperation_description": _(
            "Décrivez la coopération en %(max)s caractères au plus.", max=DESCRIPTION_MAX
        ),
        "cooperation_other_organisation": _("Cette association n'est pas connue ici."),
    }


# --- reading the rows -----------------------------------------------------------------------


def _joint_sources(org, year: int | None, association_id: int | None):
    """{(year, pair): [Source]} from the joint applications (not drafts), in one query."""
    partner = select(application_partner.c.application_id)
    query = (
        select(
            Application.id,
            Application.number,
            Application.title,
            Application.association_id,
            Application.submitted_at,
            Application.created_at,
            AmiCall.year,
            application_partner.c.association_id,
        )
        .join(AmiCall, AmiCall.id == Application.call_id)
        .join(application_partner, application_partner.c.application_id == Application.id)
        .join(Association, Association.id == application_partner.c.association_id)
        .where(
            AmiCall.organisation_id == org.id,
            Association.organisation_id == org.id,
            Application.status != ApplicationStatus.DRAFT,
        )
    )
    if year is not None:
        query = query.where(AmiCall.year == year)
    if association_id is not None:
        partner = partner.where(application_partner.c.association_id == association_id)
        query = query.where(
            or_(Application.association_id == association_id, Application.id.in_(partner))
        )
    applications: dict[int, dict] = {}
    for (
        app_id,
        number,
        title,
        lead,
        submitted,
        created,
        call_year,
        partner_id,
    ) in db.session.execute(query.order_by(Application.id)):
        entry = applications.setdefault(
            app_id,
            {
                "lead": lead,
                "partners": set(),
                "year": call_year,
                "source": Source(
                    "application",
                    submitted or created,
                    application_id=app_id,
                    number=number or "",
                    title=title or "",
                ),
            },
        )
        entry["partners"].add(partner_id)
    found: dict[tuple[int, tuple[int, int]], list[Source]] = defaultdict(list)
    for entry in applications.values():
        for key in application_pairs(entry["lead"], entry["partners"]):
            if association_id is None or association_id in key:
                found[(entry["year"], key)].append(entry["source"])
    return found


def _declared_sources(org, year: int | None, association_id: int | None, found) -> None:
    query = select(
        Cooperation.id,
        Cooperation.first_association_id,
        Cooperation.second_association_id,
        Cooperation.year,
        Cooperation.description,
        Cooperation.declared_at,
    ).where(Cooperation.organisation_id == org.id)
    if year is not None:
        query = query.where(Cooperation.year == year)
    if association_id is not None:
        query = query.where(
            or_(
                Cooperation.first_association_id == association_id,
                Cooperation.second_association_id == association_id,
            )
        )
    for coop_id, first, second, coop_year, description, declared_at in db.session.execute(
        query.order_by(Cooperation.id)
    ):
        found[(coop_year, pair(first, second))].append(
            Source("declared", declared_at, cooperation_id=coop_id, description=description or "")
        )


def _hearings(org, ids: set[int]) -> dict[tuple[int, int], list[HeardTogether]]:
    """{pair: [HeardTogether]} for the given associations, lead or partner, in two queries."""
    base = (
        select(Application.hearing_id, AmiCall.year, HearingSlot.starts_at)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .join(Hearing, Hearing.id == Application.hearing_id)
        .outerjoin(HearingSlot, HearingSlot.id == Hearing.slot_id)
        .where(AmiCall.organisation_id == org.id)
    )
    leads = db.session.execute(
        base.add_columns(Application.association_id).where(Application.association_id.in_(ids))
    ).all()
    partners = db.session.execute(
        base.add_columns(application_partner.c.association_id)
        .join(application_partner, application_partner.c.application_id == Application.id)
        .where(application_partner.c.association_id.in_(ids))
    ).all()
    info = {hearing_id: HeardTogether(y, starts) for hearing_id, y, starts, _a in leads + partners}
    shared = groups_shared((hearing_id, who) for hearing_id, _y, _s, who in leads + partners)
    return {key: [info[h] for h in sorted(hearings)] for key, hearings in shared.items()}


def _matches(org, ids: set[int]) -> dict[tuple[int, int], list[datetime]]:
    rows = db.session.execute(
        select(Match.first_association_id, Match.second_association_id, Match.matched_at).where(
            Match.organisation_id == org.id,
            Match.first_association_id.in_(ids),
            Match.second_association_id.in_(ids),
        )
    )
    result: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for first, second, matched_at in rows:
        result[pair(first, second)].append(matched_at)
    return result


def _essaimage(org, ids: set[int]) -> dict[tuple[int, int], list[datetime]]:
    rows = db.session.execute(
        select(
            EssaimageSeat.day_id,
            EssaimageSeat.round,
            EssaimageSeat.table_number,
            EssaimageSeat.association_id,
            EssaimageDay.starts_at,
        )
        .join(EssaimageDay, EssaimageDay.id == EssaimageSeat.day_id)
        .where(EssaimageDay.organisation_id == org.id, EssaimageSeat.association_id.in_(ids))
    ).all()
    starts = {day_id: starts_at for day_id, _r, _t, _a, starts_at in rows}
    shared = tables_shared((d, r, t, a) for d, r, t, a, _s in rows)
    return {key: [starts[d] for d in sorted(days)] for key, days in shared.items()}


def _rows(org, year: int | None = None, association_id: int | None = None) -> list:
    found = _joint_sources(org, year, association_id)
    _declared_sources(org, year, association_id, found)
    if not found:
        return []
    ids = {a for _y, key in found for a in key}
    associations = {
        a.id: a
        for a in db.session.scalars(
            select(Association)
            .options(lazyload(Association.themes), lazyload(Association.qpvs))
            .where(Association.organisation_id == org.id, Association.id.in_(ids))
        )
    }
    hearings, matches, days = _hearings(org, ids), _matches(org, ids), _essaimage(org, ids)
    rows = []
    for (row_year, key), sources in found.items():
        if key[0] not in associations or key[1] not in associations:
            continue
        sources = sorted(sources, key=lambda s: (s.date, s.kind, s.number, s.cooperation_id or 0))
        date = sources[0].date
        rows.append(
            CooperationRow(
                first=associations[key[0]],
                second=associations[key[1]],
                year=row_year,
                sources=sources,
                date=date,
                origins=origins_of(
                    row_year, date, hearings.get(key, ()), matches.get(key, ()), days.get(key, ())
                ),
            )
        )
    return rows


def _name_key(association: Association) -> tuple[str, int]:
    return (sort_key(association.name), association.id)


def network_of_year(org, year: int) -> list[CooperationRow]:
    """The organisation's cooperations of `year`, by the names of the two associations, in
    seven queries whatever their number."""
    rows = _rows(org, year=year)
    for row in rows:
        if _name_key(row.second) < _name_key(row.first):
            row.first, row.second = row.second, row.first
    return sorted(rows, key=lambda r: (_name_key(r.first), _name_key(r.second)))


def cooperations_of(org, association: Association) -> list[CooperationRow]:
    """The association's cooperations of every year (the latest first, then by partner)."""
    rows = _rows(org, association_id=association.id)
    return sorted(rows, key=lambda r: (-r.year, _name_key(r.partner_of(association.id))))


def years_of(org) -> list[int]:
    """The years having a call or a declared cooperation, the latest first."""
    calls = db.session.scalars(
        select(AmiCall.year).where(AmiCall.organisation_id == org.id).distinct()
    )
    declared = db.session.scalars(
        select(Cooperation.year).where(Cooperation.organisation_id == org.id).distinct()
    )
    return sorted({*calls, *declared}, reverse=True)


# --- declaring and deleting -----------------------------------------------------------------


def cooperation_in(org, cooperation_id: int) -> Cooperation | None:
    return db.session.scalar(
        select(Cooperation).where(
            Cooperation.id == cooperation_id, Cooperation.organisation_id == org.id
        )
    )


def declared_between(a_id: int, b_id: int, year: int) -> Cooperation | None:
    first, second = pair(a_id, b_id)
    return db.session.scalar(
        select(Cooperation).where(
            Cooperation.first_association_id == first,
            Cooperation.second_association_id == second,
            Cooperation.year == year,
        )
    )


def _check(org, a: Association, b: Association, year: int, description: str) -> str:
    if a.organisation_id != org.id or b.organisation_id != org.id:
        raise NetworkError("cooperation_other_organisation")
    if a.id == b.id:
        raise NetworkError("cooperation_self")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NetworkError("cooperation_year")
    description = (description or "").strip()
    if not description or len(description) > DESCRIPTION_MAX:
        raise NetworkError("cooperation_description")
    if declared_between(a.id, b.id, year) is not None:
        raise NetworkError("cooperation_exists", year=year)
    return description


def declare(
    actor: User,
    org,
    a: Association,
    b: Association,
    year: int,
    description: str,
    by: Association | None = None,
) -> Cooperation:
    """Record a cooperation between `a` and `b` in `year`, declared by the association `by`
    (one of the two) or, when None, by the EPCI. The other association's people (both
    associations' when the EPCI declares it) are told by e-mail."""
    description = _check(org, a, b, year, description)
    first, second = sorted((a, b), key=lambda x: x.id)
    cooperation = Cooperation(
        organisation_id=org.id,
        first_association_id=first.id,
        second_association_id=second.id,
        first_association=first,
        second_association=second,
        year=year,
        description=description,
        declared_by_id=actor.id,
    )
    db.session.add(cooperation)
    db.session.flush()
    record(
        actor,
        org,
        "network.cooperation.declare",
        cooperation,
        {
            "associations": [first.id, second.id],
            "year": year,
            "by_association_id": by.id if by else None,
        },
    )
    told = [x for x in (a, b) if by is None or x.id != by.id]
    for association in told:
        partner = b if association.id == a.id else a
        _tell(org, association, partner, cooperation, by, actor)
    return cooperation


def _tell(org, association, partner, cooperation, by, actor) -> None:
    link = external_url(org, "ami.cooperations_mine", association_id=association.id)
    for person in association_people(association):
        queue_email(
            person.email,
            "ami/network/cooperation_declared",
            organisation=org,
            locale=getattr(person, "locale", None) or "fr",
            person=person,
            association=association,
            partner=partner,
            declarer=by.name if by is not None else org.name,
            cooperation=cooperation,
            link=link,
        )


def delete(actor: User, org, cooperation: Cooperation) -> None:
    """Remove a declared cooperation (the joint applications stay what they are)."""
    details = {
        "associations": [cooperation.first_association_id, cooperation.second_association_id],
        "year": cooperation.year,
        "description": cooperation.description,
    }
    record(actor, org, "network.cooperation.delete", cooperation, details)
    db.session.delete(cooperation)
    db.session.flush()
