"""Demo citizen consultations: the banks of the Souchez, open for contributions with hundreds of
proposals from fifty inhabitants, and a cycling plan whose synthesis and feedback are written.

Rows are inserted in bulk, from a seeded random generator: the same demo every time, in a few
seconds. Running the demo again changes nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from app.db import db, utcnow
from app.demo import DEMO_PASSWORD, DOMAIN, demo_step
from app.organisations.queries import communes_of
from app.questionnaires import QuestionType
from app.users.models import Membership, Role, User
from app.users.passwords import hash_password
from participation.citizen.models import (
    Comment,
    ConsultationQuestion,
    ConsultationTheme,
    ContentStatus,
    Moderation,
    Participant,
    Proposal,
    PublicConsultation,
    QuestionnaireAnswer,
    Support,
)

BERGES = "amenagement-des-berges-de-la-souchez"
VELO = "plan-velo-intercommunal"
CITIZENS = 50
FIRST_NAMES = [
    "Camille", "Nadia", "Julien", "Sébastien", "Aurélie", "Mehdi", "Sandrine", "Thomas",
    "Océane", "Kevin", "Françoise", "Bruno", "Léa", "Yasmine", "Christophe", "Amandine",
    "Jérôme", "Fatima", "Ludovic", "Manon", "Grégory", "Chloé", "Rachid", "Élodie", "Dylan",
]  # fmt: skip
LAST_NAMES = [
    "Lefebvre", "Dubois", "Caron", "Delattre", "Lemaire", "Wozniak", "Kaczmarek", "Bernard",
    "Vasseur", "Leroy", "Dupont", "Nowak", "Hennebelle", "Boulanger", "Petit", "Mortier",
]  # fmt: skip

BERGES_THEMES = {
    "Promenade et loisirs": [
        ("Créer une boucle de promenade", "une boucle de promenade balisée"),
        ("Installer des bancs", "des bancs et des tables de pique-nique"),
        ("Aménager une aire de jeux", "une aire de jeux pour les petits"),
        ("Ouvrir une guinguette l'été", "une guinguette ouverte l'été"),
        ("Prévoir un parcours sportif", "un parcours sportif avec quelques agrès"),
    ],
    "Nature et biodiversité": [
        ("Replanter des arbres", "des arbres d'essences locales pour faire de l'ombre"),
        ("Protéger les zones humides", "la protection des zones humides et des roselières"),
        ("Installer des nichoirs", "des nichoirs et des hôtels à insectes"),
        ("Laisser des prairies fleuries", "des prairies fauchées tard pour les pollinisateurs"),
        ("Nettoyer le lit de la rivière", "un chantier de nettoyage du lit de la Souchez"),
    ],
    "Mobilités douces": [
        ("Relier les berges à la gare", "une liaison cyclable vers la gare"),
        ("Élargir le chemin de halage", "un chemin de halage plus large, partagé"),
        ("Ajouter des arceaux vélo", "des arceaux pour attacher les vélos"),
        ("Créer une passerelle", "une passerelle piétonne entre les deux rives"),
        ("Jalonner les itinéraires", "des panneaux indiquant les temps de parcours à pied"),
    ],
    "Sécurité et accessibilité": [
        ("Éclairer les passages sombres", "un éclairage doux sur les passages sombres"),
        ("Rendre les berges accessibles", "des rampes pour les fauteuils et les poussettes"),
        ("Installer des toilettes", "des toilettes publiques entretenues"),
        ("Sécuriser les traversées", "des traversées sécurisées aux carrefours"),
        ("Ajouter des poubelles", "des poubelles et des cendriers en nombre suffisant"),
    ],
}
PLACES = [
    "près du pont",
    "le long du chemin de halage",
    "derrière le stade",
    "au niveau de l'ancienne friche",
    "vers l'écluse",
    "près des jardins ouvriers",
    "à l'entrée du parc",
]
REASONS = [
    "Le week-end, beaucoup de familles se promènent ici mais il n'y a rien pour s'arrêter.",
    "Les enfants du quartier n'ont aucun espace de ce côté de la rivière.",
    "Le soir, l'endroit est peu rassurant et on évite d'y passer.",
    "Ce serait un atout pour l'attractivité de nos communes et pour le commerce local.",
    "Les personnes âgées pourraient enfin profiter des berges en toute sécurité.",
    "La nature reprend ses droits ici : il faut l'accompagner plutôt que tout bétonner.",
    "Aujourd'hui il faut faire un grand détour en voiture pour rejoindre l'autre rive.",
    "Les associations du quartier sont prêtes à participer à l'entretien.",
]
COMMENTS = [
    "Tout à fait d'accord, c'est une vraie attente dans le quartier.",
    "Bonne idée, à condition de prévoir l'entretien dans la durée.",
    "Je soutiens, mais attention au bruit pour les riverains.",
    "Il faudrait associer les écoles à ce projet.",
    "Pourquoi ne pas commencer par une expérimentation l'été prochain ?",
    "Cela existe à Béthune et ça fonctionne très bien.",
    "Pensez aussi aux personnes à mobilité réduite.",
    "Oui ! Et avec des matériaux durables si possible.",
]
VELO_IDEAS = [
    ("Une piste cyclable entre Lens et Liévin", "Mobilités douces"),
    ("Des stationnements vélo sécurisés en gare", "Mobilités douces"),
    ("Un atelier de réparation solidaire", "Promenade et loisirs"),
    ("Des aides à l'achat d'un vélo électrique", "Mobilités douces"),
    ("Des zones 30 autour des écoles", "Sécurité et accessibilité"),
    ("Des cours de vélo pour adultes", "Promenade et loisirs"),
]


def _citizens(org, rng: random.Random) -> list[User]:
    """Fifty inhabitants sharing one password hash, who accepted the terms of participation."""
    emails = [f"habitant.{n:02d}@{DOMAIN}" for n in range(1, CITIZENS + 1)]
    existing = {
        u.email: u
        for u in db.session.scalars(
            select(User).where(User.organisation_id == org.id, User.email.in_(emails))
        )
    }
    communes = communes_of(org)
    password_hash, now, people = None, utcnow(), []
    for n, email in enumerate(emails):
        person = existing.get(email)
        if person is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"
            person = User(
                organisation_id=org.id,
                organisation=org,
                email=email,
                display_name=name,
                password_hash=password_hash,
                email_confirmed_at=now,
            )
            person.memberships = [Membership(role=Role.CITIZEN)]
            db.session.add(person)
            db.session.flush()
            db.session.add(
                Participant(
                    user_id=person.id,
                    terms_accepted_at=now,
                    commune_id=rng.choice(communes).id,
                    show_name=n % 3 != 0,
                )
            )
        people.append(person)
    db.session.flush()
    return people


def _participants(people: list[User]) -> dict[int, Participant]:
    query = select(Participant).where(Participant.user_id.in_([u.id for u in people]))
    return {p.user_id: p for p in db.session.scalars(query)}


def _consultation(org, slug, title, presentation, dates, themes, moderation=Moderation.POST):
    consultation = PublicConsultation(
        organisation_id=org.id,
        slug=slug,
        title=title,
        presentation=presentation,
        published=True,
        moderation=moderation,
        allow_questionnaire=True,
        synthesis="",
        **dates,
    )
    consultation.themes = [ConsultationTheme(name=name) for name in themes]
    consultation.communes = communes_of(org)
    db.session.add(consultation)
    db.session.flush()
    return consultation


def _berges_text(rng: random.Random, themes: dict) -> tuple[str, str, str]:
    theme = rng.choice(list(themes))
    short, long = rng.choice(BERGES_THEMES[theme])
    place = rng.choice(PLACES)
    reasons = rng.sample(REASONS, 2)
    body = f"Je propose {long} {place}. {reasons[0]} {reasons[1]}"
    return theme, f"{short} {place}", body


def _insert_proposals(consultation, specs: list[dict]) -> list[int]:
    """Insert the proposals in one statement; their ids, in the order given."""
    db.session.execute(insert(Proposal.__table__), specs)
    return list(
        db.session.scalars(
            select(Proposal.id)
            .where(Proposal.consultation_id == consultation.id)
            .order_by(Proposal.id)
        )
    )


def _proposal_rows(consultation, people, rng, count, texts, start, span) -> list[dict]:
    themes = {t.name: t.id for t in consultation.themes}
    participants = _participants(people)
    rows = []
    for n in range(count):
        author = rng.choice(people)
        theme, title, body = texts(rng, n)
        moment = start + timedelta(seconds=rng.randrange(int(span.total_seconds())))
        status = ContentStatus.PUBLISHED
        if n % 97 == 5:
            status = ContentStatus.HIDDEN
        elif n % 61 == 3:
            status = ContentStatus.PENDING
        participant = participants.get(author.id)
        rows.append(
            {
                "consultation_id": consultation.id,
                "author_id": author.id,
                "show_name": bool(participant and participant.show_name),
                "theme_id": themes.get(theme),
                "commune_id": participant.commune_id if participant else None,
                "title": title[:200],
                "body": f"<p>{body}</p>",
                "body_text": body,
                "status": status.value,
                "support_count": 0,
                "feedback": "",
                "created_at": moment,
                "updated_at": moment,
            }
        )
    rows.sort(key=lambda r: r["created_at"])
    return rows


def _supports_and_comments(ids, people, rng, now, comments_every=3) -> None:
    supports, comments, counts = [], [], {}
    for n, proposal_id in enumerate(ids):
        # most proposals gather a few supports, some become popular
        count = int(rng.expovariate(1 / 5))
        if rng.random() < 0.05:
            count = rng.randint(20, len(people))
        count = min(count, len(people))
        for person in rng.sample(people, count):
            supports.append({"proposal_id": proposal_id, "user_id": person.id, "created_at": now})
        counts[proposal_id] = count
        if n % comments_every == 0:
            for _i in range(rng.randint(1, 3)):
                person = rng.choice(people)
                comments.append(
                    {
                        "proposal_id": proposal_id,
                        "author_id": person.id,
                        "show_name": rng.random() < 0.6,
                        "body": f"<p>{rng.choice(COMMENTS)}</p>",
                        "status": ContentStatus.PUBLISHED.value,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    if supports:
        db.session.execute(insert(Support.__table__), supports)
    if comments:
        db.session.execute(insert(Comment.__table__), comments)
    by_count: dict[int, list[int]] = {}
    for proposal_id, count in counts.items():
        by_count.setdefault(count, []).append(proposal_id)
    for count, group in by_count.items():
        db.session.execute(
            Proposal.__table__.update()
            .where(Proposal.__table__.c.id.in_(group))
            .values(support_count=count)
        )


def _questionnaire(consultation, people, rng) -> None:
    questions = [
        ("frequence", "À quelle fréquence allez-vous sur les berges ?", QuestionType.SINGLE_CHOICE,
         ["Chaque semaine", "Chaque mois", "Rarement", "Jamais"]),
        ("usages", "Qu'y faites-vous ?", QuestionType.MULTIPLE_CHOICE,
         ["Marcher", "Courir", "Pêcher", "Faire du vélo", "Promener mon chien"]),
        ("satisfaction", "Êtes-vous satisfait(e) de leur aménagement actuel ?",
         QuestionType.YES_NO, []),
    ]  # fmt: skip
    for position, (key, label, kind, choices) in enumerate(questions, start=1):
        consultation.questions.append(
            ConsultationQuestion(
                key=key, position=position, label=label, type=kind, choices=choices
            )
        )
    rows, now, participants = [], utcnow(), _participants(people)
    for person in people[:32]:
        participant = participants.get(person.id)
        answers = {
            "frequence": rng.choice(questions[0][3]),
            "usages": rng.sample(questions[1][3], rng.randint(1, 3)),
            "satisfaction": rng.random() < 0.3,
        }
        rows.append(
            {
                "consultation_id": consultation.id,
                "user_id": person.id,
                "commune_id": participant.commune_id if participant else None,
                "answers": answers,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.flush()
    db.session.execute(insert(QuestionnaireAnswer.__table__), rows)


def _berges(org, people, rng) -> None:
    now = utcnow()
    day = timedelta(days=1)
    consultation = _consultation(
        org,
        BERGES,
        "Aménagement des berges de la Souchez",
        "<p>La Souchez traverse nos communes sur plus de vingt kilomètres. L'agglomération "
        "engage l'aménagement de ses berges : promenades, nature, liaisons douces.</p>"
        "<p>Proposez vos idées, soutenez celles des autres et répondez au court "
        "questionnaire. Toutes les propositions recevront une réponse.</p>",
        {
            "information_starts_at": now - 20 * day,
            "contributions_start_at": now - 12 * day,
            "contributions_end_at": now + 30 * day,
            "synthesis_starts_at": now + 30 * day,
            "feedback_starts_at": now + 60 * day,
        },
        list(BERGES_THEMES),
    )

    def texts(rng, _n):
        return _berges_text(rng, BERGES_THEMES)

    rows = _proposal_rows(consultation, people, rng, 400, texts, now - 12 * day, 12 * day)
    ids = _insert_proposals(consultation, rows)
    _supports_and_comments(ids, people, rng, now)
    _questionnaire(consultation, people, rng)


def _velo(org, people, rng) -> None:
    now = utcnow()
    day = timedelta(days=1)
    consultation = _consultation(
        org,
        VELO,
        "Plan vélo intercommunal",
        "<p>Quels aménagements pour se déplacer à vélo au quotidien dans l'agglomération ?</p>",
        {
            "information_starts_at": now - 120 * day,
            "contributions_start_at": now - 110 * day,
            "contributions_end_at": now - 50 * day,
            "synthesis_starts_at": now - 50 * day,
            "feedback_starts_at": now - 10 * day,
        },
        ["Mobilités douces", "Promenade et loisirs", "Sécurité et accessibilité"],
    )

    def texts(rng, n):
        title, theme = VELO_IDEAS[n % len(VELO_IDEAS)]
        return theme, f"{title} ({rng.choice(PLACES)})", f"{title}. {rng.choice(REASONS)}"

    rows = _proposal_rows(consultation, people, rng, 36, texts, now - 110 * day, 60 * day)
    ids = _insert_proposals(consultation, rows)
    _supports_and_comments(ids, people, rng, now, comments_every=4)
    consultation.synthesis = (
        "<p>Une trentaine de propositions et plus d'une centaine de soutiens : les habitants "
        "demandent d'abord des itinéraires continus et sûrs entre les communes, puis du "
        "stationnement pour les vélos dans les gares.</p>"
        "<p>Les aides à l'achat relèvent d'autres collectivités ; l'agglomération les fera "
        "connaître.</p>"
    )
    answers = [
        ("retained", "<p>Retenue : la liaison sera inscrite au schéma cyclable 2027.</p>"),
        ("partly", "<p>Retenue en partie : une expérimentation aura lieu dans deux gares.</p>"),
        ("not_retained", "<p>Non retenue : cette aide relève de la région.</p>"),
    ]
    for n, proposal_id in enumerate(ids[:18]):
        status, text = answers[n % 3]
        db.session.execute(
            Proposal.__table__.update()
            .where(Proposal.__table__.c.id == proposal_id)
            .values(feedback_status=status, feedback=text)
        )


@demo_step
def citizen_consultations(org) -> None:
    slugs = set(
        db.session.scalars(
            select(PublicConsultation.slug).where(
                PublicConsultation.organisation_id == org.id,
                PublicConsultation.slug.in_([BERGES, VELO]),
            )
        )
    )
    if {BERGES, VELO} <= slugs:
        return
    rng = random.Random(62800)
    people = _citizens(org, rng)
    if BERGES not in slugs:
        _berges(org, people, rng)
    if VELO not in slugs:
        _velo(org, people, rng)
    db.session.flush()
