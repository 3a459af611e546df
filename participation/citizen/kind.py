"""Citizen consultations as a consultation kind of the decision path: contributions,
supports and the feedback given."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select

from app.consultation_kinds import Candidate, ConsultationKind, TimelineEntry, link, register
from app.db import db, utcnow
from app.i18n import _
from participation.citizen import rules
from participation.citizen.models import ContentStatus, Phase, Proposal, PublicConsultation

KEY = "citizen_consultation"


def _label() -> str:
    return _("Consultation citoyenne")


def candidates(organisation) -> list[Candidate]:
    rows = db.session.execute(
        select(PublicConsultation.id, PublicConsultation.title)
        .where(PublicConsultation.organisation_id == organisation.id)
        .order_by(PublicConsultation.information_starts_at.desc(), PublicConsultation.id.desc())
    )
    return [Candidate(id, title) for id, title in rows]


def summary(proposals: int, supports: int, answered: int) -> str:
    return _(
        "%(proposals)d contribution(s) publiée(s), %(supports)d soutien(s) ; "
        "%(answered)d avec une réponse de l'EPCI",
        proposals=proposals,
        supports=supports,
        answered=answered,
    )


def entries(organisation, ids: Sequence[int]) -> dict[int, TimelineEntry]:
    if not ids:
        return {}
    consultations = db.session.scalars(
        select(PublicConsultation).where(
            PublicConsultation.organisation_id == organisation.id,
            PublicConsultation.id.in_(ids),
        )
    ).all()
    found = [c.id for c in consultations]
    proposals: Counter = Counter()
    supports: Counter = Counter()
    answered: Counter = Counter()
    for consultation_id, n, support, with_feedback in db.session.execute(
        select(
            Proposal.consultation_id,
            func.count(),
            func.coalesce(func.sum(Proposal.support_count), 0),
            func.count(Proposal.feedback_status),
        )
        .where(Proposal.consultation_id.in_(found), Proposal.status == ContentStatus.PUBLISHED)
        .group_by(Proposal.consultation_id)
    ):
        proposals[consultation_id] = n
        supports[consultation_id] = int(support)
        answered[consultation_id] = with_feedback
    now = utcnow()
    result = {}
    for c in consultations:
        phase = rules.phase(c, now)
        result[c.id] = TimelineEntry(
            kind=KEY,
            id=c.id,
            kind_label=_label(),
            title=c.title,
            starts_at=c.contributions_start_at,
            ends_at=c.contributions_end_at,
            is_open=phase in (Phase.UPCOMING, Phase.INFORMATION, Phase.CONTRIBUTIONS),
            summary=summary(proposals[c.id], supports[c.id], answered[c.id]),
            counts={
                "contributions": proposals[c.id],
                "supports": supports[c.id],
                "feedback": answered[c.id],
            },
            url=link("citizen_manage.detail", consultation_id=c.id),
            public_url=link("citizen.consultation", slug=c.slug) if c.published else None,
            public=c.published,
        )
    return result


register(ConsultationKind(KEY, _label, candidates, entries, order=40))
