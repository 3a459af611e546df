"""Factories that build real rows through the services and return them."""

from __future__ import annotations

from functools import cache
from itertools import count

from app.db import db
from app.organisations import services as org_services
from app.organisations.queries import commune_by_insee
from app.organisations.refdata import find_epci
from app.users.models import Role, User
from app.users.passwords import hash_password

PASSWORD = "correct-horse-battery"
_sequence = count(1)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def organisation(siren: str = "246200364", slug: str | None = None, host: str | None = None):
    report = org_services.load_territory(find_epci(siren), slug=slug)
    if host:
        org_services.add_host(report.organisation, host)
    db.session.commit()
    return report.organisation


def user(
    org,
    role: Role | str | None = None,
    *,
    commune: str | None = None,
    association=None,
    email: str | None = None,
    name: str | None = None,
    active: bool = True,
    confirmed: bool = True,
) -> User:
    """A person of `org` with `role` (the commune given by its INSEE code), password PASSWORD."""
    from app.db import utcnow
    from app.users import services

    n = next(_sequence)
    person = User(
        organisation_id=org.id,
        organisation=org,
        email=email or f"person{n}@example.fr",
        display_name=name or f"Personne {n}",
        password_hash=password_hash(),
        active=active,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(person)
    db.session.flush()
    if role is not None:
        place = commune_by_insee(org, commune) if commune else None
        if Role(role).needs_commune and place is None:
            place = org.communes[0]
        services.add_role(None, person, Role(role), commune=place, association=association)
    db.session.commit()
    return person


def association(org, name: str = "Association test"):
    from ami.models import Association

    entry = Association(organisation_id=org.id, name=name)
    db.session.add(entry)
    db.session.commit()
    return entry


def saisine(
    org,
    author=None,
    *,
    communes: list[str] | None = None,
    kind: str = "opinion",
    silence: str = "no_opinion",
    opens_in: float = -1,
    deadline_in: float = 14,
    open_it: bool = True,
    questions: list[dict] | None = None,
    reference: str | None = None,
):
    """A saisine of `org` targeting the communes with these INSEE codes (default: all).

    Dates are relative to now, in days. With `open_it`, it is opened (communes notified).
    """
    from datetime import timedelta

    from app.db import utcnow
    from consultations.saisines import services
    from consultations.saisines.models import QuestionType, SaisineKind, SilenceRule

    author = author or user(org, Role.ADMIN)
    now = utcnow()
    targets = [c for c in org.communes if communes is None or c.insee_code in communes]
    n = next(_sequence)
    data = services.SaisineData(
        reference=reference or f"REF-{n}",
        title=f"Saisine {n}",
        description="<p>Présentation</p>",
        kind=SaisineKind(kind),
        opens_at=now + timedelta(days=opens_in),
        deadline=now + timedelta(days=deadline_in),
        silence_rule=SilenceRule(silence),
        legal_basis="Article L153-15 du code de l'urbanisme",
        target_mode="all" if communes is None else "list",
        communes=targets,
    )
    from flask import current_app

    with current_app.test_request_context():
        created = services.create_saisine(author, org, data)
        for spec in questions or []:
            spec = dict(spec)
            spec["type"] = QuestionType(spec.get("type", "short_text"))
            spec.setdefault("required", False)
            services.add_question(author, created, **spec)
        if open_it:
            # a saisine whose deadline has passed was opened while it could still be
            services.open_saisine(author, created, min(now, created.deadline - timedelta(hours=1)))
    db.session.commit()
    return created


def mayors(org, count: int | None = None) -> list:
    """A mayor for each of the first `count` communes (all by default)."""
    communes = org.communes if count is None else org.communes[:count]
    return [
        user(org, Role.MAYOR, commune=c.insee_code, name=f"Maire de {c.name}") for c in communes
    ]


def meeting(
    body, author=None, *, days: float = 7, items: list[dict] | None = None, convene: bool = False
):
    """A meeting of `body` in `days` days with agenda items; convened if asked."""
    from datetime import timedelta

    from flask import current_app

    from app.db import utcnow
    from consultations.bodies import services

    org = body.organisation_id
    from app.organisations.models import Organisation

    organisation = db.session.get(Organisation, org)
    author = author or user(organisation, Role.ADMIN)
    with current_app.test_request_context():
        created = services.create_meeting(
            author,
            body,
            services.MeetingData(
                title="Séance ordinaire",
                starts_at=utcnow() + timedelta(days=days),
                ends_at=None,
                host_commune=None,
                venue="Hôtel communautaire, salle du conseil",
                online_url="",
            ),
        )
        for spec in items or [{"title": "Avis sur le projet de territoire", "vote": True}]:
            services.add_item(
                author,
                created,
                spec["title"],
                spec.get("description", ""),
                spec.get("vote", False),
                spec.get("opinion", ""),
            )
        if convene:
            services.convene(author, created, utcnow())
    db.session.commit()
    return created


def consultation(
    org,
    *,
    title: str = "Quel avenir pour les bords de la Souchez ?",
    published: bool = True,
    phase: str = "contributions",
    moderation: str = "post",
    themes: tuple[str, ...] = ("Mobilités", "Environnement", "Solidarités"),
    communes: list[str] | None = None,
):
    """A citizen consultation of `org`, now in `phase` (dates around now)."""
    from datetime import timedelta

    from app.db import utcnow
    from participation.citizen.models import ConsultationTheme, Moderation, PublicConsultation

    now = utcnow()
    day = timedelta(days=1)
    # the start of each phase relative to now, so that `phase` is the current one
    offsets = {
        "upcoming": 1,
        "information": -1,
        "contributions": -3,
        "synthesis": -10,
        "feedback": -20,
    }
    start = now + offsets[phase] * day
    n = next(_sequence)
    created = PublicConsultation(
        organisation_id=org.id,
        slug=f"consultation-{n}",
        title=title,
        presentation="<p>Donnez votre avis.</p>",
        published=published,
        information_starts_at=start,
        contributions_start_at=start + (2 if phase in ("upcoming", "information") else 1) * day,
        contributions_end_at=start + 8 * day,
        synthesis_starts_at=start + 8 * day,
        feedback_starts_at=start + 15 * day,
        moderation=Moderation(moderation),
    )
    if phase == "contributions":
        created.contributions_start_at = now - day
        created.contributions_end_at = now + 5 * day
        created.synthesis_starts_at = now + 5 * day
        created.feedback_starts_at = now + 12 * day
    created.themes = [ConsultationTheme(name=name) for name in themes]
    chosen = [c for c in org.communes if communes is None or c.insee_code in communes]
    created.communes = chosen
    db.session.add(created)
    db.session.commit()
    return created
