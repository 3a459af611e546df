"""Reads shared by the network's pages: settings, profiles, the profiles the suggestion score
needs, the associations heard or applying together, interests and matches between two
associations. Everything is scoped to one organisation, in a bounded number of queries."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from sqlalchemy import select

from ami.models import (
    AmiCall,
    Application,
    Association,
    InterestDisclosure,
    application_partner,
    association_qpv,
    association_theme,
)
from ami.network import rules
from ami.network.models import (
    DirectoryProfile,
    DirectoryVisibility,
    Interest,
    Match,
    NetworkSettings,
    NetworkTag,
    directory_commune,
    directory_need,
    directory_offer,
)
from ami.permissions import association_ids
from app.db import db
from app.organisations.models import Commune


def settings_of(org) -> NetworkSettings:
    """The organisation's settings; unsaved defaults when it has none yet."""
    row = db.session.scalar(
        select(NetworkSettings).where(NetworkSettings.organisation_id == org.id)
    )
    if row is None:
        row = NetworkSettings(
            organisation_id=org.id, directory_visibility=DirectoryVisibility.ASSOCIATIONS
        )
    return row


def tags_of(org) -> list[NetworkTag]:
    return list(
        db.session.scalars(
            select(NetworkTag)
            .where(NetworkTag.organisation_id == org.id)
            .order_by(NetworkTag.position, NetworkTag.name)
        )
    )


def profile_of(association: Association) -> DirectoryProfile | None:
    return db.session.scalar(
        select(DirectoryProfile).where(DirectoryProfile.association_id == association.id)
    )


def is_listed(association: Association) -> bool:
    """Whether the association appears in the directory (one query, no object)."""
    return bool(
        db.session.scalar(
            select(DirectoryProfile.listed).where(DirectoryProfile.association_id == association.id)
        )
    )


def acting_associations(user, org) -> list[Association]:
    """The associations of `org` the person acts for, by name."""
    ids = association_ids(user)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.id.in_(ids), Association.organisation_id == org.id)
            .order_by(Association.name)
        )
    )


def current_call(org) -> AmiCall | None:
    """The organisation's latest published call: its disclosure rule applies to new
    interests."""
    return db.session.scalar(
        select(AmiCall)
        .where(AmiCall.organisation_id == org.id, AmiCall.published_at.is_not(None))
        .order_by(AmiCall.year.desc(), AmiCall.opens_at.desc(), AmiCall.id.desc())
        .limit(1)
    )


def disclosure_of(interest: Interest) -> InterestDisclosure:
    """What the association an interest is marked in may learn of it (the rule of the call
    it was marked under; without a call, nothing before a match)."""
    if interest.call_id is None:
        return InterestDisclosure.ON_MATCH
    call = db.session.get(AmiCall, interest.call_id)
    return call.interest_disclosure if call else InterestDisclosure.ON_MATCH


def interest_between(from_id: int, to_id: int) -> Interest | None:
    return db.session.scalar(
        select(Interest).where(
            Interest.from_association_id == from_id, Interest.to_association_id == to_id
        )
    )


def match_between(a_id: int, b_id: int) -> Match | None:
    first, second = sorted((a_id, b_id))
    return db.session.scalar(
        select(Match).where(
            Match.first_association_id == first, Match.second_association_id == second
        )
    )


def active_match_ids(association_id: int) -> set[int]:
    """The associations `association_id` is currently matched with."""
    rows = db.session.execute(
        select(Match.first_association_id, Match.second_association_id).where(
            Match.ended_at.is_(None),
            (Match.first_association_id == association_id)
            | (Match.second_association_id == association_id),
        )
    )
    return {b if a == association_id else a for a, b in rows}


# --- the suggestion score's inputs ----------------------------------------------------------


def _pairs(table, left: str, right: str, ids) -> dict[int, set]:
    out: dict[int, set] = defaultdict(set)
    rows = db.session.execute(select(table.c[left], table.c[right]).where(table.c[left].in_(ids)))
    for key, value in rows:
        out[key].add(value)
    return out


