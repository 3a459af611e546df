"""Hearings: slots, the proposed groups, moves, invitations with an .ics file, confirmation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from html import unescape

import pytest
from flask import render_template
from icalendar import Calendar
from sqlalchemy import func, select

from ami.hearing_calendar import paris_to_utc
from ami.models import Application, ApplicationStatus, Hearing, HearingSlot
from ami.services import hearings as services
from ami.services.common import AmiError
from app.audit.models import AuditEntry
from app.db import db
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami

OTHER = "http://carcassonne.test"
#: a Tuesday in winter (UTC+1) for the first slots
FIRST_DAY = date(2026, 12, 1)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def add_slots(call, n: int, first_day: date = FIRST_DAY) -> list[HearingSlot]:
    """n slots, two a day (9:00 and 14:00, Paris time), added in reverse order."""
    slots = []
    for i in reversed(range(n)):
        day = first_day + timedelta(days=i // 2)
        start = time(9, 0) if i % 2 == 0 else time(14, 0)
        starts = paris_to_utc(day, start)
        slot = HearingSlot(
            call_id=call.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            location=f"Hôtel communautaire, salle {i + 1}",
        )
        db.session.add(slot)
        slots.append(slot)
    db.session.commit()
    return sorted(slots, key=lambda s: s.starts_at)


@pytest.fixture
def world(org, other_org):
    """A call with three eligible applications of one theme, each of its own association."""
    add_host(org, "localhost")
    db.session.commit()
    call = ami.call(org)
    people, applications = [], []
    for i in range(3):
        association, person = ami.association_member(org, f"Association {i + 1}")
        people.append(person)
        applications.append(ami.application(call, association, status=ApplicationStatus.ELIGIBLE))
    return {
        "org": org,
        "call": call,
        "people": people,
        "applications": applications,
        "admin": factories.user(org, Role.ADMIN),
        "jury": ami.jury_member(call).user,
        "stranger": factories.user(other_org, Role.ADMIN),
    }


def scheduled(world, slots: int = 2) -> Hearing:
    """The world's three applications in one group on the first of `slots` slots."""
    add_slots(world["call"], slots)
    services.propose(world["admin"], world["call"])
    db.session.commit()
    return world["applications"][0].hearing


def invited(world, app) -> Hearing:
    hearing = scheduled(world)
    with app.test_request_context():
        services.invite(world["admin"], world["call"])
    db.session.commit()
    return hearing


# --- access ---------------------------------------------------------------------------------


def admin_requests(world):
    call = world["call"]
    base = f"/ami/gestion/appels/{call.id}/auditions"
    hearing = scheduled(world)
    slot = hearing.slot
    application = world["applications"][0]
    return [
        ("get", base, {}),
        (
            "post",
            f"{base}/creneaux",
            {"day": "2026-12-10", "starts": "09:00", "ends": "10:00", "location": "Salle"},
        ),
        ("post", f"{base}/creneaux/{slot.id}/supprimer", {"submit": "1"}),
        ("post", f"{base}/proposer", {"replace": "y"}),
        ("post", f"{base}/candidatures/{application.id}/deplacer", {"hearing_id": hearing.id}),
        ("post", f"{base}/groupes/{hearing.id}/creneau", {f"h{hearing.id}-slot_id": ""}),
        ("post", f"{base}/inviter", {"submit": "1"}),
    ]


def snapshot():
    return (
        count(HearingSlot),
        count(Hearing),
        count(OutboxEmail),
        tuple(db.session.scalars(select(Hearing.slot_id).order_by(Hearing.id))),
    )


def test_anonymous_is_sent_to_login(client, world):
    for method, url, data in admin_requests(world):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302, url
        assert "/ami/" not in response.headers["Location"], url


@pytest.mark.parametrize("who", ["association", "jury"])
def test_associations_and_jury_members_may_not_manage_hearings(client, login, world, who):
    person = world["people"][0] if who == "association" else world["jury"]
    requests = admin_requests(world)
    before = snapshot()
    login(client, person)
    for method, url, data in requests:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert snapshot() == before


