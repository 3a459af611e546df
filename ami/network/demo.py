"""Demo data for the associations' network: a public directory of the demo's 31 associations
with what they offer and look for, interests and matches with messages, last year's essaimage
day (held, with its plan) and the coming one (registrations and plan ready), and declared
cooperations.

Runs after the AMI's demo step (ami/demo.py), deterministically; running it again adds nothing.
A second association account, `association2@demo.concerto.fr` (Théâtre de l'Arrière-Cour), is
created so that two associations can match from the browser; it has no link yet with the
demo account's association (Femmes et quartiers).
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import select

from ami.demo import paris
from ami.models import (
    AmiCall,
    Application,
    Association,
    Decision,
    InterestDisclosure,
    Outcome,
    Qpv,
    Theme,
)
from ami.network import rules
from ami.network.models import (
    Cooperation,
    DirectoryProfile,
    DirectoryVisibility,
    EssaimageDay,
    EssaimageInvitation,
    EssaimageSeat,
    Interest,
    InvitationReason,
    Match,
    NetworkMessage,
    NetworkSettings,
    NetworkTag,
)
from ami.network.tags import DEFAULT_TAGS
from ami.services.associations import people_of
from app.db import db, utcnow
from app.demo import DEMO_PASSWORD, DOMAIN, demo_step
from app.organisations.models import Commune
from app.users import services as user_services
from app.users.models import Role, User

DEMO_ASSOCIATION = "Femmes et quartiers"
SECOND_ACCOUNT = ("association2", "Lucie Caron", "Théâtre de l'Arrière-Cour")

OFFERS = (
    "Une salle de 40 places libre le mercredi après-midi et le samedi matin.",
    "Des bénévoles formés à l'accompagnement scolaire, disponibles en soirée.",
    "Un minibus de 9 places prêté le week-end, chauffeur bénévole possible.",
    "Des ordinateurs portables et un vidéoprojecteur à prêter.",
    "Notre juriste bénévole relit vos statuts et vos conventions.",
    "Une équipe qui sait monter une page web et animer les réseaux sociaux.",
    "Des formations aux premiers secours pour les bénévoles.",
)
NEEDS = (
    "Un local pour nos ateliers du soir, deux fois par semaine.",
    "Des bénévoles pour encadrer les sorties familiales.",
    "Un partenaire pour candidater ensemble à l'AMI et toucher un public plus large.",
    "Du matériel informatique pour un atelier d'initiation.",
    "Des interprètes (arabe, turc, polonais) pour nos permanences.",
    "Un relais pour orienter les jeunes vers l'emploi.",
    "Un moyen de transport pour une sortie au Louvre-Lens.",
)
PRESENTATIONS = (
    "Association de proximité, nous accompagnons les familles des quartiers prioritaires au "
    "plus près de leurs besoins.",
    "Nos bénévoles et nos deux salariés animent des ateliers toute l'année, en lien avec les "
    "centres sociaux et les écoles.",
    "Nous agissons depuis plus de dix ans dans le bassin minier, avec les habitants et pour eux.",
)
THREAD = (
    (
        "a",
        "Bonjour, nous cherchons une salle pour nos ateliers du mardi soir. Vous en parliez "
        "dans l'annuaire : serait-elle libre à partir de janvier ?",
    ),
    (
        "b",
        "Bonjour ! Oui, la salle est libre le mardi de 18 h à 20 h. Passez la voir jeudi, "
        "nous y tenons notre permanence.",
    ),
    ("a", "Parfait, à jeudi. Nous pourrions aussi présenter une action commune au prochain AMI."),
)


def _settings(org) -> bool:
    """The network's settings; False when the demo already ran."""
    if db.session.scalar(select(NetworkSettings).where(NetworkSettings.organisation_id == org.id)):
        return False
    db.session.add(
        NetworkSettings(organisation_id=org.id, directory_visibility=DirectoryVisibility.PUBLIC)
    )
    return True


