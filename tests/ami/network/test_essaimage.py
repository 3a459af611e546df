"""The essaimage day: the EPCI creates it and invites the funded associations (and others),
the associations register or decline, the speed-meeting plan seats them, printable sheets and
the .ics."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from itertools import combinations

import pytest
from flask import url_for
from icalendar import Calendar
from sqlalchemy import func, select

from ami.models import ApplicationStatus, Decision, Outcome
from ami.network.models import (
    EssaimageDay,
    EssaimageInvitation,
    EssaimageSeat,
    InvitationReason,
)
from ami.network.services import essaimage as services
from ami.network.services.common import NetworkError
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.paris import paris_to_utc
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami
from tests.ami.network import factories as network

OTHER = "http://carcassonne.test"
#: the day is in two months: 9:00-17:00 in Paris, four rounds of 10 minutes from 14:00
DAY = (utcnow() + timedelta(days=60)).date()


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def make_day(org, admin, **changes) -> EssaimageDay:
    data = services.DayData(
        year=2026,
        title="Essaimage 2026",
        description="Rencontres des associations financées.",
        location="Hôtel communautaire, Liévin",
        starts_at=paris_to_utc(DAY, time(9, 0)),
        ends_at=paris_to_utc(DAY, time(17, 0)),
        meetings_start_at=paris_to_utc(DAY, time(14, 0)),
        rounds=4,
        round_minutes=10,
        table_size=2,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    day = services.create_day(admin, org, data)
    db.session.commit()
    return day


def invite(day, association, registered: bool = True, attendees: int = 2):
    row = EssaimageInvitation(
        day_id=day.id,
        association_id=association.id,
        reason=InvitationReason.FUNDED,
        registered_at=utcnow() - timedelta(minutes=5) if registered else None,
        attendees=attendees,
    )
    db.session.add(row)
    db.session.commit()
    return row


def registered(org, day, n: int, prefix: str = "Asso"):
    """n associations (each with one person), invited and registered: [(association, person)]."""
    rows = []
    for i in range(n):
        association, person = ami.association_member(org, f"{prefix} {i + 1:02d}")
        invite(day, association)
        rows.append((association, person))
    return rows


@pytest.fixture
def world(org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    admin = factories.user(org, Role.ADMIN)
    mine, person = ami.association_member(org, "Les Jardins partagés")
    other, other_person = ami.association_member(org, "Cité des Sciences de Lens")
    day = make_day(org, admin)
    invitation = invite(day, mine, registered=False)
    return {
        "org": org,
        "admin": admin,
        "citizen": factories.user(org, Role.CITIZEN),
        "mine": mine,
        "person": person,
        "other": other,
        "other_person": other_person,
        "day": day,
        "invitation": invitation,
        "stranger": factories.user(other_org, Role.ADMIN),
    }


def built(world, app, n: int = 5):
    """The world's day with n more registered associations and its plan."""
    rows = registered(world["org"], world["day"], n)
    with app.test_request_context():
        services.build_plan(world["admin"], world["org"], world["day"])
    db.session.commit()
    return rows


# --- access ---------------------------------------------------------------------------------


def admin_requests(world):
    day = world["day"]
    base = f"/ami/gestion/essaimage/{day.id}"
    return [
        ("get", base, {}),
        ("get", f"{base}/modifier", {}),
        ("post", f"{base}/modifier", {"title": ""}),
        ("post", f"{base}/inviter-financees", {"submit": "1"}),
        ("post", f"{base}/inviter", {"association_ids": world["other"].id}),
        ("post", f"{base}/invitations/{world['invitation'].id}/retirer", {"submit": "1"}),
        ("post", f"{base}/plan", {"submit": "1"}),
        ("get", f"{base}/plan/tables", {}),
        ("get", f"{base}/plan/associations", {}),
    ]


def association_requests(world):
    base = f"/ami/reseau/{world['mine'].id}/essaimage"
    day_id = world["day"].id
    return [
        ("get", base, {}),
        ("post", f"{base}/{day_id}/reponse", {f"d{day_id}-answer": "decline"}),
        ("get", f"{base}/{day_id}.ics", {}),
        ("get", f"{base}/{day_id}/plan", {}),
    ]