def test_another_organisations_admin_finds_nothing(client, login, world):
    requests = admin_requests(world)
    before = snapshot()
    login(client, world["stranger"], host="carcassonne.test")
    for method, url, data in requests:
        assert getattr(client, method)(OTHER + url, data=data).status_code == 404, url
    application = world["applications"][0]
    assert client.get(f"{OTHER}/ami/candidatures/{application.id}/audition.ics").status_code == 404
    assert (
        client.post(f"{OTHER}/ami/candidatures/{application.id}/audition/confirmer").status_code
        == 404
    )
    assert snapshot() == before


def test_admin_sees_the_schedule(client, login, world):
    hearing = scheduled(world)
    login(client, world["admin"])
    page = text(client.get(f"/ami/gestion/appels/{world['call'].id}/auditions"))
    assert "Groupe 1" in page
    assert "Hôtel communautaire, salle 1" in page
    assert "mardi 1 décembre 2026, 09:00" in page
    for application in hearing.applications:
        assert application.association.name in page
    assert "Inviter les associations" in page


# --- slots ----------------------------------------------------------------------------------


def test_admin_adds_a_slot_in_paris_time(client, login, world):
    login(client, world["admin"])
    response = client.post(
        f"/ami/gestion/appels/{world['call'].id}/auditions/creneaux",
        data={"day": "2026-07-02", "starts": "09:30", "ends": "11:00", "location": "Salle 2"},
    )
    assert response.status_code == 302
    slot = db.session.scalar(select(HearingSlot))
    assert slot.starts_at == datetime(2026, 7, 2, 7, 30, tzinfo=UTC)  # summer: UTC+2
    assert slot.ends_at == datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
    assert slot.location == "Salle 2"


def test_a_slot_ending_before_it_starts_is_refused_and_the_form_kept(client, login, world):
    login(client, world["admin"])
    response = client.post(
        f"/ami/gestion/appels/{world['call'].id}/auditions/creneaux",
        data={"day": "2026-07-02", "starts": "11:00", "ends": "10:00", "location": "Salle gardée"},
    )
    assert response.status_code == 422
    assert "Salle gardée" in text(response)
    assert "L'heure de fin doit suivre le début." in text(response)
    assert count(HearingSlot) == 0
    response = client.post(
        f"/ami/gestion/appels/{world['call'].id}/auditions/creneaux", data={"day": "hier"}
    )
    assert response.status_code == 422


