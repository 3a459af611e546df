"""Referrals to the conseil de développement (and its own-initiative subjects) as a
consultation kind of the decision path: their contributions and the EPCI's follow-ups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.consultation_kinds import Candidate, ConsultationKind, TimelineEntry, link, register
from app.db import db, utcnow
from app.i18n import _, ngettext
from participation.council.models import (
    Contribution,
    ContributionStatus,
    FollowUpStatus,
    Referral,
    ReferralKind,
)

KEY = "council_referral"


def _label() -> str:
    return _("Conseil de développement")


def candidates(organisation) -> list[Candidate]:
    rows = db.session.execute(
        select(Referral.id, Referral.kind, Referral.title)
        .where(Referral.organisation_id == organisation.id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    )
    return [
        Candidate(
            id,
            _("Auto-saisine : %(title)s", title=title)
            if kind is ReferralKind.OWN_INITIATIVE
            else _("Saisine : %(title)s", title=title),
        )
        for id, kind, title in rows
    ]


def summary(contributions: list[Contribution]) -> str:
    """Each adopted or transmitted contribution, its vote and whether the EPCI answered."""
    parts = []
    for c in contributions:
        if c.status not in (ContributionStatus.ADOPTED, ContributionStatus.TRANSMITTED):
            continue
        state = (
            _("transmise à l'EPCI")
            if c.status is ContributionStatus.TRANSMITTED
            else _("adoptée, pas encore transmise")
        )
        answered = c.follow_up is not None and c.follow_up.status is FollowUpStatus.ANSWERED
        follow = _("réponse de l'EPCI publiée") if answered else _("réponse de l'EPCI attendue")
        parts.append(
            _(
                "Contribution « %(title)s » %(state)s (%(for)d pour, %(against)d contre) ; "
                "%(follow)s",
                title=c.title,
                state=state,
                follow=follow if c.status is ContributionStatus.TRANSMITTED else "",
                **{"for": c.votes_for, "against": c.votes_against},
            ).rstrip(" ;")
        )
    if not parts:
        drafts = len(contributions)
        return ngettext(
            "Aucune contribution adoptée (%(num)d en cours)",
            "Aucune contribution adoptée (%(num)d en cours)",
            drafts,
        )
    return " — ".join(parts)


def entries(organisation, ids: Sequence[int]) -> dict[int, TimelineEntry]:
    if not ids:
        return {}
    referrals = db.session.scalars(
        select(Referral).where(Referral.organisation_id == organisation.id, Referral.id.in_(ids))
    ).all()
    by_referral: dict[int, list[Contribution]] = defaultdict(list)
    for contribution in db.session.scalars(
        select(Contribution)
        .options(joinedload(Contribution.follow_up))
        .where(Contribution.referral_id.in_([r.id for r in referrals]))
        .order_by(Contribution.id)
    ):
        by_referral[contribution.referral_id].append(contribution)
    now = utcnow()
    result = {}
    for r in referrals:
        contributions = by_referral[r.id]
        transmitted = [c for c in contributions if c.status is ContributionStatus.TRANSMITTED]
        answered = [
            c
            for c in transmitted
            if c.follow_up is not None and c.follow_up.status is FollowUpStatus.ANSWERED
        ]
        ended = max((c.transmitted_at for c in transmitted if c.transmitted_at), default=None)
        result[r.id] = TimelineEntry(
            kind=KEY,
            id=r.id,
            kind_label=_label(),
            title=r.title,
            starts_at=r.created_at,
            ends_at=ended or r.deadline,
            is_open=not transmitted and (r.deadline is None or r.deadline > now),
            summary=summary(contributions),
            counts={
                "contributions": len(contributions),
                "adopted": sum(
                    c.status in (ContributionStatus.ADOPTED, ContributionStatus.TRANSMITTED)
                    for c in contributions
                ),
                "transmitted": len(transmitted),
                "follow_ups_answered": len(answered),
            },
            url=link("council.referral", referral_id=r.id),
            public=bool(transmitted),
            public_url=(
                link("council.public_contribution", contribution_id=transmitted[0].id)
                if transmitted
                else None
            ),
        )
    return result


register(ConsultationKind(KEY, _label, candidates, entries, order=30))