def snapshot():
    return (
        count(EssaimageDay),
        count(EssaimageInvitation),
        count(EssaimageSeat),
        count(OutboxEmail),
        tuple(db.session.scalars(select(EssaimageInvitation.declined_at))),
    )


def test_anonymous_visitors_are_sent_to_login(client, world):
    everything = [
        ("get", "/ami/gestion/essaimage", {}),
        ("get", "/ami/gestion/essaimage/nouveau", {}),
        *admin_requests(world),
        *association_requests(world),
    ]
    for method, url, data in everything:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


@pytest.mark.parametrize("who", ["citizen", "person"])
def test_citizens_and_associations_may_not_run_the_day(client, login, world, who):
    before = snapshot()
    login(client, world[who])
    for method, url, data in [
        ("get", "/ami/gestion/essaimage", {}),
        ("get", "/ami/gestion/essaimage/nouveau", {}),
        ("post", "/ami/gestion/essaimage/nouveau", {"title": "x"}),
        *admin_requests(world),
    ]:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert snapshot() == before


@pytest.mark.parametrize("who", ["citizen", "other_person", "admin"])
def test_only_the_associations_people_act_for_it(client, login, world, who):
    before = snapshot()
    login(client, world[who])
    for method, url, data in association_requests(world):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert snapshot() == before


def test_another_organisations_admin_finds_nothing(client, login, world):
    before = snapshot()
    login(client, world["stranger"], host="carcassonne.test")
    for method, url, data in [*admin_requests(world), *association_requests(world)]:
        assert getattr(client, method)(OTHER + url, data=data).status_code == 404, url
    page = text(client.get(f"{OTHER}/ami/gestion/essaimage"))
    assert "Essaimage 2026" not in page
    assert snapshot() == before


def test_the_admin_and_the_association_reach_their_pages(client, login, world, app):
    built(world, app)
    login(client, world["admin"])
    for method, url, _data in admin_requests(world):
        if method == "get":
            assert client.get(url).status_code == 200, url
    assert client.get("/ami/gestion/essaimage").status_code == 200
    assert client.get("/ami/gestion/essaimage/nouveau").status_code == 200
    login(client, world["person"])
    for method, url, _data in association_requests(world):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_an_association_not_invited_to_a_day_finds_nothing(client, login, world):
    login(client, world["other_person"])
    base = f"/ami/reseau/{world['other'].id}/essaimage"
    day_id = world["day"].id
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/{day_id}.ics").status_code == 404
    assert client.get(f"{base}/{day_id}/plan").status_code == 404
    response = client.post(f"{base}/{day_id}/reponse", data={f"d{day_id}-answer": "decline"})
    assert response.status_code == 404


# --- the day --------------------------------------------------------------------------------


def form_data(**changes):
    summer = date(utcnow().year + 1, 7, 2)
    data = {
        "year": "2026",
        "title": "Essaimage d'été",
        "description": "Venez nombreux.",
        "location": "Salle Jean Jaurès, Avion",
        "day": summer.isoformat(),
        "starts": "09:00",
        "ends": "12:30",
        "meetings_start": "10:00",
        "rounds": "6",
        "round_minutes": "12",
        "table_size": "3",
        "registration_closes_on": date(summer.year, 6, 25).isoformat(),
    }
    data.update(changes)
    return data


