"""Demo saisines: one open for opinions, one collecting data, one closed with tacit opinions."""

from __future__ import annotations

from datetime import time, timedelta

from flask import current_app
from sqlalchemy import select

from app.db import db, utcnow
from app.demo import demo_step
from app.users.models import Membership, Role, User
from consultations.saisines import queries, rules, services
from consultations.saisines.models import Opinion, QuestionType, SaisineKind, SilenceRule

OPINIONS = [
    ("62498", Opinion.FAVORABLE, ""),
    ("62065", Opinion.FAVORABLE, ""),
    (
        "62413",
        Opinion.FAVORABLE_WITH_RESERVATIONS,
        "Favorable sous réserve que l'emplacement réservé n° 12 sorte de la zone humide.",
    ),
    (
        "62570",
        Opinion.UNFAVORABLE,
        "Le conseil municipal s'oppose au classement en zone AU de la parcelle ZC 45.",
    ),
    ("62771", Opinion.FAVORABLE, ""),
    ("62186", Opinion.ABSTENTION, "Le conseil municipal ne s'est pas réuni avant la date limite."),
    ("62386", Opinion.FAVORABLE, ""),
    (
        "62133",
        Opinion.FAVORABLE_WITH_RESERVATIONS,
        "Prévoir une orientation d'aménagement pour la friche de la fosse 4.",
    ),
    ("62628", Opinion.FAVORABLE, ""),
    ("62895", Opinion.FAVORABLE, ""),
]


def _mayor(org, insee: str) -> User | None:
    return db.session.scalar(
        select(User)
        .join(Membership)
        .where(
            User.organisation_id == org.id,
            Membership.role == Role.MAYOR,
            Membership.commune.has(insee_code=insee),
        )
    )


def _data(org, reference, title, kind, opens, deadline, silence, legal, communes, text):
    return services.SaisineData(
        reference=reference,
        title=title,
        description=text,
        kind=kind,
        opens_at=opens,
        deadline=deadline,
        silence_rule=silence,
        legal_basis=legal,
        target_mode="all" if len(communes) == len(org.communes) else "list",
        communes=communes,
    )


def _answer(org, saisine, insee, opinion, motivation, answers, now):
    from app.organisations.queries import commune_by_insee

    commune = commune_by_insee(org, insee)
    mayor = _mayor(org, insee)
    if commune is None or mayor is None or queries.response_of(saisine, commune) is not None:
        return
    data = services.ResponseData(
        opinion=opinion,
        motivation=motivation,
        answers=answers,
        new_files=[],
        removed_attachment_ids=[],
    )
    services.mark_opened(saisine, commune, now)
    services.submit_response(mayor, saisine, commune, data, None, now, "mayor")


@demo_step
def demo_saisines(org) -> None:
    if queries.reference_taken(org, "2026-PLUI-M2"):
        return
    admin = db.session.scalar(
        select(User)
        .join(Membership)
        .where(User.organisation_id == org.id, Membership.role == Role.ADMIN)
    )
    now = utcnow()
    today = rules.to_paris(now).date()

    def day(offset: int, at: time = time(23, 59)):
        return rules.paris_to_utc(today + timedelta(days=offset), at)

    with current_app.test_request_context():
        plui = services.create_saisine(
            admin,
            org,
            _data(
                org,
                "2026-PLUI-M2",
                "Modification n° 2 du PLUi — avis des communes",
                SaisineKind.OPINION,
                day(-20, time(9, 0)),
                day(10),
                SilenceRule.FAVOURABLE,
                "Article L153-40 du code de l'urbanisme : avis réputé favorable après trois mois.",
                list(org.communes),
                "<p>Le projet de modification n° 2 du plan local d'urbanisme intercommunal est "
                "soumis à l'avis des conseils municipaux.</p>",
            ),
        )
        services.open_saisine(admin, plui, day(-20, time(9, 0)))
        for insee, opinion, motivation in OPINIONS:
            _answer(org, plui, insee, opinion, motivation, {}, now - timedelta(days=3))

        creches = services.create_saisine(
            admin,
            org,
            _data(
                org,
                "2026-PE-01",
                "Besoins en places d'accueil du jeune enfant 2027",
                SaisineKind.DATA,
                day(-5, time(9, 0)),
                day(21),
                SilenceRule.NO_OPINION,
                "",
                [c for c in org.communes if c.population > 5000],
                "<p>Pour préparer la convention territoriale globale, indiquez vos besoins.</p>",
            ),
        )
        for spec in [
            dict(
                label="Places de crèche existantes",
                type=QuestionType.INTEGER,
                required=True,
                unit="places",
            ),
            dict(
                label="Places supplémentaires souhaitées",
                type=QuestionType.INTEGER,
                required=True,
                unit="places",
            ),
            dict(
                label="Budget communal envisagé",
                type=QuestionType.DECIMAL,
                required=False,
                unit="€",
            ),
            dict(
                label="Un relais petite enfance existe-t-il ?",
                type=QuestionType.YES_NO,
                required=True,
            ),
            dict(
                label="Mode de gestion souhaité",
                type=QuestionType.SINGLE_CHOICE,
                required=False,
                choices=["Régie", "Délégation de service public", "Marché public"],
            ),
            dict(label="Observations", type=QuestionType.LONG_TEXT, required=False),
        ]:
            services.add_question(admin, creches, **spec)
        services.open_saisine(admin, creches, day(-5, time(9, 0)))
        keys = [q.key for q in creches.current_questions]
        for insee, existing, wanted, budget, rpe in [
            ("62498", 120, 40, "250000", True),
            ("62510", 96, 30, "180000.50", True),
            ("62065", 24, 12, None, False),
        ]:
            answers = {keys[0]: existing, keys[1]: wanted, keys[3]: rpe, keys[4]: "Régie"}
            if budget:
                answers[keys[2]] = budget
            _answer(org, creches, insee, None, "", answers, now - timedelta(days=1))

        mutual = services.create_saisine(
            admin,
            org,
            _data(
                org,
                "2026-SM-01",
                "Schéma de mutualisation des services — avis",
                SaisineKind.OPINION,
                day(-60, time(9, 0)),
                day(-2),
                SilenceRule.FAVOURABLE,
                "Article L5211-39-1 du CGCT : avis réputé favorable à défaut de délibération dans "
                "un délai de trois mois.",
                list(org.communes),
                "<p>Projet de schéma de mutualisation 2026-2032.</p>",
            ),
        )
        services.open_saisine(admin, mutual, day(-60, time(9, 0)))
        for insee, opinion, motivation in OPINIONS[:6]:
            _answer(org, mutual, insee, opinion, motivation, {}, now - timedelta(days=10))
        services.close_saisine(mutual, now)
        # its results are public: the decision path's demo dossier shows them
        services.publish_results(admin, mutual, True)
    db.session.flush()