def test_removing_a_slot_unschedules_its_group(client, login, world):
    hearing = scheduled(world)
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{world['call'].id}/auditions/creneaux/{hearing.slot_id}/supprimer"
    assert client.post(url, data={"submit": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).slot_id is None
    assert count(HearingSlot) == 1


def test_a_slot_with_invited_associations_cannot_be_removed(world, app):
    hearing = invited(world, app)
    with pytest.raises(AmiError) as refused:
        services.remove_slot(world["admin"], world["call"], hearing.slot)
    assert refused.value.code == "slot_invited"


# --- the proposal ---------------------------------------------------------------------------


@pytest.fixture
def call_2021(org):
    """28 eligible applications over 4 themes (8/7/7/6), plus a draft and an ineligible one."""
    add_host(org, "localhost")
    db.session.commit()
    call = ami.call(org, year=2021, open_=False)
    association = factories.association(org, "Association porteuse")
    for theme, n in zip(call.themes, (8, 7, 7, 6), strict=True):
        for _ in range(n):
            ami.application(call, association, status=ApplicationStatus.ELIGIBLE, theme=theme)
    ami.application(call, association, status=ApplicationStatus.INELIGIBLE)
    ami.application(call, association, status=ApplicationStatus.DRAFT)
    return call


def test_proposal_for_28_applications_over_4_themes_and_10_slots(client, login, org, call_2021):
    admin = factories.user(org, Role.ADMIN)
    slots = add_slots(call_2021, 10)
    login(client, admin)
    response = client.post(f"/ami/gestion/appels/{call_2021.id}/auditions/proposer")
    assert response.status_code == 302
    hearings = services.hearings_of(call_2021)
    themes = [t.id for t in call_2021.themes]
    assert [(themes.index(h.theme_id), len(h.applications)) for h in hearings] == [
        (0, 3), (0, 3), (0, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 3), (3, 3)
    ]  # fmt: skip
    # in time order, one group per slot; the tenth slot stays free
    assert [h.slot_id for h in hearings] == [s.id for s in slots[:9]]
    # every eligible application, by number within its theme, and only them
    placed = [a for h in hearings for a in h.applications]
    assert len(placed) == 28
    assert all(a.status == ApplicationStatus.ELIGIBLE for a in placed)
    for h in hearings:
        assert all(a.theme_id == h.theme_id for a in h.applications)
    numbers = [a.number for a in placed]
    for theme in themes:
        of_theme = [a.number for a in placed if a.theme_id == theme]
        assert of_theme == sorted(of_theme)
    assert len(set(numbers)) == 28
    page = text(client.get(f"/ami/gestion/appels/{call_2021.id}/auditions"))
    assert "9 groupes d'audition proposés." in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ami.hearings.propose"))
    assert entry.details["groups"] == 9


def test_too_few_slots_leave_groups_unscheduled_with_a_warning(client, login, org, call_2021):
    admin = factories.user(org, Role.ADMIN)
    add_slots(call_2021, 7)
    login(client, admin)
    response = client.post(
        f"/ami/gestion/appels/{call_2021.id}/auditions/proposer", follow_redirects=True
    )
    assert "ajoutez 2 créneaux" in text(response)
    hearings = services.hearings_of(call_2021)
    assert sum(h.slot_id is None for h in hearings) == 2


def test_proposing_again_needs_a_confirmation_and_keeps_invited_groups(client, login, world, app):
    call = world["call"]
    hearing = invited(world, app)
    association, _person = ami.association_member(world["org"], "Nouvelle association")
    late = [ami.application(call, association, status=ApplicationStatus.ELIGIBLE) for _ in range(2)]
    services.propose(world["admin"], call)
    db.session.commit()
    proposed = late[0].hearing_id
    assert proposed is not None and proposed != hearing.id

    login(client, world["admin"])
    url = f"/ami/gestion/appels/{call.id}/auditions/proposer"
    response = client.post(url, follow_redirects=True)
    assert "cochez la case" in text(response)
    assert db.session.get(Hearing, proposed) is not None

    assert client.post(url, data={"replace": "y"}).status_code == 302
    db.session.expire_all()
    assert count(Hearing) == 2  # the invited group and the replaced proposal
    assert db.session.get(Hearing, hearing.id) is not None
    proposals = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ami.hearings.propose")
    ).all()
    assert len(proposals) == 3 and proposals[-1].details["applications"] == 2
    late_hearing = db.session.get(Application, late[0].id).hearing
    assert late_hearing.slot_id is not None and late_hearing.slot_id != hearing.slot_id
    assert {a.id for a in db.session.get(Hearing, hearing.id).applications} == {
        a.id for a in world["applications"]
    }


# --- moving ---------------------------------------------------------------------------------