def test_the_admin_creates_a_day_in_paris_time(client, login, world):
    login(client, world["admin"])
    response = client.post("/ami/gestion/essaimage/nouveau", data=form_data())
    assert response.status_code == 302
    day = db.session.scalar(select(EssaimageDay).where(EssaimageDay.title == "Essaimage d'été"))
    year = utcnow().year + 1
    assert day.starts_at == datetime(year, 7, 2, 7, 0, tzinfo=UTC)  # summer: UTC+2
    assert day.ends_at == datetime(year, 7, 2, 10, 30, tzinfo=UTC)
    assert day.meetings_start_at == datetime(year, 7, 2, 8, 0, tzinfo=UTC)
    assert day.registration_closes_at == datetime(year, 6, 25, 21, 59, tzinfo=UTC)
    assert (day.rounds, day.round_minutes, day.table_size) == (6, 12, 3)
    assert day.organisation_id == world["org"].id
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "network.essaimage.create")
    )
    page = text(client.get(response.headers["Location"]))
    assert "Essaimage d'été" in page and "Salle Jean Jaurès, Avion" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends": "08:00"}, "L'heure de fin doit suivre l'heure de début."),
        ({"meetings_start": "13:00"}, "doivent commencer pendant la journée"),
        ({"rounds": "12", "round_minutes": "20"}, "12 tours de 20 minutes finiraient à 14:00"),
        ({"registration_closes_on": "2099-01-01"}, "doit précéder le jour de l'essaimage"),
        ({"rounds": "13"}, "De 1 à 12 tours."),
        ({"table_size": "7"}, "De 2 à 6 par table."),
        ({"round_minutes": "3"}, "De 5 à 60 minutes."),
        ({"title": ""}, "Ce champ est obligatoire."),
    ],
)
def test_a_day_that_does_not_hold_together_is_refused_and_the_form_kept(
    client, login, world, changes, message
):
    login(client, world["admin"])
    before = count(EssaimageDay)
    response = client.post("/ami/gestion/essaimage/nouveau", data=form_data(**changes))
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert "Salle Jean Jaurès, Avion" in page and "Venez nombreux." in page
    assert count(EssaimageDay) == before


