"""Demo bodies: a conférence des maires held with votes and minutes, a convened working
group, and a meeting request collecting signatures."""

from __future__ import annotations

from datetime import time, timedelta

from flask import current_app
from sqlalchemy import select

from app.db import db, utcnow
from app.demo import demo_step
from app.users.models import Membership, Role, User
from consultations.bodies import services
from consultations.bodies.models import AttendanceAnswer, BodyKind, VoteChoice
from consultations.saisines.rules import paris_to_utc, to_paris

MINUTES = (
    "<p>La séance est ouverte à 18 h par le Président, qui constate que le quorum est atteint."
    "</p><p><strong>1. Schéma de mutualisation.</strong> Présentation par la DGA concertation "
    "territoriale ; les maires de Harnes et de Méricourt demandent un calendrier de mise en "
    "œuvre par commune.</p><p><strong>2. Plan climat.</strong> Les maires saluent la démarche "
    "et demandent un volet sur la rénovation des écoles.</p><p>La séance est levée à 20 h 05.</p>"
)


def _admin(org) -> User:
    return db.session.scalar(
        select(User)
        .join(Membership)
        .where(User.organisation_id == org.id, Membership.role == Role.ADMIN)
    )


@demo_step
def demo_bodies(org) -> None:
    admin = _admin(org)
    now = utcnow()
    today = to_paris(now).date()
    with current_app.test_request_context():
        conference = services.ensure_mayors_conference(admin, org)
        if services.hosting_history(conference) or _has_meetings(conference):
            return
        conference.president_id = admin.id
        members = sorted(services.current_members(conference), key=lambda m: m.commune.name)
        held = services.create_meeting(
            admin,
            conference,
            services.MeetingData(
                title="Conférence des maires du printemps",
                starts_at=paris_to_utc(today - timedelta(days=21), time(18, 0)),
                ends_at=paris_to_utc(today - timedelta(days=21), time(20, 0)),
                host_commune=members[0].commune,
                venue="Hôtel communautaire, salle du conseil",
                online_url="",
            ),
        )
        first = services.add_item(
            admin,
            held,
            "Schéma de mutualisation des services",
            "",
            True,
            "La conférence des maires émet un avis favorable au schéma.",
        )
        second = services.add_item(
            admin,
            held,
            "Plan climat-air-énergie territorial",
            "",
            True,
            "La conférence des maires demande un volet écoles.",
        )
        services.convene(admin, held, held.starts_at - timedelta(days=10))
        for index, member in enumerate(members):
            services.acknowledge(
                services.convocation_for(held, member), held.starts_at - timedelta(days=9)
            )
            if index < 26:
                services.record_attendance(admin, held, member, True, held.starts_at)
        absent = members[26:]
        services.answer(
            absent[0],
            held,
            AttendanceAnswer.REPRESENTED,
            members[0],
            held.starts_at - timedelta(days=2),
        )
        for item, against in ((first, 4), (second, 0)):
            services.open_vote(admin, item)
            choices = {}
            for index, member in enumerate(members[:26]):
                choices[member.id] = (
                    VoteChoice.AGAINST
                    if index < against
                    else VoteChoice.ABSTAIN
                    if index == 25
                    else VoteChoice.FOR
                )
            choices[absent[0].id] = VoteChoice.FOR
            services.enter_paper_votes(admin, item, choices, held.starts_at)
            services.close_vote(admin, item, held.starts_at + timedelta(hours=1))
        services.mark_held(admin, held)
        services.write_minutes(admin, held, MINUTES)
        services.publish_minutes(admin, held, True, held.starts_at + timedelta(days=5))

        upcoming = services.create_meeting(
            admin,
            conference,
            services.MeetingData(
                title="Conférence des maires de rentrée",
                starts_at=paris_to_utc(today + timedelta(days=12), time(18, 0)),
                ends_at=None,
                host_commune=None,
                venue="Hôtel communautaire, salle du conseil",
                online_url="",
            ),
        )
        services.add_item(
            admin,
            upcoming,
            "Pacte financier et fiscal",
            "",
            True,
            "La conférence des maires émet un avis sur le projet de pacte.",
        )
        services.add_item(admin, upcoming, "Questions diverses", "", False)
        services.convene(admin, upcoming, now)

        opener = next(m for m in members if m.commune.name == "Liévin")
        request = services.open_request(
            opener,
            "Transports scolaires à la rentrée",
            "Les maires demandent une réunion sur la desserte des collèges.",
            now,
        )
        for member in members[1:6]:
            if member.id != opener.id:
                services.sign_request(member, request, now)

        group = services.create_body(
            admin, org, BodyKind.WORKING_GROUP, "Groupe de travail mobilités"
        )
        for member in members[:8]:
            services.add_member(admin, group, member.user, commune=member.commune)
        services.suggested_host(group)
    db.session.flush()


def _has_meetings(body) -> bool:
    from consultations.bodies.models import Meeting

    return db.session.scalar(select(Meeting.id).where(Meeting.body_id == body.id)) is not None
