"""Demo dossiers: the schéma de mutualisation, decided after a saisine of the communes, the
conférence des maires' opinion and the conseil de développement's contribution; the PCAET,
in concertation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import consultation_kinds
from app.db import db, utcnow
from app.demo import demo_step
from app.paris import to_paris
from app.sanitize import clean_html
from app.users.models import Membership, Role, User
from decisions import services
from decisions.models import DecisionStage, DeliberationResult, Dossier

DECIDED = "Schéma de mutualisation des services 2026-2032"
IN_CONSULTATION = "Plan climat-air-énergie territorial (PCAET)"


def _admin(org) -> User:
    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.organisation_id == org.id, Membership.role == Role.ADMIN)
        .order_by(User.id)
    )


def _vice_president(org) -> User | None:
    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.organisation_id == org.id, Membership.role == Role.VICE_PRESIDENT)
        .order_by(User.id)
    )


def _find(org, kind_key: str, *words: str) -> int | None:
    """An item of another domain, found through the registry by the words of its label."""
    kind = consultation_kinds.get(kind_key)
    if kind is None:
        return None
    for candidate in kind.candidates(org):
        if all(word in candidate.label for word in words):
            return candidate.id
    return None


def _attach(admin, org, dossier, kind_key: str, *words: str) -> None:
    item_id = _find(org, kind_key, *words)
    if item_id is not None:
        services.attach(admin, org, dossier, kind_key, item_id)


@demo_step
def demo_decisions(org) -> None:
    exists = db.session.scalar(
        select(Dossier.id).where(Dossier.organisation_id == org.id, Dossier.title == DECIDED)
    )
    if exists is not None:
        return
    admin = _admin(org)
    vp = _vice_president(org)
    now = utcnow()
    day = timedelta(days=1)
    decided = services.create_dossier(
        admin,
        org,
        services.DossierData(
            title=DECIDED,
            summary=clean_html(
                "<p>Mutualiser les services supports (commande publique, informatique, "
                "ressources humaines) entre l'agglomération et les communes volontaires.</p>"
            ),
            lead_user_id=vp.id if vp else None,
            lead_name="" if vp else "Vice-président(e) chargé(e) de la mutualisation",
            commission="Commission ressources et mutualisation",
            public=True,
        ),
        [],
        now=now - 90 * day,
    )
    services.move_stage(admin, org, decided, DecisionStage.WORK, now=now - 80 * day)
    services.move_stage(admin, org, decided, DecisionStage.CONSULTATION, now=now - 62 * day)
    _attach(admin, org, decided, "saisine", "2026-SM-01")
    _attach(admin, org, decided, "agenda_item", "Schéma de mutualisation des services")
    _attach(admin, org, decided, "council_referral", "Projet de territoire 2030")
    services.move_stage(admin, org, decided, DecisionStage.PRE_VALIDATION, now=now - day)
    services.move_stage(admin, org, decided, DecisionStage.DECISION, now=now)
    services.record_deliberation(
        admin,
        org,
        decided,
        services.DeliberationData(
            body_name="Conseil communautaire",
            decided_on=to_paris(now).date(),
            number=f"DEL-{to_paris(now).year}-045",
            result=DeliberationResult.ADOPTED,
            text=clean_html(
                "<p>Le conseil communautaire adopte le schéma de mutualisation des services "
                "2026-2032, après avis des conseils municipaux, de la conférence des maires et "
                "du conseil de développement.</p>"
            ),
        ),
        None,
        now=now,
    )
    pcaet = services.create_dossier(
        admin,
        org,
        services.DossierData(
            title=IN_CONSULTATION,
            summary=clean_html(
                "<p>Le plan climat fixe les objectifs de réduction des émissions et "
                "d'adaptation du territoire pour six ans.</p>"
            ),
            lead_user_id=None,
            lead_name="Vice-président chargé de la transition écologique",
            commission="Commission transition écologique",
            public=True,
        ),
        [],
        now=now - 40 * day,
    )
    services.move_stage(admin, org, pcaet, DecisionStage.WORK, now=now - 30 * day)
    services.move_stage(admin, org, pcaet, DecisionStage.CONSULTATION, now=now - 21 * day)
    _attach(admin, org, pcaet, "agenda_item", "Plan climat-air-énergie territorial")
    # still open: the page shows that the decision will wait for it
    _attach(admin, org, pcaet, "citizen_consultation", "Aménagement des berges de la Souchez")
    db.session.flush()