def test_the_admin_edits_the_day_and_a_plan_for_other_rounds_is_removed(client, login, world, app):
    built(world, app)
    day = world["day"]
    login(client, world["admin"])
    page = text(client.get(f"/ami/gestion/essaimage/{day.id}/modifier"))
    assert 'value="14:00"' in page and 'value="Hôtel communautaire, Liévin"' in page
    data = form_data(day=DAY.isoformat(), registration_closes_on="", rounds="4", table_size="2")
    data.update(starts="09:00", ends="17:00", meetings_start="15:00", round_minutes="10")
    response = client.post(f"/ami/gestion/essaimage/{day.id}/modifier", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    day = db.session.get(EssaimageDay, day.id)
    assert day.meetings_start_at == paris_to_utc(DAY, time(15, 0))
    assert day.plan_built_at is not None  # same rounds and tables: the plan stays
    data["rounds"] = "3"
    response = client.post(
        f"/ami/gestion/essaimage/{day.id}/modifier", data=data, follow_redirects=True
    )
    assert "le plan des rencontres a été retiré" in text(response)
    db.session.expire_all()
    assert db.session.get(EssaimageDay, day.id).plan_built_at is None
    assert count(EssaimageSeat) == 0


def test_the_list_shows_the_days_newest_first_with_their_answers(
    client, login, world, count_queries
):
    org, admin, day = world["org"], world["admin"], world["day"]
    invite(day, world["other"])
    older = make_day(
        org,
        admin,
        title="Essaimage 2025",
        year=2025,
        starts_at=paris_to_utc(date(2025, 6, 5), time(9, 0)),
        ends_at=paris_to_utc(date(2025, 6, 5), time(17, 0)),
        meetings_start_at=paris_to_utc(date(2025, 6, 5), time(14, 0)),
    )
    declined = invite(older, world["mine"], registered=False)
    declined.declined_at = utcnow()
    db.session.commit()
    login(client, admin)
    with count_queries() as few:
        page = text(client.get("/ami/gestion/essaimage"))
    assert page.index("Essaimage 2026") < page.index("Essaimage 2025")
    assert '<td class="num">2</td>\n          <td class="num">1</td>' in page
    for i in range(6):
        extra = make_day(org, admin, title=f"Autre {i}")
        invite(extra, world["other"])
    with count_queries() as many:
        assert client.get("/ami/gestion/essaimage").status_code == 200
    assert many.count == few.count


# --- invitations ----------------------------------------------------------------------------


def decide(application, outcome=Outcome.FUNDED):
    db.session.add(Decision(application_id=application.id, outcome=outcome, granted_cents=100))
    db.session.commit()


@pytest.fixture
def funded_2026(world, other_org):
    """2026: a funded joint application (lead and partner), a funded one, a refused one, one
    undecided; 2025: a funded one; another organisation's funded one."""
    org = world["org"]
    names = ["Lead", "Partenaire", "Seule", "Refusée", "Sans décision", "Financée 2025"]
    a = {n: ami.association_member(org, n)[0] for n in names}
    call_2026, call_2025 = ami.call(org, year=2026), ami.call(org, year=2025, open_=False)
    status = ApplicationStatus.ELIGIBLE
    decide(ami.application(call_2026, a["Lead"], status=status, partners=[a["Partenaire"]]))
    decide(ami.application(call_2026, a["Seule"], status=status))
    decide(ami.application(call_2026, a["Refusée"], status=status), Outcome.NOT_FUNDED)
    ami.application(call_2026, a["Sans décision"], status=status)
    decide(ami.application(call_2025, a["Financée 2025"], status=status))
    elsewhere = ami.association_member(other_org, "Lead")[0]
    decide(ami.application(ami.call(other_org, year=2026), elsewhere, status=status))
    return a, call_2026


def test_inviting_the_funded_picks_the_leads_and_partners_of_the_year_once(
    client, login, world, funded_2026
):
    a, call = funded_2026
    day = world["day"]
    url = f"/ami/gestion/essaimage/{day.id}/inviter-financees"
    login(client, world["admin"])
    page = text(client.post(url, follow_redirects=True))
    assert "3 associations invitées" in page
    invited = db.session.scalars(
        select(EssaimageInvitation).where(EssaimageInvitation.reason == InvitationReason.FUNDED)
    ).all()
    names = {i.association.name for i in invited} - {world["mine"].name}
    assert names == {"Lead", "Partenaire", "Seule"}
    mails = db.session.scalars(select(OutboxEmail)).all()
    assert len(mails) == 3
    mail = mails[0]
    assert "Invitation : Essaimage 2026" in mail.subject
    assert "Hôtel communautaire, Liévin" in mail.body_text
    assert "/essaimage" in mail.body_text
    [attachment] = mail.attachments
    assert (attachment.filename, attachment.content_type) == ("essaimage.ics", "text/calendar")
    [event] = Calendar.from_ical(attachment.content).walk("VEVENT")
    assert event.decoded("dtstart") == paris_to_utc(DAY, time(9, 0))

    # again: nobody twice; a newly funded association is added alone
    assert "Aucune nouvelle association" in text(client.post(url, follow_redirects=True))
    late = ami.association_member(world["org"], "Financée tard")[0]
    decide(ami.application(call, late, status=ApplicationStatus.ELIGIBLE))
    assert "1 association invitée" in text(client.post(url, follow_redirects=True))
    assert count(EssaimageInvitation) == 5  # the world's invitation, 3, then 1
    assert count(OutboxEmail) == 4


def test_the_admin_invites_associations_of_its_choice(client, login, world):
    day, other = world["day"], world["other"]
    url = f"/ami/gestion/essaimage/{day.id}/inviter"
    login(client, world["admin"])
    page = text(client.get(f"/ami/gestion/essaimage/{day.id}"))
    assert f'type="checkbox" value="{other.id}"' in page
    assert f'type="checkbox" value="{world["mine"].id}"' not in page  # invited already
    response = client.post(url, data={})
    assert response.status_code == 422
    assert "Cochez au moins une association." in text(response)
    assert client.post(url, data={"association_ids": other.id}).status_code == 302
    invitation = services.invitation_of(day, other)
    assert invitation.reason == InvitationReason.CHOSEN
    [mail] = db.session.scalars(select(OutboxEmail)).all()
    assert mail.to_address == world["other_person"].email
    assert mail.attachments[0].filename == "essaimage.ics"


def test_an_invitation_is_withdrawn_until_the_plan_is_built(client, login, world, app):
    day, invitation = world["day"], world["invitation"]
    login(client, world["admin"])
    url = f"/ami/gestion/essaimage/{day.id}/invitations/{invitation.id}/retirer"
    assert client.post(url, data={"submit": "1"}).status_code == 302
    assert count(EssaimageInvitation) == 0
    [mail] = db.session.scalars(select(OutboxEmail)).all()
    assert "Invitation retirée" in mail.subject

    built(world, app)
    invitation = db.session.scalars(select(EssaimageInvitation)).first()
    url = f"/ami/gestion/essaimage/{day.id}/invitations/{invitation.id}/retirer"
    page = text(client.post(url, data={"submit": "1"}, follow_redirects=True))
    assert "ne peut plus être retirée" in page
    assert db.session.get(EssaimageInvitation, invitation.id) is not None


# --- the association's answer ---------------------------------------------------------------


def respond_url(world):
    return f"/ami/reseau/{world['mine'].id}/essaimage/{world['day'].id}/reponse"


def test_the_association_registers_then_changes_its_mind(client, login, world):
    day_id = world["day"].id
    login(client, world["person"])
    page = text(client.get(f"/ami/reseau/{world['mine'].id}/essaimage"))
    assert "Essaimage 2026" in page and "Vous n'avez pas encore répondu." in page
    response = client.post(
        respond_url(world), data={f"d{day_id}-answer": "register", f"d{day_id}-attendees": "3"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    invitation = db.session.get(EssaimageInvitation, world["invitation"].id)
    assert invitation.registered_at is not None and invitation.declined_at is None
    assert (invitation.attendees, invitation.responded_by_id) == (3, world["person"].id)
    assert "Inscrite : 3 personnes" in text(client.get(response.headers["Location"]))

    client.post(respond_url(world), data={f"d{day_id}-answer": "decline"})
    db.session.expire_all()
    invitation = db.session.get(EssaimageInvitation, world["invitation"].id)
    assert invitation.declined_at is not None and invitation.registered_at is None
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "network.essaimage.respond")
    ).all()
    assert [e.details["attending"] for e in entries] == [True, False]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer": "register"}, "Indiquez combien de personnes viendront (1 à 5)."),
        ({"answer": "register", "attendees": "9"}, "Indiquez de 1 à 5 personnes."),
        ({}, "Choisissez une réponse."),
    ],
)
def test_a_wrong_answer_is_refused_and_kept(client, login, world, data, message):
    day_id = world["day"].id
    login(client, world["person"])
    response = client.post(respond_url(world), data={f"d{day_id}-{k}": v for k, v in data.items()})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    if "attendees" in data:
        assert f'value="{data["attendees"]}"' in page
    db.session.expire_all()
    assert db.session.get(EssaimageInvitation, world["invitation"].id).registered_at is None


