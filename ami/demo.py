"""Demo data for the AMI: a closed 2021 call and an open call (see ami/demo_data.py).

The 2021 call follows the CA de Lens-Liévin's experience sheet: 28 applications, 9 funded for
106 491 €, 7 000 € of them from the Conseil Régional, 5 funded actions entered the contrat de
ville in 2022. Rows are inserted directly (fast) and deterministically; running the step again
adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ami import demo_data as data
from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    Association,
    BonusKind,
    BonusRule,
    CoFunder,
    College,
    Criterion,
    Decision,
    Hearing,
    HearingSlot,
    InterestDeclaration,
    JuryMember,
    Outcome,
    Qpv,
    Score,
    Theme,
    Track,
)
from ami.rules import plan_groups
from app.db import db, utcnow
from app.demo import DEMO_PASSWORD, DOMAIN, demo_step
from app.organisations.queries import commune_by_insee
from app.users import services as user_services
from app.users.models import Membership, Role, User

PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, at: time = time(12)) -> datetime:
    """A Paris wall-clock time, in UTC."""
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(ZoneInfo("UTC"))


# --- reference lists ----------------------------------------------------------------------


def _themes(org) -> list[Theme]:
    rows = []
    for position, name in enumerate(data.THEMES):
        theme = db.session.scalar(
            select(Theme).where(Theme.organisation_id == org.id, Theme.name == name)
        )
        if theme is None:
            theme = Theme(organisation_id=org.id, name=name, position=position)
            db.session.add(theme)
        rows.append(theme)
    db.session.flush()
    return rows


def _qpvs(org) -> list[Qpv]:
    rows = []
    for name, code, insee_codes in data.QPVS:
        qpv = db.session.scalar(select(Qpv).where(Qpv.organisation_id == org.id, Qpv.name == name))
        if qpv is None:
            commune = commune_by_insee(org, insee_codes[0])
            qpv = Qpv(
                organisation_id=org.id,
                name=name,
                code=code,
                commune_id=commune.id if commune else None,
            )
            db.session.add(qpv)
        rows.append(qpv)
    db.session.flush()
    return rows


def _association(org, name: str, rna: str, insee: str | None) -> Association:
    association = db.session.scalar(
        select(Association).where(Association.organisation_id == org.id, Association.name == name)
    )
    if association is None:
        association = Association(organisation_id=org.id, name=name, rna_number=rna)
        db.session.add(association)
    if association.commune_id is None and insee:
        commune = commune_by_insee(org, insee)
        if commune is not None:
            association.commune_id = commune.id
            association.postal_code = association.postal_code or ""
    return association


def _associations(org, themes, qpvs, rng) -> list[Association]:
    rows = []
    for index, (name, rna, insee) in enumerate(data.ASSOCIATIONS):
        association = _association(org, name, rna, insee)
        if not association.contact_email:
            association.contact_name = "Contact de l'association"
            association.contact_email = f"association{index + 1}@{DOMAIN}"
            association.presentation = (
                "Association de proximité active dans les quartiers prioritaires de "
                "l'agglomération de Lens-Liévin."
            )
            association.themes = [themes[index * len(themes) // len(data.ASSOCIATIONS)]]
            association.qpvs = rng.sample(qpvs, 2)
        rows.append(association)
    db.session.flush()
    return rows


# --- people -------------------------------------------------------------------------------


def _admin(org) -> User | None:
    return db.session.scalar(
        select(User)
        .join(Membership)
        .where(User.organisation_id == org.id, Membership.role == Role.ADMIN)
        .order_by(User.id)
    )


def _jury_people(org) -> list[tuple[User, College]]:
    from app.users.passwords import hash_password

    people = []
    password_hash = None
    for local, name, college in data.JURY:
        email = f"{local}@{DOMAIN}"
        user = user_services.find_user(org, email)
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(
                organisation_id=org.id,
                organisation=org,
                email=email,
                display_name=name,
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
        if not user.has_role(Role.JURY_MEMBER):
            user_services.add_role(None, user, Role.JURY_MEMBER)
        people.append((user, College(college)))
    return people


# --- calls --------------------------------------------------------------------------------


def _call(org, title, year, opens_at, closes_at, themes, admin) -> AmiCall:
    call = AmiCall(
        organisation_id=org.id,
        year=year,
        title=title,
        specification=data.SPECIFICATION,
        opens_at=opens_at,
        closes_at=closes_at,
        budget_envelope_cents=11_000_000,
        base_rate=50,
        ceiling_cents=2_000_000,
        blank_page_enabled=True,
        blank_page_ceiling_cents=500_000,
        published_at=opens_at,
        created_by_id=admin.id if admin else None,
    )
    call.created_at = opens_at - timedelta(days=20)
    call.themes = list(themes)
    call.co_funders = [CoFunder(name=data.CO_FUNDER, amount_cents=700_000)]
    call.bonus_rules = [
        BonusRule(
            kind=BonusKind.WOMEN_SHARE,
            label="Actions en direction des femmes (au moins 50 % du public)",
            rate=80,
            threshold=50,
        ),
        BonusRule(
            kind=BonusKind.COOPERATION,
            label="Associations qui travaillent ensemble (au moins 2)",
            rate=80,
            threshold=2,
        ),
    ]
    call.criteria = [
        Criterion(label=label, weight=weight, position=position)
        for position, (label, weight) in enumerate(data.CRITERIA)
    ]
    db.session.add(call)
    db.session.flush()
    return call


def _fill(application: Application, rng, qpvs, requested_euros: int, budget_factor: float):
    chosen = rng.sample(qpvs, rng.choice((1, 1, 2)))
    application.public = rng.choice(data.PUBLICS)
    application.objectives = rng.choice(data.OBJECTIVES)
    application.actions = rng.choice(data.ACTIONS)
    application.calendar = "De septembre à juin, hors vacances scolaires."
    application.beneficiaries = rng.randrange(20, 160, 5)
    application.requested_cents = requested_euros * 100
    application.budget_total_cents = int(requested_euros * budget_factor) * 100
    application.other_funding_cents = application.budget_total_cents - application.requested_cents
    application.other_funding_details = "Fonds propres, bénévolat valorisé, commune."
    application.qpvs = chosen
    communes = {q.commune for q in chosen if q.commune is not None}
    application.communes = sorted(communes, key=lambda c: c.name)


def _applications_2021(call, themes, qpvs, associations, demo, rng, admin) -> dict:
    """The 28 applications, by (theme index, position in theme)."""
    submitted = paris(date(2021, 4, 20), time(16))
    checked = paris(date(2021, 5, 5), time(11))
    result = {}
    others = iter(associations)
    number = 0
    for t, theme in enumerate(themes):
        for p, title in enumerate(data.TITLES[theme.name]):
            number += 1
            key = (t, p)
            mine = key == (0, 7)
            granted = data.FUNDED.get(key)
            application = Application(
                call_id=call.id,
                association=demo if mine else next(others),
                track=Track.BLANK_PAGE if mine else Track.STANDARD,
                status=ApplicationStatus.ELIGIBLE,
                number=f"AMI-2021-{number:03d}",
                title=title,
                theme_id=theme.id,
                women_share=85 if mine else rng.randrange(20, 85, 5),
                submitted_at=submitted + timedelta(hours=number * 7),
                submitted_by_id=None,
                complete=True,
                association_valid=True,
                theme_in_call=True,
                eligibility_checked_at=checked,
                eligibility_checked_by_id=admin.id if admin else None,
            )
            requested = granted if granted else rng.randrange(6_000, 20_001, 500)
            _fill(application, rng, qpvs, requested, 1.3 if mine else rng.choice((2, 2.5, 3)))
            if key in data.INELIGIBLE:
                application.status = ApplicationStatus.INELIGIBLE
                application.eligibility_reason = data.INELIGIBLE[key]
                application.complete = key != (3, 5)
            if not mine and rng.random() < 0.25:
                application.partners = [rng.choice(associations[-4:])]
            application.created_at = submitted - timedelta(days=10)
            db.session.add(application)
            result[key] = application
    db.session.flush()
    return result


def _hearings(call, themes, applications) -> None:
    by_theme = [
        (theme, [a for (t, _p), a in sorted(applications.items()) if t == index])
        for index, theme in enumerate(themes)
    ]
    by_theme = [
        (theme, [a for a in apps if a.status is ApplicationStatus.ELIGIBLE])
        for theme, apps in by_theme
    ]
    days = (date(2021, 5, 25), date(2021, 5, 26), date(2021, 5, 27))
    hours = (time(9), time(10, 45), time(14))
    for position, (theme, group) in enumerate(plan_groups(by_theme)):
        start = paris(days[position // 3 % 3], hours[position % 3])
        slot = HearingSlot(
            call_id=call.id,
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            location=data.HEARING_PLACE,
        )
        db.session.add(slot)
        db.session.flush()
        hearing = Hearing(call_id=call.id, theme_id=theme.id, slot_id=slot.id, position=position)
        db.session.add(hearing)
        db.session.flush()
        for application in group:
            application.hearing_id = hearing.id
            application.hearing_invited_at = paris(date(2021, 5, 10), time(10))
            application.hearing_confirmed_at = paris(date(2021, 5, 12), time(15))


def _jury(call, people, applications, rng) -> None:
    members = []
    for user, college in people:
        member = JuryMember(call_id=call.id, user_id=user.id, college=college)
        db.session.add(member)
        members.append(member)
    db.session.flush()
    eligible = [
        a for _k, a in sorted(applications.items()) if a.status is ApplicationStatus.ELIGIBLE
    ]
    funded = {applications[k].id for k in data.FUNDED}
    conflicted = (members[3].id, applications[(2, 2)].id)
    declared = paris(date(2021, 5, 20), time(9))
    scored = paris(date(2021, 5, 28), time(17))
    rows = []
    for member in members:
        for application in eligible:
            conflict = (member.id, application.id) == conflicted
            rows.append(
                InterestDeclaration(
                    jury_member_id=member.id,
                    application_id=application.id,
                    conflict_of_interest=conflict,
                    reason="Membre du conseil d'administration de l'association."
                    if conflict
                    else "",
                    declared_at=declared,
                )
            )
            if conflict:
                continue
            base = 4 if application.id in funded else rng.choice((2, 3))
            for criterion in call.criteria:
                rows.append(
                    Score(
                        jury_member_id=member.id,
                        application_id=application.id,
                        criterion_id=criterion.id,
                        value=min(max(base + rng.choice((-1, 0, 0, 1)), 0), 5),
                        scored_at=scored,
                    )
                )
    db.session.add_all(rows)
    call.deliberation_opened_at = paris(date(2021, 6, 1), time(9))


def _decisions(call, applications, admin) -> None:
    notified = paris(date(2021, 6, 15), time(10))
    co_funder = call.co_funders[0]
    co_key, co_euros = data.CO_FUNDED
    for key, application in sorted(applications.items()):
        if application.status is not ApplicationStatus.ELIGIBLE:
            continue
        decision = Decision(
            application_id=application.id,
            outcome=Outcome.NOT_FUNDED,
            decided_by_id=admin.id if admin else None,
            notified_at=notified,
        )
        if key in data.FUNDED:
            decision.outcome = Outcome.FUNDED
            decision.granted_cents = data.FUNDED[key] * 100
            decision.motivation = "Projet au plus près des habitants, budget cohérent."
            decision.advice = (
                "Pensez à présenter l'action au comité de pilotage du contrat de ville."
            )
            if key == co_key:
                decision.co_funder_id = co_funder.id
                decision.co_funded_cents = co_euros * 100
            if key in data.CITY_CONTRACT:
                application.city_contract_year = 2022
        elif key in data.REDIRECTED:
            decision.outcome = Outcome.REDIRECTED
            decision.referral_note = data.REDIRECTED[key]
            decision.motivation = "Le projet relève d'un autre dispositif."
        elif key in data.INTRODUCED:
            decision.outcome = Outcome.INTRODUCED
            decision.advice = "Rencontrez l'association financée sur la même thématique."
            decision.introductions = [applications[(key[0], 0)].association]
        else:
            decision.motivation = "Le jury a privilégié des besoins moins couverts."
            decision.advice = "Le projet peut être retravaillé et présenté l'an prochain."
        db.session.add(decision)


def _open_call(org, themes, qpvs, associations, rng, admin) -> None:
    now = utcnow()
    year = now.year
    title = f"AMI cohésion sociale {year}"
    exists = db.session.scalar(
        select(AmiCall.id).where(AmiCall.organisation_id == org.id, AmiCall.title == title)
    )
    if exists is not None:
        return
    call = _call(
        org, title, year, now - timedelta(days=30), now + timedelta(days=45), themes, admin
    )
    for index, association in enumerate(associations[-3:] + associations[:1]):
        draft = index < 2
        theme = themes[index % len(themes)]
        application = Application(
            call_id=call.id,
            association=association,
            status=ApplicationStatus.DRAFT if draft else ApplicationStatus.SUBMITTED,
            title=data.TITLES[theme.name][-1 - index] + " (saison 2)",
            theme_id=theme.id,
            women_share=rng.randrange(30, 80, 5),
        )
        _fill(application, rng, qpvs, rng.randrange(6_000, 18_001, 500), 2)
        if not draft:
            application.number = f"AMI-{year}-{index - 1:03d}"
            application.submitted_at = now - timedelta(days=5 - index)
        db.session.add(application)


@demo_step
def demo_ami(org) -> None:
    """The 2021 call, closed and decided, and the current year's open call."""
    done = db.session.scalar(
        select(AmiCall.id).where(
            AmiCall.organisation_id == org.id, AmiCall.title == data.CALL_2021_TITLE
        )
    )
    if done is not None:
        return
    rng = random.Random(2021)
    themes = _themes(org)
    qpvs = _qpvs(org)
    associations = _associations(org, themes, qpvs, rng)
    demo = _association(org, data.DEMO_ASSOCIATION, data.DEMO_ASSOCIATION_RNA, "62510")
    db.session.flush()
    admin = _admin(org)
    people = _jury_people(org)
    call = _call(
        org,
        data.CALL_2021_TITLE,
        2021,
        paris(date(2021, 3, 1), time(0)),
        paris(date(2021, 4, 30), time(23, 59)),
        themes,
        admin,
    )
    applications = _applications_2021(call, themes, qpvs, associations, demo, rng, admin)
    _hearings(call, themes, applications)
    _jury(call, people, applications, rng)
    _decisions(call, applications, admin)
    _open_call(org, themes, qpvs, associations, rng, admin)
    db.session.flush()