def _tags(org) -> list[NetworkTag]:
    rows = [
        NetworkTag(organisation_id=org.id, name=name, position=position)
        for position, name in enumerate(DEFAULT_TAGS)
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _second_account(org) -> None:
    local, name, association_name = SECOND_ACCOUNT
    association = _by_name(org, association_name)
    if association is None:
        return
    email = f"{local}@{DOMAIN}"
    user = user_services.find_user(org, email)
    if user is None:
        user = user_services.create_user(org, email, name, password=DEMO_PASSWORD)
    if not user.has_role(Role.ASSOCIATION_MEMBER):
        user_services.add_role(None, user, Role.ASSOCIATION_MEMBER, association=association)
    association.contact_name = association.contact_name or name


def _person(org, association: Association) -> User:
    """Someone acting for the association: its first person, or a demo account made for it
    (`membre.<id>@demo.concerto.fr`, named after its contact)."""
    people = people_of(association)
    if people:
        return people[0].user
    email = f"membre.{association.id}@{DOMAIN}"
    user = user_services.find_user(org, email)
    if user is None:
        name = association.contact_name
        if not name or name == "Contact de l'association":
            name = f"Équipe de {association.name}"
        user = user_services.create_user(org, email, name[:200], password=DEMO_PASSWORD)
        user_services.add_role(None, user, Role.ASSOCIATION_MEMBER, association=association)
    return user


def _give_the_demo_association_its_themes(org, association: Association) -> None:
    """Femmes et quartiers (Liévin): insertion and health, in two QPVs of Liévin and Lens."""
    if association.themes or association.qpvs:
        return
    themes = db.session.scalars(
        select(Theme).where(Theme.organisation_id == org.id).order_by(Theme.position)
    ).all()
    qpvs = db.session.scalars(
        select(Qpv).where(Qpv.organisation_id == org.id).order_by(Qpv.id)
    ).all()
    association.themes = [t for t in themes if t.position in (1, 2)]
    association.qpvs = [q for q in qpvs if "Liévin" in q.name][:1] + [
        q for q in qpvs if "Lens" in q.name
    ][:1]
    association.presentation = association.presentation or (
        "Nous accompagnons les femmes des quartiers vers l'emploi, la santé et l'égalité : "
        "permanences, ateliers collectifs, théâtre-forum."
    )


def _by_name(org, name: str) -> Association | None:
    return db.session.scalar(
        select(Association).where(Association.organisation_id == org.id, Association.name == name)
    )


def _directory(org, associations, tags, rng) -> None:
    communes = list(db.session.scalars(select(Commune).where(Commune.organisation_id == org.id)))
    communes = [c for c in communes if c.has_qpv] or communes
    for index, association in enumerate(associations):
        association.presentation = association.presentation or rng.choice(PRESENTATIONS)
        association.contact_phone = association.contact_phone or f"03 21 {index + 10:02d} 45 67"
        association.address = association.address or f"{index + 3} rue de la République"
        if not association.contact_email:
            association.contact_email = f"contact{index + 1}@{DOMAIN}"
            association.contact_name = association.contact_name or "Contact de l'association"
        offers = rng.sample(tags, 2)
        needs = rng.sample([t for t in tags if t not in offers], 2)
        profile = DirectoryProfile(
            association_id=association.id,
            # two associations chose not to appear
            listed=index not in (5, 17),
            listed_at=utcnow() - timedelta(days=rng.randrange(10, 300)),
            offers_text=rng.choice(OFFERS),
            needs_text=rng.choice(NEEDS),
        )
        profile.offers = offers[:1] if index % 3 == 0 else offers
        profile.needs = needs[:1] if index % 4 == 0 else needs
        profile.communes = rng.sample(communes, min(len(communes), rng.choice((1, 2, 3))))
        db.session.add(profile)
    db.session.flush()


def _interest(org, a, b, when, call=None) -> None:
    db.session.add(
        Interest(
            organisation_id=org.id,
            from_association_id=a.id,
            to_association_id=b.id,
            call_id=call.id if call else None,
            created_at=when,
        )
    )


def _match(org, a, b, when, *, ended: bool = False, thread=()) -> Match:
    _interest(org, a, b, when - timedelta(days=3))
    _interest(org, b, a, when)
    first, second = sorted((a, b), key=lambda x: x.id)
    match = Match(
        organisation_id=org.id,
        first_association_id=first.id,
        second_association_id=second.id,
        matched_at=when,
    )
    db.session.add(match)
    db.session.flush()
    for offset, (side, body) in enumerate(thread):
        sender = a if side == "a" else b
        db.session.add(
            NetworkMessage(
                match_id=match.id,
                sender_association_id=sender.id,
                author_id=_person(org, sender).id,
                body=body,
                created_at=when + timedelta(hours=5 * (offset + 1)),
            )
        )
    reader = match.first_association_id == a.id
    # `a` has read the thread up to its own last message; `b` has unread messages
    if thread:
        last = when + timedelta(hours=5 * len(thread))
        if reader:
            match.first_read_at = last
        else:
            match.second_read_at = last
    if ended:
        match.ended_at = when + timedelta(days=20)
        match.ended_by_association_id = a.id
        db.session.execute(
            Interest.__table__.delete().where(
                Interest.from_association_id == a.id, Interest.to_association_id == b.id
            )
        )
    return match


def _interests(org, by_name, associations, open_call) -> list[tuple]:
    """Matches (one of them of the demo association, with messages), pending interests and one
    interest in the demo association that it may see (the open call lists them)."""
    now = utcnow()
    demo = by_name[DEMO_ASSOCIATION]
    others = [a for a in associations if a.name not in (DEMO_ASSOCIATION, SECOND_ACCOUNT[2])]
    pairs = [
        (others[10], demo, now - timedelta(days=12), False, THREAD),
        (others[0], others[2], now - timedelta(days=40), False, THREAD[:2]),
        (others[6], others[12], now - timedelta(days=90), False, ()),
        (others[20], others[21], now - timedelta(days=60), False, THREAD[:1]),
        (others[3], others[16], now - timedelta(days=120), True, ()),
    ]
    for a, b, when, ended, thread in pairs:
        _match(org, a, b, when, ended=ended, thread=thread)
    open_call.interest_disclosure = InterestDisclosure.LIST
    _interest(org, others[14], demo, now - timedelta(days=2), open_call)
    _interest(org, demo, others[19], now - timedelta(days=5), open_call)
    _interest(org, others[8], others[9], now - timedelta(days=7), open_call)
    db.session.flush()
    return [(a, b) for a, b, _w, ended, _t in pairs if not ended]


def _funded_2021(org) -> list[Association]:
    rows = db.session.scalars(
        select(Application)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .join(Decision, Decision.application_id == Application.id)
        .where(
            AmiCall.organisation_id == org.id,
            AmiCall.year == 2021,
            Decision.outcome == Outcome.FUNDED,
        )
    ).all()
    found: dict[int, Association] = {}
    for application in rows:
        for association in [application.association, *application.partners]:
            found.setdefault(association.id, association)
    return sorted(found.values(), key=lambda a: a.name)


def _day(org, *, year, title, day, registered, chosen, table_size, preferences, seed, funded=True):
    starts = paris(day, time(9, 30))
    essaimage = EssaimageDay(
        organisation_id=org.id,
        year=year,
        title=title,
        description=(
            "Le temps de l'essaimage : une matinée pour que les associations financées se "
            "rencontrent, se présentent en quelques minutes et trouvent avec qui travailler. "
            "Café d'accueil à 9 h 30, rencontres express à 10 h, déjeuner partagé."
        ),
        location="Hôtel communautaire, 21 rue Marcel Sembat, Lens — salle du conseil",
        starts_at=starts,
        ends_at=paris(day, time(13)),
        meetings_start_at=paris(day, time(10)),
        rounds=4,
        round_minutes=12,
        table_size=table_size,
        registration_closes_at=starts - timedelta(days=3),
    )
    db.session.add(essaimage)
    db.session.flush()
    invited_at = starts - timedelta(days=30)
    for association in registered + chosen:
        funded_one = funded and association not in chosen
        reason = InvitationReason.FUNDED if funded_one else InvitationReason.CHOSEN
        db.session.add(
            EssaimageInvitation(
                day_id=essaimage.id,
                association_id=association.id,
                reason=reason,
                invited_at=invited_at,
                registered_at=invited_at + timedelta(days=4) if association in registered else None,
                declined_at=invited_at + timedelta(days=6)
                if association not in registered
                else None,
                attendees=2 if association.id % 3 == 0 else 1,
            )
        )
    plan = rules.speed_meeting_plan(
        [a.id for a in registered], 4, table_size, preferences, seed=seed
    )
    for number, tables in enumerate(plan.tables, start=1):
        for table_number, table in enumerate(tables, start=1):
            for association_id in table:
                db.session.add(
                    EssaimageSeat(
                        day_id=essaimage.id,
                        round=number,
                        table_number=table_number,
                        association_id=association_id,
                    )
                )
    essaimage.plan_built_at = min(invited_at + timedelta(days=25), utcnow())
    db.session.flush()
    return plan


def _essaimage(org, by_name, associations, matched) -> None:
    funded = _funded_2021(org)
    last = _day(
        org,
        year=2021,
        title="Rencontre de l'essaimage 2021",
        day=date(2021, 10, 14),
        registered=funded[:-1],
        chosen=funded[-1:],
        table_size=2,
        preferences={},
        seed=2021,
    )
    # two cooperations born at that day's tables, one after a match
    met = sorted(tuple(sorted(p)) for p in last.pairs())
    ids = {a.id: a for a in associations}
    for first, second in met[:2]:
        _cooperation(org, ids[first], ids[second], 2022, "Ateliers communs et prêt de salle.")
    if len(matched) > 1:
        a, b = matched[1]
        _cooperation(org, a, b, utcnow().year, "Une action commune montée cette année.")
    year = utcnow().year
    demo = by_name[DEMO_ASSOCIATION]
    coming = [demo] + [a for a in associations if a is not demo][:13]
    preferences = {frozenset((x.id, y.id)): 3 for x, y in matched}
    _day(
        org,
        year=year,
        title=f"Rencontre de l'essaimage {year}",
        day=(utcnow() + timedelta(days=20)).date(),
        registered=coming[:12],
        chosen=coming[12:],
        table_size=3,
        preferences=preferences,
        seed=year,
        # this year's call is not decided yet: the EPCI chose whom to invite
        funded=False,
    )


def _cooperation(org, a, b, year, description) -> None:
    first, second = sorted((a, b), key=lambda x: x.id)
    db.session.add(
        Cooperation(
            organisation_id=org.id,
            first_association_id=first.id,
            second_association_id=second.id,
            year=year,
            description=description,
            declared_at=paris(date(year, 3, 15), time(10)) if year < utcnow().year else utcnow(),
        )
    )


@demo_step
def demo_network(org) -> None:
    """The directory, matches, essaimage days and cooperations."""
    associations = list(
        db.session.scalars(
            select(Association)
            .where(Association.organisation_id == org.id)
            .order_by(Association.id)
        )
    )
    by_name = {a.name: a for a in associations}
    if DEMO_ASSOCIATION not in by_name or not _settings(org):
        return
    rng = random.Random(7)
    tags = _tags(org)
    _second_account(org)
    _give_the_demo_association_its_themes(org, by_name[DEMO_ASSOCIATION])
    _directory(org, associations, tags, rng)
    open_call = db.session.scalar(
        select(AmiCall)
        .where(AmiCall.organisation_id == org.id, AmiCall.year == utcnow().year)
        .order_by(AmiCall.id.desc())
    )
    matched = _interests(org, by_name, associations, open_call) if open_call else []
    _essaimage(org, by_name, associations, matched)
    db.session.flush()