@pytest.mark.parametrize("closing", ["registration_closes_at", "starts_at"])
def test_answers_are_refused_once_registration_closes(client, login, world, closing):
    day = world["day"]
    if closing == "registration_closes_at":
        day.registration_closes_at = utcnow() - timedelta(hours=1)
    else:  # without a closing date, until the day starts
        day.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(client, world["person"])
    data = {f"d{day.id}-answer": "register", f"d{day.id}-attendees": "2"}
    page = text(client.post(respond_url(world), data=data, follow_redirects=True))
    assert "Les inscriptions sont closes depuis le" in page
    assert "contactez l'équipe cohésion sociale" in page
    db.session.expire_all()
    assert db.session.get(EssaimageInvitation, world["invitation"].id).registered_at is None


# --- the .ics -------------------------------------------------------------------------------


def test_the_ics_holds_the_day_in_utc_and_then_the_associations_rounds(client, login, world, app):
    url = f"/ami/reseau/{world['mine'].id}/essaimage/{world['day'].id}.ics"
    login(client, world["person"])
    response = client.get(url)
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert event.decoded("dtstart") == paris_to_utc(DAY, time(9, 0))
    assert event.decoded("dtend") == paris_to_utc(DAY, time(17, 0))
    assert paris_to_utc(DAY, time(9, 0)).strftime("%Y%m%dT%H%M%SZ") in response.data.decode()
    assert "Liévin" in str(event["location"])
    assert "Tour 1" not in str(event.get("description", ""))

    world["invitation"].registered_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    others = built(world, app, 4)
    [event] = Calendar.from_ical(client.get(url).data).walk("VEVENT")
    description = str(event["description"])
    for n, start in enumerate(("14:00", "14:10", "14:20", "14:30"), start=1):
        assert f"Tour {n}, {start}" in description
    stored = services.stored_plan(world["org"], world["day"])
    for item in stored.rounds_of(world["mine"].id):
        if item.table:
            assert f"table {item.table}, avec {', '.join(item.others)}" in description
        else:
            assert "pause" in description
    assert any(a.name in description for a, _p in others)