def test_admin_moves_an_application_and_is_warned_of_a_lone_one(client, login, world):
    call = world["call"]
    association, _person = ami.association_member(world["org"], "Quatrième")
    fourth = ami.application(call, association, status=ApplicationStatus.ELIGIBLE)
    fifth = ami.application(call, association, status=ApplicationStatus.ELIGIBLE)
    add_slots(call, 3)
    services.propose(world["admin"], call)  # 5 → groups of 3 and 2
    db.session.commit()
    first, second = services.hearings_of(call)
    assert len(second.applications) == 2
    second_id = second.id
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{call.id}/auditions/candidatures/{fourth.id}/deplacer"
    response = client.post(url, data={"hearing_id": first.id}, follow_redirects=True)
    page = text(response)
    assert "déplacée dans le groupe 1" in page
    assert "n'a plus qu'une candidature" in page
    db.session.expire_all()
    assert db.session.get(Application, fourth.id).hearing_id == first.id
    assert len(db.session.get(Hearing, first.id).applications) == 4
    assert "Une seule candidature" in text(client.get(f"/ami/gestion/appels/{call.id}/auditions"))

    # emptying a group removes it
    url = f"/ami/gestion/appels/{call.id}/auditions/candidatures/{fifth.id}/deplacer"
    assert client.post(url, data={"hearing_id": first.id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Hearing, second_id) is None


def test_moving_to_an_unknown_group_or_an_invited_application_is_refused(client, login, world, app):
    hearing = invited(world, app)
    other = Hearing(call_id=world["call"].id, position=2)
    db.session.add(other)
    db.session.commit()
    application = world["applications"][0]
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{world['call'].id}/auditions/candidatures/{application.id}/deplacer"
    page = text(client.post(url, data={"hearing_id": 99999}, follow_redirects=True))
    assert "Choisissez un groupe." in page
    page = text(client.post(url, data={"hearing_id": other.id}, follow_redirects=True))
    assert "ne peut plus changer de groupe" in page
    db.session.expire_all()
    assert db.session.get(Application, application.id).hearing_id == hearing.id


def test_admin_changes_a_groups_slot_and_invited_ones_must_be_invited_again(
    client, login, world, app
):
    hearing = invited(world, app)
    free = [s for s in services.slots_of(world["call"]) if s.id != hearing.slot_id][0]
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{world['call'].id}/auditions/groupes/{hearing.id}/creneau"
    page = text(client.post(url, data={f"h{hearing.id}-slot_id": free.id}, follow_redirects=True))
    assert "invitez-les de nouveau" in page
    db.session.expire_all()
    hearing = db.session.get(Hearing, hearing.id)
    assert hearing.slot_id == free.id
    assert all(a.hearing_invited_at is None for a in hearing.applications)


def test_a_slot_taken_by_another_group_is_refused(world):
    call = world["call"]
    hearing = scheduled(world)
    other = Hearing(call_id=call.id, position=2)
    db.session.add(other)
    db.session.commit()
    with pytest.raises(AmiError) as refused:
        services.set_slot(world["admin"], other, hearing.slot)
    assert refused.value.code == "slot_taken"


# --- invitations ----------------------------------------------------------------------------


def test_invitations_carry_an_ics_with_the_time_in_utc(client, login, world):
    hearing = scheduled(world)
    login(client, world["admin"])
    response = client.post(
        f"/ami/gestion/appels/{world['call'].id}/auditions/inviter", follow_redirects=True
    )
    assert "3 associations invitées" in text(response)
    mails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert sorted(m.to_address for m in mails) == sorted(p.email for p in world["people"])
    mail = next(m for m in mails if m.to_address == world["people"][0].email)
    assert "Invitation à l'audition" in mail.subject
    assert "mardi 1 décembre 2026, 09:00" in mail.body_text
    assert "Hôtel communautaire, salle 1" in mail.body_text
    assert "Association 2" in mail.body_text and "Association 3" in mail.body_text
    [attachment] = mail.attachments
    assert attachment.filename == "audition.ics"
    assert attachment.content_type == "text/calendar"
    calendar = Calendar.from_ical(attachment.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 9:00 in Paris
    assert "20261201T080000Z" in attachment.content.decode()
    assert event.decoded("dtend") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert "salle 1" in str(event["location"])
    db.session.expire_all()
    assert all(
        a.hearing_invited_at is not None for a in db.session.get(Hearing, hearing.id).applications
    )
    # nobody is invited twice
    client.post(f"/ami/gestion/appels/{world['call'].id}/auditions/inviter")
    assert count(OutboxEmail) == 3


def test_unscheduled_groups_are_not_invited(world, app):
    services.propose(world["admin"], world["call"])  # no slot
    with app.test_request_context():
        assert services.invite(world["admin"], world["call"]) == 0
    assert count(OutboxEmail) == 0


# --- the association's side -----------------------------------------------------------------


def test_the_association_downloads_its_ics(client, login, world, app):
    invited(world, app)
    application = world["applications"][0]
    url = f"/ami/candidatures/{application.id}/audition.ics"
    login(client, world["people"][0])
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    login(client, world["people"][1])
    assert client.get(url).status_code == 403
    login(client, world["jury"])
    assert client.get(url).status_code == 403


def test_no_ics_before_a_slot(client, login, world):
    login(client, world["people"][0])
    application = world["applications"][0]
    assert client.get(f"/ami/candidatures/{application.id}/audition.ics").status_code == 404


def test_the_association_confirms_and_the_admin_sees_it(client, login, world, app):
    invited(world, app)
    application = world["applications"][0]
    url = f"/ami/candidatures/{application.id}/audition/confirmer"
    login(client, world["people"][1])
    assert client.post(url).status_code == 403
    login(client, world["admin"])
    assert client.post(url).status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, application.id).hearing_confirmed_at is None

    login(client, world["people"][0])
    assert client.post(url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).hearing_confirmed_at is not None
    assert (
        db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "ami.hearings.confirm")
        ).object_id
        == application.id
    )
    confirmed_at = db.session.get(Application, application.id).hearing_confirmed_at
    assert client.post(url).status_code == 302  # a second time: nothing changes
    db.session.expire_all()
    assert db.session.get(Application, application.id).hearing_confirmed_at == confirmed_at

    login(client, world["admin"])
    page = text(client.get(f"/ami/gestion/appels/{world['call'].id}/auditions"))
    assert "Présence confirmée le" in page


