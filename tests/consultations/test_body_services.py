"""Business actions on bodies and meetings, without requests."""

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.queries import commune_by_insee
from app.users import services as user_services
from app.users.models import Role
from consultations.bodies import services
from consultations.bodies.models import (
    AttendanceAnswer,
    BodyKind,
    MeetingStatus,
    RequestStatus,
    VoteChoice,
    VoteStatus,
)
from consultations.bodies.services import BodyError
from tests import factories


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN)


def _conference(org, admin):
    with current_app.test_request_context():
        body = services.ensure_mayors_conference(admin, org)
    db.session.commit()
    return body


def test_the_conference_des_maires_holds_the_mayor_of_every_commune(org, admin):
    factories.mayors(org)
    body = _conference(org, admin)
    members = services.current_members(body)
    assert len(members) == 36
    assert {m.commune.insee_code for m in members} == {c.insee_code for c in org.communes}
    assert all(m.weight == 1 for m in members)


def test_the_conference_follows_a_change_of_mayor(org, admin):
    factories.mayors(org, 3)
    body = _conference(org, admin)
    lens = commune_by_insee(org, org.communes[0].insee_code)
    new_mayor = factories.user(org, None, name="Nouveau maire")
    with current_app.test_request_context():
        user_services.add_role(admin, new_mayor, Role.MAYOR, commune=lens)
    db.session.commit()
    db.session.refresh(body)
    current = services.current_members(body)
    assert new_mayor.id in {m.user_id for m in current} and len(current) == 3
    former = [m for m in body.members if not m.current]
    assert len(former) == 1 and former[0].commune_id == lens.id


def test_meeting_request_threshold_for_36_mayors_is_12(org, admin):
    mayors = factories.mayors(org)
    body = _conference(org, admin)
    seats = {m.user_id: m for m in services.current_members(body)}
    now = utcnow()
    with current_app.test_request_context():
        request = services.open_request(seats[mayors[0].id], "Collecte des déchets", "", now)
        for mayor in mayors[1:11]:
            assert services.sign_request(seats[mayor.id], request, now) is False
        assert request.status is RequestStatus.COLLECTING and len(request.signatures) == 11
        assert services.sign_request(seats[mayors[11].id], request, now) is True
    db.session.commit()
    assert request.status is RequestStatus.ADMISSIBLE and request.threshold == 12
    emails = db.session.scalars(select(OutboxEmail.to_address)).all()
    assert admin.email in emails


def test_a_fifth_admissible_request_in_the_same_year_is_refused(org, admin):
    mayors = factories.mayors(org, 3)  # threshold: 1 of 3
    body = _conference(org, admin)
    seats = {m.user_id: m for m in services.current_members(body)}
    now = utcnow()
    with current_app.test_request_context():
        for n in range(4):
            request = services.open_request(seats[mayors[0].id], f"Sujet {n}", "", now)
            assert request.status is RequestStatus.ADMISSIBLE
        with pytest.raises(BodyError) as refused:
            services.open_request(seats[mayors[1].id], "Cinquième", "", now)
    assert refused.value.code == "yearly_cap_reached"
    next_year = now + timedelta(days=366)
    with current_app.test_request_context():
        request = services.open_request(seats[mayors[1].id], "L'an prochain", "", next_year)
    assert request.status is RequestStatus.ADMISSIBLE


def _convened_meeting(org, admin, count=5, **body_rules):
    mayors = factories.mayors(org, count)
    with current_app.test_request_context():
        body = services.create_body(
            admin,
            org,
            BodyKind.WORKING_GROUP,
            "Groupe mobilités",
            rules=services.BodyRules(**body_rules),
        )
        for mayor in mayors:
            services.add_member(admin, body, mayor, commune=mayor.memberships[0].commune)
    db.session.commit()
    meeting = factories.meeting(body, admin, convene=True)
    seats = {m.user_id: m for m in services.current_members(body)}
    return meeting, [seats[m.id] for m in mayors]


def test_convening_emails_every_member_with_the_agenda_and_an_ack_link(org, admin):
    meeting, seats = _convened_meeting(org, admin)
    assert meeting.status is MeetingStatus.CONVENED
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert len(emails) == 5
    assert all("Avis sur le projet de territoire" in e.body_text for e in emails)
    assert all("/mes-instances/convocations/" in e.body_text for e in emails)