# --- the plan -------------------------------------------------------------------------------


def stored_seats(day):
    return db.session.scalars(select(EssaimageSeat).where(EssaimageSeat.day_id == day.id)).all()


def check_plan(day, ids, rounds):
    seats = stored_seats(day)
    tables = {}
    for seat in seats:
        tables.setdefault((seat.round, seat.table_number), set()).add(seat.association_id)
    pairs = Counter(frozenset(p) for t in tables.values() for p in combinations(sorted(t), 2))
    assert pairs and max(pairs.values()) == 1  # no pair twice
    rests = Counter()
    for number in range(1, rounds + 1):
        seated = [s.association_id for s in seats if s.round == number]
        assert len(seated) == len(set(seated))
        for who in set(ids) - set(seated):
            rests[who] += 1
    assert not rests or max(rests.values()) == 1  # resting at most once
    return pairs, rests


@pytest.mark.parametrize(("n", "rests"), [(9, 4), (12, 0)])
def test_the_plan_seats_the_registered_associations(client, login, world, n, rests):
    day = world["day"]
    rows = registered(world["org"], day, n)
    ids = [a.id for a, _p in rows]
    login(client, world["admin"])
    page = text(client.post(f"/ami/gestion/essaimage/{day.id}/plan", follow_redirects=True))
    assert "Plan construit" in page
    pairs, rested = check_plan(day, ids, 4)
    assert sum(rested.values()) == rests
    assert world["mine"].id not in {s.association_id for s in stored_seats(day)}  # not registered
    db.session.expire_all()
    assert db.session.get(EssaimageDay, day.id).plan_built_at is not None
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "network.essaimage.plan")
    )
    assert entry.details["registered"] == n and entry.details["meetings"] == len(pairs)
    # each registered association is sent its schedule, with the .ics
    mails = db.session.scalars(select(OutboxEmail)).all()
    assert sorted(m.to_address for m in mails) == sorted(p.email for _a, p in rows)
    mail = mails[0]
    assert "Votre programme" in mail.subject and "Tour 1, 14:00" in mail.body_text
    assert f"/essaimage/{day.id}/plan" in mail.body_text
    assert mail.attachments[0].filename == "essaimage.ics"


def test_a_matched_pair_meets_and_preferences_follow_the_network(world, app):
    org, day = world["org"], world["day"]
    rows = registered(org, day, 8)
    (a, _), (b, _), (c, _), (d, _), (e, _) = rows[:5]
    network.match(org, a, b)
    theme = ami.themes(org)[0]
    shared = ami.qpv(org, "Cité 4")
    for association in (c, d):  # same theme and same QPV: 6 points
        association.themes = [theme]
        association.qpvs = [shared]
    e.themes = [theme]  # 3 points with c and d
    # d and e already work together on a submitted application
    ami.application(ami.call(org, year=2026), d, partners=[e])
    db.session.commit()
    prefer = services.preferences(org, [x.id for x, _p in rows])
    assert prefer[frozenset((a.id, b.id))] == services.PREFER_MATCHED
    assert prefer[frozenset((c.id, d.id))] == services.PREFER_STRONG
    assert prefer[frozenset((c.id, e.id))] == services.PREFER_SUGGESTED
    assert frozenset((d.id, e.id)) not in prefer  # they know each other
    assert frozenset((a.id, c.id)) not in prefer
    with app.test_request_context():
        services.build_plan(world["admin"], org, day)
    db.session.commit()
    pairs, _rests = check_plan(day, [x.id for x, _p in rows], 4)
    assert frozenset((a.id, b.id)) in pairs
    assert frozenset((c.id, d.id)) in pairs