def profiles(org, association_ids_: set[int] | None = None, listed_only: bool = True):
    """{association id: rules.Profile} for the organisation's associations (listed in the
    directory only, unless `listed_only` is false), in seven queries whatever their number.
    `association_ids_` adds these associations even when not listed (the one asking)."""
    # columns only, no ORM object: their themes, QPVs, tags and communes are read below as
    # id pairs (loading them as objects took 1.3 s of 1.9 for 300 associations on PostgreSQL)
    query = (
        select(
            Association.id,
            Association.name,
            Association.commune_id,
            Association.postal_code,
            DirectoryProfile.id.label("profile_id"),
            DirectoryProfile.listed,
        )
        .outerjoin(DirectoryProfile, DirectoryProfile.association_id == Association.id)
        .where(Association.organisation_id == org.id)
    )
    rows = db.session.execute(query).all()
    keep = [
        a
        for a in rows
        if not listed_only
        or (a.profile_id is not None and a.listed)
        or a.id in (association_ids_ or ())
    ]
    ids = [a.id for a in keep]
    if not ids:
        return {}
    themes = _pairs(association_theme, "association_id", "theme_id", ids)
    qpvs = _pairs(association_qpv, "association_id", "qpv_id", ids)
    pids = [a.profile_id for a in keep if a.profile_id is not None]
    offers = _pairs(directory_offer, "profile_id", "tag_id", pids)
    needs = _pairs(directory_need, "profile_id", "tag_id", pids)
    acts_in = _pairs(directory_commune, "profile_id", "commune_id", pids)
    communes = {
        c.id: c
        for c in db.session.execute(
            select(Commune.id, Commune.postal_codes, Commune.sector_id).where(
                Commune.organisation_id == org.id
            )
        )
    }
    result = {}
    for association in keep:
        pid = association.profile_id
        commune_ids = set(acts_in.get(pid, ())) if pid else set()
        if association.commune_id:
            commune_ids.add(association.commune_id)
        postal = {association.postal_code} if association.postal_code else set()
        sectors = set()
        for cid in commune_ids:
            commune = communes.get(cid)
            if commune is None:
                continue
            postal.update(code for code in (commune.postal_codes or "").split() if code)
            if commune.sector_id:
                sectors.add(commune.sector_id)
        result[association.id] = rules.Profile(
            id=association.id,
            name=association.name,
            theme_ids=frozenset(themes.get(association.id, ())),
            qpv_ids=frozenset(qpvs.get(association.id, ())),
            commune_ids=frozenset(commune_ids),
            postal_codes=frozenset(postal),
            sector_ids=frozenset(sectors),
            offer_tag_ids=frozenset(offers.get(pid, ())) if pid else frozenset(),
            need_tag_ids=frozenset(needs.get(pid, ())) if pid else frozenset(),
        )
    return result


def _application_members(org, group, condition) -> dict[int, set[int]]:
    """{`group` value (a hearing, an application): the associations of the organisation's
    applications meeting `condition` that have it}, the partners of a joint application
    counting with its lead association. Two queries."""
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
        groups[key].add(who)
    return groups


def _hearing_members(org) -> dict[int, set[int]]:
    """{hearing id: the associations heard in that group}."""
    return _application_members(org, Application.hearing_id, Application.hearing_id.is_not(None))


def _pairs_within(groups: dict[int, set[int]], ids) -> dict[frozenset[int], set[int]]:
    """{pair of `ids`: the groups both belong to}."""
    pairs: dict[frozenset[int], set[int]] = defaultdict(set)
    for key, members in groups.items():
        for x, y in combinations(sorted(members & ids), 2):
            pairs[frozenset((x, y))].add(key)
    return pairs


def heard_together(org, association_id: int) -> dict[int, set[int]]:
    """{other association id: hearings (ids) where both were heard in the same group}, the
    partners of a joint application counting with its lead association."""
    result: dict[int, set[int]] = defaultdict(set)
    for hearing_id, members in _hearing_members(org).items():
        if association_id in members:
            for other in members - {association_id}:
                result[other].add(hearing_id)
    return dict(result)


def heard_together_pairs(org, ids) -> dict[frozenset[int], set[int]]:
    """heard_together for every pair of the associations `ids` at once: {pair of `ids` (a
    frozenset): hearings (ids) where both were heard in the same group}, the partners of a
    joint application counting with its lead association. Pairs never heard together are
    left out. Two queries whatever the number of associations."""
    return _pairs_within(_hearing_members(org), set(ids))


