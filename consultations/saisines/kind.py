"""The saisines of communes as a consultation kind of the decision path."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select

from app.consultation_kinds import Candidate, ConsultationKind, TimelineEntry, link, register
from app.db import db
from app.i18n import _, ngettext
from consultations.saisines.models import (
    Opinion,
    ResponseStatus,
    Saisine,
    SaisineResponse,
    SaisineStatus,
    SaisineTarget,
)

KEY = "saisine"


def _label() -> str:
    return _("Saisine des communes")


def candidates(organisation) -> list[Candidate]:
    rows = db.session.execute(
        select(Saisine.id, Saisine.reference, Saisine.title)
        .where(Saisine.organisation_id == organisation.id, Saisine.status != SaisineStatus.DRAFT)
        .order_by(Saisine.opens_at.desc(), Saisine.id.desc())
    )
    return [Candidate(id, f"{reference} — {title}") for id, reference, title in rows]


def summary(answers: Counter, tacit: Counter, targets: int) -> str:
    """'3 favorables, 1 défavorable, 2 avec réserves, 4 avis tacites ; 6 réponses sur 10'."""
    parts = []
    words = (
        (Opinion.FAVORABLE, "%(num)d favorable", "%(num)d favorables"),
        (
            Opinion.FAVORABLE_WITH_RESERVATIONS,
            "%(num)d favorable avec réserves",
            "%(num)d favorables avec réserves",
        ),
        (Opinion.UNFAVORABLE, "%(num)d défavorable", "%(num)d défavorables"),
        (Opinion.ABSTENTION, "%(num)d abstention", "%(num)d abstentions"),
    )
    for opinion, one, many in words:
        if answers[opinion]:
            parts.append(ngettext(one, many, answers[opinion]))
    tacit_total = sum(tacit.values())
    if tacit_total:
        parts.append(ngettext("%(num)d avis tacite", "%(num)d avis tacites", tacit_total))
    replies = sum(answers.values())
    answered = _(
        "%(answers)d réponse(s) sur %(targets)d commune(s)", answers=replies, targets=targets
    )
    return (
        _("%(opinions)s ; %(answered)s", opinions=", ".join(parts), answered=answered)
        if (parts)
        else answered
    )


def entries(organisation, ids: Sequence[int]) -> dict[int, TimelineEntry]:
    if not ids:
        return {}
    saisines = db.session.scalars(
        select(Saisine).where(Saisine.organisation_id == organisation.id, Saisine.id.in_(ids))
    ).all()
    found = [s.id for s in saisines]
    answers: dict[int, Counter] = defaultdict(Counter)
    for saisine_id, opinion, n in db.session.execute(
        select(SaisineResponse.saisine_id, SaisineResponse.opinion, func.count())
        .where(
            SaisineResponse.saisine_id.in_(found),
            SaisineResponse.status == ResponseStatus.SUBMITTED,
        )
        .group_by(SaisineResponse.saisine_id, SaisineResponse.opinion)
    ):
        answers[saisine_id][opinion] += n
    tacit: dict[int, Counter] = defaultdict(Counter)
    targets: Counter = Counter()
    for saisine_id, opinion, n in db.session.execute(
        select(SaisineTarget.saisine_id, SaisineTarget.tacit_opinion, func.count())
        .where(SaisineTarget.saisine_id.in_(found))
        .group_by(SaisineTarget.saisine_id, SaisineTarget.tacit_opinion)
    ):
        targets[saisine_id] += n
        if opinion is not None:
            tacit[saisine_id][opinion] += n
    result = {}
    for s in saisines:
        given = answers[s.id]
        counts = {
            "favorable": given[Opinion.FAVORABLE],
            "favorable_with_reservations": given[Opinion.FAVORABLE_WITH_RESERVATIONS],
            "unfavorable": given[Opinion.UNFAVORABLE],
            "abstention": given[Opinion.ABSTENTION],
            "tacit": sum(tacit[s.id].values()),
            "answers": sum(given.values()),
            "targets": targets[s.id],
        }
        result[s.id] = TimelineEntry(
            kind=KEY,
            id=s.id,
            kind_label=_label(),
            title=s.title,
            starts_at=s.opened_at or s.opens_at,
            ends_at=s.deadline,
            is_open=s.status is not SaisineStatus.CLOSED,
            summary=summary(given, tacit[s.id], targets[s.id]),
            counts=counts,
            url=link("saisines.detail", saisine_id=s.id),
            public=s.results_published,
        )
    return result


register(ConsultationKind(KEY, _label, candidates, entries, order=10))