def test_rebuilding_replaces_the_seats(client, login, world, app):
    day = world["day"]
    built(world, app, 5)
    first = {(s.round, s.table_number, s.association_id) for s in stored_seats(day)}
    late = ami.association_member(world["org"], "Arrivée tard")[0]
    invite(day, late).registered_at = utcnow()  # after the plan
    db.session.commit()
    login(client, world["admin"])
    url = f"/ami/gestion/essaimage/{day.id}/plan"
    page = text(client.get(f"/ami/gestion/essaimage/{day.id}"))
    assert "Des réponses ont changé depuis : Arrivée tard" in page
    page = text(client.post(url, follow_redirects=True))
    assert "cochez la case" in page
    assert {(s.round, s.table_number, s.association_id) for s in stored_seats(day)} == first
    assert client.post(url, data={"replace": "y"}).status_code == 302
    seats = stored_seats(day)
    assert late.id in {s.association_id for s in seats}
    assert len(seats) == len({(s.round, s.association_id) for s in seats})
    check_plan(day, {s.association_id for s in seats}, 4)
    assert "Des réponses ont changé" not in text(client.get(f"/ami/gestion/essaimage/{day.id}"))


@pytest.mark.parametrize(
    ("n", "message"),
    [
        (1, "Il faut au moins deux associations inscrites"),
        (4, "Avec 4 associations inscrites en tête-à-tête, il ne peut y avoir plus de 3 tours"),
    ],
)
def test_a_plan_that_cannot_be_built_is_explained(client, login, world, n, message):
    day = world["day"]
    registered(world["org"], day, n)
    login(client, world["admin"])
    page = text(client.post(f"/ami/gestion/essaimage/{day.id}/plan", follow_redirects=True))
    assert message in page
    assert count(EssaimageSeat) == 0 and count(OutboxEmail) == 0


def test_the_plan_is_frozen_once_the_day_starts(world, app):
    built(world, app)
    day = world["day"]
    day.starts_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(NetworkError) as refused:
        services.build_plan(world["admin"], world["org"], day)
    assert refused.value.code == "essaimage_started"


# --- the printable pages --------------------------------------------------------------------


def test_the_printable_pages_list_every_association_in_bounded_queries(
    client, login, world, app, count_queries
):
    day = world["day"]
    built(world, app, 6)
    base = f"/ami/gestion/essaimage/{day.id}"
    login(client, world["admin"])
    counts = {}
    with count_queries() as counter:
        tables = text(client.get(f"{base}/plan/tables"))
    counts["tables"] = counter.count
    with count_queries() as counter:
        sheets = text(client.get(f"{base}/plan/associations"))
    counts["associations"] = counter.count
    with count_queries() as counter:
        client.get(base)
    counts["day"] = counter.count
    names = [f"Asso {i:02d}" for i in range(1, 7)]
    assert all(name in tables for name in names) and all(name in sheets for name in names)
    assert tables.count('class="essaimage-round"') == 4
    assert sheets.count('class="essaimage-sheet"') == 6
    assert "Tour 1 — 14:00" in tables and "Tour 4 — 14:30" in tables
    assert "Rencontres" in tables and "Pauses par tour" in tables

    registered(world["org"], day, 14, prefix="Autre")
    with app.test_request_context():
        services.build_plan(world["admin"], world["org"], day)
    db.session.commit()
    with count_queries() as counter:
        sheets = text(client.get(f"{base}/plan/associations"))
    assert counter.count == counts["associations"]
    assert sheets.count('class="essaimage-sheet"') == 20
    with count_queries() as counter:
        assert client.get(f"{base}/plan/tables").status_code == 200
    assert counter.count == counts["tables"]
    with count_queries() as counter:
        assert client.get(base).status_code == 200
    assert counter.count == counts["day"]