def test_confirming_before_an_invitation_is_refused(world):
    scheduled(world)
    with pytest.raises(AmiError) as refused:
        services.confirm(world["people"][0], world["applications"][0])
    assert refused.value.code == "not_invited"


def test_the_fragment_shows_the_hearing_to_the_association(client, login, world, app):
    invited(world, app)
    application = world["applications"][0]
    login(client, world["people"][0])
    with app.test_request_context(), client:
        client.get("/")  # sign the person in for the fragment's permission check
        html = unescape(
            render_template("ami/hearings/_application_hearing.html", application=application)
        )
    assert "Votre audition" in html
    assert "mardi 1 décembre 2026, 09:00" in html
    assert "Association 2, Association 3" in html
    assert f"/ami/candidatures/{application.id}/audition.ics" in html
    assert "Je confirme ma présence" in html
    application.hearing_confirmed_at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    with app.test_request_context(), client:
        client.get("/")
        html = unescape(
            render_template("ami/hearings/_application_hearing.html", application=application)
        )
    assert "Présence confirmée le" in html
    assert "Je confirme ma présence" not in html


def test_the_fragment_is_empty_before_the_invitation(app, world):
    scheduled(world)
    with app.test_request_context():
        html = render_template(
            "ami/hearings/_application_hearing.html", application=world["applications"][0]
        )
    assert html.strip() == ""


# --- bounded queries ------------------------------------------------------------------------


def test_the_schedule_issues_a_bounded_number_of_queries(client, login, world, count_queries):
    call = world["call"]
    scheduled(world, slots=12)
    login(client, world["admin"])
    url = f"/ami/gestion/appels/{call.id}/auditions"

    def measure() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = measure()
    association = factories.association(world["org"], "Beaucoup de projets")
    for i in range(27):
        ami.application(
            call, association, status=ApplicationStatus.ELIGIBLE, theme=call.themes[i % 4]
        )
    services.propose(world["admin"], call)
    db.session.commit()
    assert len(services.hearings_of(call)) > 5
    assert measure() == few


def test_the_schedules_forms_carry_their_csrf_token(client, login, world, csrf_on):
    import re

    call = world["call"]
    association, _person = ami.association_member(world["org"], "Quatrième")
    fourth = ami.application(call, association, status=ApplicationStatus.ELIGIBLE)
    ami.application(call, association, status=ApplicationStatus.ELIGIBLE)
    add_slots(call, 3)
    services.propose(world["admin"], call)
    db.session.commit()
    first = services.hearings_of(call)[0]
    login(client, world["admin"])
    page = client.get(f"/ami/gestion/appels/{call.id}/auditions").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    url = f"/ami/gestion/appels/{call.id}/auditions/candidatures/{fourth.id}/deplacer"
    assert client.post(url, data={"hearing_id": first.id}).status_code == 400
    response = client.post(url, data={"hearing_id": first.id, "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, fourth.id).hearing_id == first.id
