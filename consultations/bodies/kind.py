"""Agenda items of any body's meetings (with their vote or formal opinion) as a consultation
kind of the decision path."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.consultation_kinds import (
    Candidate,
    ConsultationKind,
    TimelineEntry,
    body_provider,
    link,
    register,
)
from app.db import db
from app.i18n import _
from app.paris import to_paris
from app.voting import VoteChoice
from consultations.bodies.models import (
    AgendaItem,
    Body,
    BodyMember,
    Meeting,
    MeetingStatus,
    Vote,
    VoteStatus,
)

KEY = "agenda_item"


def _label() -> str:
    return _("Avis d'une instance (point d'ordre du jour)")


def _items(organisation):
    return (
        select(AgendaItem)
        .join(AgendaItem.meeting)
        .join(Meeting.body)
        .options(contains_eager(AgendaItem.meeting).contains_eager(Meeting.body))
        .where(Body.organisation_id == organisation.id)
    )


def candidates(organisation) -> list[Candidate]:
    items = db.session.scalars(
        _items(organisation).order_by(Meeting.starts_at.desc(), AgendaItem.position)
    ).all()
    return [
        Candidate(
            item.id,
            f"{item.meeting.body.name}, {to_paris(item.meeting.starts_at):%d/%m/%Y} — {item.title}",
        )
        for item in items
    ]


def summary(item_adopted: bool | None, vote_status: VoteStatus, counts: Counter, opinion: str):
    """'Adopté : 20 pour, 3 contre, 2 abstentions' and/or the formal opinion's text."""
    parts = []
    if vote_status is VoteStatus.CLOSED:
        verdict = _("Adopté") if item_adopted else _("Rejeté")
        parts.append(
            _(
                "%(verdict)s : %(for)d pour, %(against)d contre, %(abstain)d abstention(s), "
                "%(not_voting)d ne prenant pas part au vote",
                verdict=verdict,
                **{
                    "for": counts[VoteChoice.FOR],
                    "against": counts[VoteChoice.AGAINST],
                    "abstain": counts[VoteChoice.ABSTAIN],
                    "not_voting": counts[VoteChoice.NOT_VOTING],
                },
            )
        )
    elif vote_status in (VoteStatus.PENDING, VoteStatus.OPEN):
        parts.append(_("Vote pas encore clos"))
    if opinion.strip():
        parts.append(_("Avis : %(text)s", text=opinion.strip()))
    return " — ".join(parts) or _("Point d'information, sans vote")


def entries(organisation, ids: Sequence[int]) -> dict[int, TimelineEntry]:
    if not ids:
        return {}
    items = db.session.scalars(_items(organisation).where(AgendaItem.id.in_(ids))).all()
    counts: dict[int, Counter] = defaultdict(Counter)
    for item_id, choice, weight in db.session.execute(
        select(Vote.item_id, Vote.choice, func.sum(BodyMember.weight))
        .join(BodyMember, BodyMember.id == Vote.member_id)
        .where(Vote.item_id.in_([i.id for i in items]))
        .group_by(Vote.item_id, Vote.choice)
    ):
        counts[item_id][VoteChoice(choice)] += int(weight or 0)
    result = {}
    for item in items:
        meeting = item.meeting
        held = meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED)
        voting = item.vote_status in (VoteStatus.PENDING, VoteStatus.OPEN)
        c = counts[item.id]
        result[item.id] = TimelineEntry(
            kind=KEY,
            id=item.id,
            kind_label=meeting.body.name,
            title=item.title,
            starts_at=meeting.starts_at,
            ends_at=None,  # a sitting is one day: placed at its date
            is_open=voting or not held,
            summary=summary(item.adopted, item.vote_status, c, item.opinion_text or ""),
            counts={
                "for": c[VoteChoice.FOR],
                "against": c[VoteChoice.AGAINST],
                "abstain": c[VoteChoice.ABSTAIN],
                "not_voting": c[VoteChoice.NOT_VOTING],
            },
            url=link("bodies.meeting_manage", meeting_id=meeting.id),
            public=meeting.minutes_public,
        )
    return result


register(ConsultationKind(KEY, _label, candidates, entries, order=20))


@body_provider
def bodies_of(organisation) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Body.kind, Body.name).where(Body.organisation_id == organisation.id)
    )
    return [(kind.value, name) for kind, name in rows]