def test_the_plan_pages_wait_for_a_plan(client, login, world):
    login(client, world["admin"])
    response = client.get(f"/ami/gestion/essaimage/{world['day'].id}/plan/tables")
    assert response.status_code == 302
    login(client, world["person"])
    page = text(client.get(f"/ami/reseau/{world['mine'].id}/essaimage/{world['day'].id}/plan"))
    assert "pas encore construit" in page


def test_the_association_reads_its_rounds_with_a_pause(client, login, world, app):
    world["invitation"].registered_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    others = built(world, app, 4)  # five associations: each rests once
    for association, _person in others:
        network.profile(association, listed=association.name != "Asso 04")
    login(client, world["person"])
    page = text(client.get(f"/ami/reseau/{world['mine'].id}/essaimage/{world['day'].id}/plan"))
    assert "Programme de Les Jardins partagés" in page
    assert page.count("<em>pause</em>") == 1
    for start in ("14:00", "14:10", "14:20", "14:30"):
        assert f"<td>{start}</td>" in page
    stored = services.stored_plan(world["org"], world["day"])
    met = {o.name for _n, _s, _t, row in stored.rows_of(world["mine"].id) for o in row}
    assert met and met <= {a.name for a, _p in others}
    with app.test_request_context():
        links = {a.name: url_for("ami.directory_entry", association_id=a.id) for a, _p in others}
    for name in met:
        assert (f'href="{links[name]}"' in page) == (name != "Asso 04"), name
    mine_page = text(client.get(f"/ami/reseau/{world['mine'].id}/essaimage"))
    assert "Mon programme de rencontres" in mine_page


def test_the_associations_invitations_are_listed_in_bounded_queries(
    client, login, world, count_queries
):
    org, admin, mine = world["org"], world["admin"], world["mine"]
    login(client, world["person"])
    url = f"/ami/reseau/{mine.id}/essaimage"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    past = date(2024, 6, 6)
    for i in range(5):
        day = make_day(
            org,
            admin,
            title=f"Essaimage passé {i}",
            starts_at=paris_to_utc(past + timedelta(days=i), time(9, 0)),
            ends_at=paris_to_utc(past + timedelta(days=i), time(17, 0)),
            meetings_start_at=paris_to_utc(past + timedelta(days=i), time(14, 0)),
        )
        invite(day, mine)
    with count_queries() as many:
        page = text(client.get(url))
    assert many.count == few.count
    assert "Passées" in page and "Essaimage passé 4" in page
    assert page.count('action="/ami/reseau/') == 1  # only the upcoming day can be answered


def test_invitations_stop_when_registration_closes(client, login, world, funded_2026):
    day = world["day"]
    day.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, world["admin"])
    page = text(client.get(f"/ami/gestion/essaimage/{day.id}"))
    assert "Les inscriptions sont closes" in page
    url = f"/ami/gestion/essaimage/{day.id}/inviter-financees"
    assert "repoussez d'abord la date de clôture" in text(client.post(url, follow_redirects=True))
    assert count(EssaimageInvitation) == 1 and count(OutboxEmail) == 0


@pytest.mark.usefixtures("csrf_on")
def test_changes_need_the_forms_token(client, login, world):
    day = world["day"]
    registered(world["org"], day, 5)
    before = snapshot()
    login(client, world["admin"])
    base = f"/ami/gestion/essaimage/{day.id}"
    assert client.post(f"{base}/plan", data={"submit": "1"}).status_code == 400
    assert client.post(f"{base}/inviter-financees", data={"submit": "1"}).status_code == 400
    assert client.post("/ami/gestion/essaimage/nouveau", data=form_data()).status_code == 400
    login(client, world["person"])
    response = client.post(respond_url(world), data={f"d{day.id}-answer": "decline"})
    assert response.status_code == 400
    assert snapshot() == before
