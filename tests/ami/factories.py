"""Factories for the AMI: calls with their rules, applications, jury seats."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    BonusKind,
    BonusRule,
    CoFunder,
    College,
    Criterion,
    JuryMember,
    Qpv,
    Theme,
    Track,
)
from app.db import db, utcnow
from app.users.models import Role
from tests import factories

_sequence = count(1)

THEMES = ("Éducation", "Insertion professionnelle et sociale", "Santé", "Inclusion numérique")
CRITERIA = (
    ("Réponse à des besoins non couverts", 3),
    ("Innovation", 2),
    ("Proximité avec les habitants", 2),
    ("Coopération", 1),
    ("Cohérence du budget", 2),
)


def themes(org) -> list[Theme]:
    existing = db.session.scalars(db.select(Theme).where(Theme.organisation_id == org.id)).all()
    if existing:
        return list(existing)
    rows = [Theme(organisation_id=org.id, name=n, position=i) for i, n in enumerate(THEMES)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def qpv(org, name: str = "Cité 9 (Lens)", commune=None) -> Qpv:
    row = Qpv(organisation_id=org.id, name=name, commune_id=getattr(commune, "id", None))
    db.session.add(row)
    db.session.commit()
    return row


def call(
    org,
    *,
    year: int = 2026,
    open_: bool = True,
    published: bool = True,
    envelope_cents: int = 10_000_000,
    base_rate: int = 50,
    ceiling_cents: int = 1_500_000,
    bonuses: bool = True,
    blank_page: bool = True,
    criteria: bool = True,
) -> AmiCall:
    """A call with the four themes of 2021; open now (or closed yesterday)."""
    now = utcnow()
    row = AmiCall(
        organisation_id=org.id,
        year=year,
        title=f"AMI cohésion sociale {year}",
        specification="<p>Cahier des charges</p>",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30) if open_ else now - timedelta(days=1),
        budget_envelope_cents=envelope_cents,
        base_rate=base_rate,
        ceiling_cents=ceiling_cents,
        blank_page_enabled=blank_page,
        blank_page_ceiling_cents=300_000,
        published_at=now - timedelta(days=30) if published else None,
    )
    row.themes = themes(org)
    if bonuses:
        row.bonus_rules = [
            BonusRule(kind=BonusKind.WOMEN_SHARE, label="Public de femmes", rate=80, threshold=50),
            BonusRule(
                kind=BonusKind.COOPERATION, label="Associations ensemble", rate=80, threshold=2
            ),
        ]
    if criteria:
        row.criteria = [
            Criterion(label=label, weight=weight, position=i)
            for i, (label, weight) in enumerate(CRITERIA)
        ]
    row.co_funders = [CoFunder(name="Conseil Régional", amount_cents=700_000)]
    db.session.add(row)
    db.session.commit()
    return row


def application(
    call_: AmiCall,
    association,
    *,
    status: ApplicationStatus = ApplicationStatus.SUBMITTED,
    theme=None,
    track: Track = Track.STANDARD,
    budget_total_cents: int = 2_000_000,
    requested_cents: int = 1_000_000,
    women_share: int = 40,
    qpvs=(),
    partners=(),
    title: str | None = None,
) -> Application:
    n = next(_sequence)
    row = Application(
        call_id=call_.id,
        call=call_,
        association_id=association.id,
        association=association,
        track=track,
        status=status,
        title=title or f"Action {n}",
        theme_id=(theme or call_.themes[0]).id,
        public="Jeunes de 16 à 25 ans",
        women_share=women_share,
        objectives="Objectifs de l'action",
        actions="Ateliers hebdomadaires",
        budget_total_cents=budget_total_cents,
        requested_cents=requested_cents,
    )
    row.qpvs = list(qpvs)
    row.partners = list(partners)
    if status is not ApplicationStatus.DRAFT:
        row.number = f"AMI-{call_.year}-{n:03d}"
        row.submitted_at = utcnow()
    db.session.add(row)
    db.session.commit()
    return row


def jury_member(call_: AmiCall, user=None, college: College = College.EPCI_STAFF) -> JuryMember:
    org = call_.organisation_id
    if user is None:
        from app.organisations.models import Organisation

        user = factories.user(db.session.get(Organisation, org), Role.JURY_MEMBER)
    seat = JuryMember(call_id=call_.id, user_id=user.id, college=college)
    db.session.add(seat)
    db.session.commit()
    return seat


def association_member(org, name: str | None = None):
    """An association and one person acting for it: (association, user)."""
    association = factories.association(org, name or f"Association {next(_sequence)}")
    person = factories.user(org, Role.ASSOCIATION_MEMBER, association=association)
    return association, person
