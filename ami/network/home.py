"""What awaits an association in the network: new matches, unread messages, associations
interested in it (where the call lets it see them), essaimage invitations to answer. Used by
the network's landing page and the home page's panel, in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import func, or_, select

from ami.models import AmiCall, InterestDisclosure
from ami.network import queries
from ami.network.models import EssaimageDay, EssaimageInvitation, Interest, Match
from ami.permissions import association_ids
from app.db import db, utcnow
from app.i18n import _, ngettext
from app.web.home import HomePanel, home_panel, menu_badge


@dataclass
class Waiting:
    """What awaits one association."""

    unread: int = 0
    matches: int = 0
    new_matches: int = 0
    interested: int = 0
    invitations: list = field(default_factory=list)


def _matches(ids) -> list[Match]:
    return list(
        db.session.scalars(
            select(Match).where(
                Match.ended_at.is_(None),
                or_(Match.first_association_id.in_(ids), Match.second_association_id.in_(ids)),
            )
        )
    )


def _interested(ids) -> dict[int, int]:
    """Interests in these associations they may see (LIST calls) and have not answered."""
    counts: dict[int, int] = {}
    rows = db.session.execute(
        select(Interest.to_association_id, Interest.from_association_id)
        .join(AmiCall, AmiCall.id == Interest.call_id)
        .where(
            Interest.to_association_id.in_(ids),
            AmiCall.interest_disclosure == InterestDisclosure.LIST,
        )
    ).all()
    if not rows:
        return counts
    answered = set(
        db.session.execute(
            select(Interest.from_association_id, Interest.to_association_id).where(
                Interest.from_association_id.in_(ids)
            )
        ).all()
    )
    for to_id, from_id in rows:
        if (to_id, from_id) not in answered:
            counts[to_id] = counts.get(to_id, 0) + 1
    return counts


def _invitations(ids, now) -> list[EssaimageInvitation]:
    return list(
        db.session.scalars(
            select(EssaimageInvitation)
            .join(EssaimageDay, EssaimageDay.id == EssaimageInvitation.day_id)
            .where(
                EssaimageInvitation.association_id.in_(ids),
                EssaimageInvitation.registered_at.is_(None),
                EssaimageInvitation.declined_at.is_(None),
                func.coalesce(EssaimageDay.registration_closes_at, EssaimageDay.starts_at) > now,
            )
            .order_by(EssaimageDay.starts_at)
        )
    )


def waiting_for(ids) -> dict[int, Waiting]:
    ids = set(ids)
    result = {i: Waiting() for i in ids}
    if not ids:
        return result
    for match in _matches(ids):
        for side in (match.first_association_id, match.second_association_id):
            if side in result:
                result[side].matches += 1
                if getattr(match, match.read_column(side)) is None:
                    result[side].new_matches += 1
    for association_id, per_match in queries.unread_counts(ids).items():
        result[association_id].unread = sum(per_match.values())
    for association_id, count in _interested(ids).items():
        result[association_id].interested = count
    for invitation in _invitations(ids, utcnow()):
        result[invitation.association_id].invitations.append(invitation)
    return result


def _items(association, waiting: Waiting) -> list[tuple[str, str | None]]:
    items = []
    matches_url = url_for("ami.network_matches", association_id=association.id)
    if waiting.new_matches:
        items.append(
            (
                ngettext(
                    "%(num)d nouvelle mise en relation pour %(name)s",
                    "%(num)d nouvelles mises en relation pour %(name)s",
                    waiting.new_matches,
                    name=association.name,
                ),
                matches_url,
            )
        )
    if waiting.unread:
        items.append(
            (
                ngettext(
                    "%(num)d message non lu pour %(name)s",
                    "%(num)d messages non lus pour %(name)s",
                    waiting.unread,
                    name=association.name,
                ),
                matches_url,
            )
        )
    if waiting.interested:
        items.append(
            (
                ngettext(
                    "%(num)d association intéressée par %(name)s",
                    "%(num)d associations intéressées par %(name)s",
                    waiting.interested,
                    name=association.name,
                ),
                matches_url,
            )
        )
    for invitation in waiting.invitations:
        items.append(
            (
                _(
                    "Invitation à répondre : %(title)s (%(name)s)",
                    title=invitation.day.title,
                    name=association.name,
                ),
                url_for("ami.essaimage_mine", association_id=association.id),
            )
        )
    return items


@menu_badge("ami.network_home")
def network_news(user, organisation, now) -> int:
    """Unread messages and matches not yet opened, for the associations the person acts for."""
    if organisation is None:
        return 0
    return queries.waiting_count(organisation, association_ids(user))


@home_panel
def network_panel(user, organisation) -> list[HomePanel]:
    if organisation is None or not association_ids(user):
        return []
    associations = queries.acting_associations(user, organisation)
    waiting = waiting_for(a.id for a in associations)
    items = [item for a in associations for item in _items(a, waiting[a.id])]
    return [
        HomePanel(
            title=_("Réseau des associations"),
            items=items,
            empty=_("Rien de nouveau dans le réseau : consultez vos suggestions de partenaires."),
            action=(_("Mon espace réseau"), url_for("ami.network_home")),
            order=23,
        )
    ]