def applied_together_pairs(org, ids) -> dict[frozenset[int], set[int]]:
    """{pair of `ids` (a frozenset): the submitted applications (ids) both are on}, as lead
    association or partner: the pairs that already work together. Two queries."""
    groups = _application_members(org, Application.id, Application.submitted_at.is_not(None))
    return _pairs_within(groups, set(ids))


def active_match_pairs(ids) -> set[tuple[int, int]]:
    """The active matches between two of the associations `ids`, as (first, second) ids (the
    lower id first, as stored). One query."""
    ids = set(ids)
    rows = db.session.execute(
        select(Match.first_association_id, Match.second_association_id).where(
            Match.ended_at.is_(None),
            Match.first_association_id.in_(ids),
            Match.second_association_id.in_(ids),
        )
    )
    return {(first, second) for first, second in rows}


def interest_states(acting_ids, other_ids) -> dict[tuple[int, int], str]:
    """{(acting association, other association): state} in two queries, where the state is
    "matched" (an active match), "interested" (the acting one marked interest, no match yet)
    or "none". What the other one did is never told here (see the interests pages)."""
    acting_ids, other_ids = set(acting_ids), set(other_ids)
    states = {(a, o): "none" for a in acting_ids for o in other_ids if a != o}
    if not states:
        return states
    for from_id, to_id in db.session.execute(
        select(Interest.from_association_id, Interest.to_association_id).where(
            Interest.from_association_id.in_(acting_ids), Interest.to_association_id.in_(other_ids)
        )
    ):
        states[(from_id, to_id)] = "interested"
    for first, second in active_match_pairs(acting_ids | other_ids):
        for a, o in ((first, second), (second, first)):
            if (a, o) in states:
                states[(a, o)] = "matched"
    return states


_SIDES = (
    (Match.first_association_id, Match.first_read_at),
    (Match.second_association_id, Match.second_read_at),
)


def _unread_on_side(mine, read_at) -> tuple:
    """A message of an active match the side `mine` has not read (the other side sent it
    after that side last opened the thread)."""
    from sqlalchemy import or_

    from ami.network.models import NetworkMessage

    return (
        Match.ended_at.is_(None),
        NetworkMessage.sender_association_id != mine,
        or_(read_at.is_(None), NetworkMessage.created_at > read_at),
    )


def waiting_count(org, association_ids_) -> int:
    """Unread messages plus matches not yet opened, over the associations' sides of the
    organisation's active matches: one query, for the menu's badge (the same rules as
    `unread_counts` and the network's landing page)."""
    from sqlalchemy import func, literal

    from ami.network.models import NetworkMessage

    ids = set(association_ids_)
    if not ids:
        return 0
    counts = []
    for mine, read_at in _SIDES:
        counts.append(
            select(func.count(NetworkMessage.id))
            .join(Match, Match.id == NetworkMessage.match_id)
            .where(Match.organisation_id == org.id, mine.in_(ids), *_unread_on_side(mine, read_at))
            .scalar_subquery()
        )
        counts.append(
            select(func.count(Match.id))
            .where(
                Match.organisation_id == org.id,
                mine.in_(ids),
                Match.ended_at.is_(None),
                read_at.is_(None),
            )
            .scalar_subquery()
        )
    return db.session.scalar(select(sum(counts, literal(0)))) or 0


def unread_counts(association_ids_) -> dict[int, dict[int, int]]:
    """{association id: {match id: messages of the other side it has not read}} over its
    active matches, in two queries."""
    from sqlalchemy import func

    from ami.network.models import NetworkMessage

    ids = set(association_ids_)
    result: dict[int, dict[int, int]] = {i: {} for i in ids}
    if not ids:
        return result
    for mine, read_at in _SIDES:
        rows = db.session.execute(
            select(mine, Match.id, func.count(NetworkMessage.id))
            .join(NetworkMessage, NetworkMessage.match_id == Match.id)
            .where(mine.in_(ids), *_unread_on_side(mine, read_at))
            .group_by(mine, Match.id)
        )
        for association_id, match_id, count in rows:
            result[association_id][match_id] = count
    return result


def profiles_by_association(ids) -> dict[int, DirectoryProfile]:
    """{association id: its directory entry} for those that have one, in one query."""
    ids = set(ids)
    if not ids:
        return {}
    return {
        p.association_id: p
        for p in db.session.scalars(
            select(DirectoryProfile).where(DirectoryProfile.association_id.in_(ids))
        )
    }