def test_proxy_rules_through_the_answers(org, admin):
    meeting, (a, b, c, d, e) = _convened_meeting(org, admin)
    now = utcnow()
    with current_app.test_request_context():
        services.answer(a, meeting, AttendanceAnswer.REPRESENTED, b, now)
        with pytest.raises(BodyError) as chain:
            services.answer(c, meeting, AttendanceAnswer.REPRESENTED, a, now)
        assert chain.value.code == "proxy_holder_gave_proxy"
        with pytest.raises(BodyError) as full:
            services.answer(c, meeting, AttendanceAnswer.REPRESENTED, b, now)
        assert full.value.code == "proxy_holder_full"
        services.answer(a, meeting, AttendanceAnswer.PRESENT, None, now)
    assert services.proxies_of(meeting) == []


def test_no_vote_while_the_quorum_is_not_met(org, admin):
    meeting, (a, b, c, d, e) = _convened_meeting(
        org, admin, quorum_numerator=1, quorum_denominator=2, quorum_counts_proxies=False
    )
    item = meeting.items[0]
    now = utcnow()
    with current_app.test_request_context():
        services.answer(c, meeting, AttendanceAnswer.REPRESENTED, b, now)
        services.record_attendance(admin, meeting, a, True, now)
        services.record_attendance(admin, meeting, b, True, now)
        state = services.quorum_state(meeting)
        assert (state.required, state.present, state.represented, state.met) == (3, 2, 1, False)
        with pytest.raises(BodyError) as no_quorum:
            services.open_vote(admin, item)
        assert no_quorum.value.code == "quorum_not_met"
        services.record_attendance(admin, meeting, d, True, now)
        services.open_vote(admin, item)
    assert item.vote_status is VoteStatus.OPEN


def test_live_and_proxy_votes_then_closing_adopts(org, admin):
    meeting, (a, b, c, d, e) = _convened_meeting(
        org, admin, quorum_numerator=1, quorum_denominator=2, quorum_counts_proxies=True
    )
    item = meeting.items[0]
    now = utcnow()
    with current_app.test_request_context():
        services.answer(c, meeting, AttendanceAnswer.REPRESENTED, b, now)
        for seat in (a, b, d):
            services.record_attendance(admin, meeting, seat, True, now)
        services.open_vote(admin, item)
        assert {m.id for m, _p in services.voices_of(b.user, item)} == {b.id, c.id}
        services.cast_vote(a.user, item, a, VoteChoice.FOR, now)
        services.cast_vote(b.user, item, b, VoteChoice.FOR, now)
        services.cast_vote(b.user, item, c, VoteChoice.AGAINST, now)
        with pytest.raises(BodyError):
            services.cast_vote(a.user, item, c, VoteChoice.FOR, now)  # not a's proxy
        with pytest.raises(BodyError):
            services.cast_vote(e.user, item, e, VoteChoice.FOR, now)  # e is absent
        services.enter_paper_votes(admin, item, {d.id: VoteChoice.ABSTAIN}, now)
        result = services.close_vote(admin, item, now)
    db.session.commit()
    assert result.counts[VoteChoice.FOR] == 2 and result.counts[VoteChoice.AGAINST] == 1
    assert item.vote_status is VoteStatus.CLOSED and item.adopted is True
    assert [v.by_proxy for v in item.votes if v.member_id == c.id] == [True]


def test_minutes_are_published_to_members(org, admin):
    meeting, seats = _convened_meeting(org, admin, count=2)
    now = utcnow()
    with current_app.test_request_context():
        services.mark_held(admin, meeting)
        with pytest.raises(BodyError):
            services.publish_minutes(admin, meeting, False, now)
        services.write_minutes(admin, meeting, "<p>Séance ouverte à 18 h.</p><script>x</script>")
        services.publish_minutes(admin, meeting, True, now)
    db.session.commit()
    assert meeting.status is MeetingStatus.MINUTES_PUBLISHED and meeting.minutes_public
    assert "script" not in meeting.minutes
    subjects = db.session.scalars(select(OutboxEmail.subject)).all()
    assert sum("Procès-verbal" in s for s in subjects) == 2


def test_rotating_host_suggests_the_commune_that_hosted_least_recently(org, admin):
    meeting, seats = _convened_meeting(org, admin, count=3, rotating_host=True)
    body = meeting.body
    first = services.suggested_host(body)
    assert first is not None
    meeting.host_commune_id = first.id
    db.session.commit()
    second = services.suggested_host(body)
    assert second is not None and second.id != first.id
    assert db.session.scalar(select(func.count()).select_from(type(meeting))) == 1
