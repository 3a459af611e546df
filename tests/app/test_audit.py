"""The audit log: recording entries and the admins' journal page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.audit.services import record
from app.db import db, utcnow
from app.organisations import services as org_services
from tests import factories

JOURNAL = "/admin/journal/"
CARCASSONNE = "http://carcassonne.test"


def entry(actor, organisation, action, obj=None, marker=None, at=None, **details):
    """Record an entry (with a `marker` detail to find its row on the page) and commit."""
    if marker is not None:
        details["marker"] = marker
    added = record(actor, organisation, action, obj, details)
    if at is not None:
        added.created_at = at
    db.session.commit()
    return added


def markers(html: str) -> set[str]:
    """The `marker` details of the rows shown on the journal page."""
    return set(re.findall(r"marker : (\w+)", html))


def login_on(client, user, base_url: str) -> None:
    """Log `user` in for requests to `base_url` (the session cookie is per host)."""
    with client.session_transaction(base_url=base_url) as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def admin(org):
    return factories.user(org, "admin", name="Camille Martin")


@pytest.fixture
def two_organisations(org, other_org):
    """`org` served on localhost, `other_org` on carcassonne.test."""
    org_services.add_host(org, "localhost")
    db.session.commit()
    return org, other_org


# --- recording -----------------------------------------------------------------------------


def test_an_entry_keeps_who_did_what_on_which_object_and_when(org, admin):
    target = factories.user(org, name="Dominique Durand")
    before = utcnow()

    added = record(admin, org, "member.invite", target, {"role": "citizen"})
    db.session.commit()
    entry_id = added.id
    db.session.expire_all()

    stored = db.session.get(AuditEntry, entry_id)
    assert stored.organisation_id == org.id
    assert stored.actor_id == admin.id
    assert stored.actor.display_name == "Camille Martin"
    assert stored.action == "member.invite"
    assert stored.object_type == "user_account"
    assert stored.object_id == target.id
    assert stored.object_label == "Dominique Durand"
    assert stored.details == {"role": "citizen"}
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert before <= stored.created_at <= utcnow()


def test_an_entry_by_the_system_has_no_actor(org):
    added = record(None, org, "territory.load", org, {"added": 3})
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(AuditEntry, added.id)
    assert stored.actor_id is None
    assert stored.actor is None
    assert stored.object_type == "organisation"
    assert stored.object_id == org.id
    assert stored.object_label == "CA de Lens - Liévin"
    assert stored.details == {"added": 3}


def test_an_entry_without_object_or_details(org, admin):
    added = record(admin, org, "auth.logout")
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(AuditEntry, added.id)
    assert stored.object_type is None
    assert stored.object_id is None
    assert stored.object_label is None
    assert stored.details == {}


def test_an_entry_is_rolled_back_with_the_action_it_records(org, admin):
    count = select(func.count()).select_from(AuditEntry)
    before = db.session.scalar(count)

    record(admin, org, "member.deactivate", admin)
    db.session.flush()
    assert db.session.scalar(count) == before + 1
    db.session.rollback()

    assert db.session.scalar(count) == before


# --- access to the page --------------------------------------------------------------------


def test_an_admin_sees_the_journal(client, login, org, admin):
    target = factories.user(org, name="Dominique Durand")
    entry(admin, org, "member.invite", target, marker="INVITE", role="citizen")
    entry(None, org, "auth.password_reset_request", target, marker="RESET")
    login(client, admin)

    response = client.get(JOURNAL)

    assert response.status_code == 200
    html = response.text
    assert "Journal des actions" in html
    assert markers(html) == {"INVITE", "RESET"}
    assert "<code>member.invite</code>" in html
    assert "<code>auth.password_reset_request</code>" in html
    assert f"user_account #{target.id} — Dominique Durand" in html
    assert "role : citizen" in html
    assert "Camille Martin" in html
    assert "Système" in html


def test_the_journal_is_forbidden_to_a_member_who_is_not_admin(client, login, org, admin):
    entry(admin, org, "member.invite", admin, marker="SECRET")
    mayor = factories.user(org, "mayor", commune="62510")
    login(client, mayor)

    response = client.get(JOURNAL)

    assert response.status_code == 403
    assert "SECRET" not in response.text


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, org, admin):
    entry(admin, org, "member.invite", admin, marker="SECRET")

    response = client.get(JOURNAL)

    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert "next=" in response.location


# --- filters -------------------------------------------------------------------------------


def test_the_action_filter_keeps_the_actions_starting_with_the_prefix(client, login, org, admin):
    entry(admin, org, "member.invite", admin, marker="INVITE")
    entry(admin, org, "member.role_add", admin, marker="ROLEADD")
    entry(admin, org, "auth.login", admin, marker="LOGIN")
    entry(admin, org, "account.update", admin, marker="ACCOUNT")
    entry(admin, org, "membership.export", admin, marker="MEMBERSHIP")
    login(client, admin)

    assert markers(client.get(JOURNAL + "?action=member").text) == {"INVITE", "ROLEADD"}
    assert markers(client.get(JOURNAL + "?action=auth").text) == {"LOGIN"}
    assert markers(client.get(JOURNAL + "?action=member.invite").text) == {"INVITE"}
    assert markers(client.get(JOURNAL + "?action=%").text) == set()
    assert markers(client.get(JOURNAL).text) == {
        "INVITE",
        "ROLEADD",
        "LOGIN",
        "ACCOUNT",
        "MEMBERSHIP",
    }


def test_choosing_an_action_in_the_list_shows_only_that_action(client, login, org, admin):
    entry(None, org, "auth.password_reset", admin, marker="RESET")
    entry(None, org, "auth.password_reset_request", admin, marker="REQUEST")
    entry(None, org, "auth.passwordXreset", admin, marker="WILDCARD")
    login(client, admin)

    page = client.get(JOURNAL + "?action=auth.password_reset").text

    assert '<option value="auth.password_reset" selected>' in page
    assert markers(page) == {"RESET"}


def test_the_actor_filter_keeps_the_entries_of_one_person(client, login, org, admin):
    other = factories.user(org, name="Dominique Durand")
    entry(admin, org, "member.invite", other, marker="BYADMIN")
    entry(other, org, "account.update", other, marker="BYOTHER")
    entry(None, org, "auth.password_reset_request", other, marker="BYSYSTEM")
    login(client, admin)

    assert markers(client.get(f"{JOURNAL}?actor={other.id}").text) == {"BYOTHER"}
    assert markers(client.get(f"{JOURNAL}?actor={admin.id}").text) == {"BYADMIN"}
    page = client.get(f"{JOURNAL}?actor={other.id}").text
    assert f'<option value="{other.id}" selected>Dominique Durand</option>' in page


def test_the_object_type_filter_keeps_one_kind_of_object(client, login, org, admin):
    entry(admin, org, "member.invite", admin, marker="USER")
    entry(admin, org, "organisation.update", org, marker="ORG")
    entry(admin, org, "auth.logout", None, marker="NOOBJECT")
    login(client, admin)

    assert markers(client.get(JOURNAL + "?object_type=user_account").text) == {"USER"}
    assert markers(client.get(JOURNAL + "?object_type=organisation").text) == {"ORG"}


def test_the_filters_combine(client, login, org, admin):
    other = factories.user(org, name="Dominique Durand")
    entry(admin, org, "member.invite", other, marker="A")
    entry(admin, org, "organisation.update", org, marker="B")
    entry(other, org, "member.invite", other, marker="C")
    login(client, admin)

    page = client.get(f"{JOURNAL}?action=member&actor={admin.id}&object_type=user_account")

    assert markers(page.text) == {"A"}
    assert "1 action" in page.text


def test_the_date_filters_use_whole_days_in_paris_time(client, login, org, admin):
    # winter: Paris is UTC+1
    entry(admin, org, "test.date", at=utc(2024, 3, 9, 22, 59, 59), marker="W1")
    entry(admin, org, "test.date", at=utc(2024, 3, 9, 23, 0, 0), marker="W2")
    entry(admin, org, "test.date", at=utc(2024, 3, 10, 22, 59, 59), marker="W3")
    entry(admin, org, "test.date", at=utc(2024, 3, 10, 23, 0, 0), marker="W4")
    # summer: Paris is UTC+2
    entry(admin, org, "test.date", at=utc(2024, 7, 13, 21, 59, 59), marker="S1")
    entry(admin, org, "test.date", at=utc(2024, 7, 13, 22, 0, 0), marker="S2")
    entry(admin, org, "test.date", at=utc(2024, 7, 14, 21, 59, 59), marker="S3")
    entry(admin, org, "test.date", at=utc(2024, 7, 14, 22, 0, 0), marker="S4")
    login(client, admin)

    def shown(query: str) -> set[str]:
        response = client.get(JOURNAL + "?action=test.date&" + query)
        assert response.status_code == 200
        return markers(response.text)

    assert shown("since=2024-03-10&until=2024-03-10") == {"W2", "W3"}
    assert shown("since=2024-07-14&until=2024-07-14") == {"S2", "S3"}
    assert shown("since=2024-03-10") == {"W2", "W3", "W4", "S1", "S2", "S3", "S4"}
    assert shown("until=2024-03-10") == {"W1", "W2", "W3"}
    assert shown("since=2024-03-11&until=2024-07-13") == {"W4", "S1"}


def test_an_invalid_date_filter_is_ignored(client, login, org, admin):
    entry(admin, org, "test.date", at=utc(2024, 3, 10, 12), marker="D1")
    entry(admin, org, "test.date", at=utc(2024, 7, 14, 12), marker="D2")
    login(client, admin)

    response = client.get(JOURNAL + "?action=test.date&since=10/03/2024&until=hier")

    assert response.status_code == 200
    assert markers(response.text) == {"D1", "D2"}


def test_the_journal_shows_the_latest_entries_first(client, login, org, admin):
    entry(admin, org, "test.order", at=utc(2024, 1, 1, 12), marker="OLD")
    entry(admin, org, "test.order", at=utc(2024, 6, 1, 12), marker="NEW")
    entry(admin, org, "test.order", at=utc(2024, 3, 1, 12), marker="MIDDLE")
    login(client, admin)

    html = client.get(JOURNAL + "?action=test.order").text

    assert re.findall(r"marker : (\w+)", html) == ["NEW", "MIDDLE", "OLD"]


# --- organisations -------------------------------------------------------------------------


def test_an_admin_of_another_organisation_never_sees_these_entries(client, two_organisations):
    org, other_org = two_organisations
    lens_admin = factories.user(org, "admin", name="Camille Martin")
    lens_member = factories.user(org, name="Dominique Durand")
    entry(lens_admin, org, "member.invite", lens_member, marker="LENS1")
    entry(lens_member, org, "account.update", lens_member, marker="LENS2")
    carcassonne_admin = factories.user(other_org, "admin", name="Alix Roux")
    entry(carcassonne_admin, other_org, "member.invite", carcassonne_admin, marker="CARCA")
    login_on(client, carcassonne_admin, CARCASSONNE)

    pages = [
        client.get(JOURNAL, base_url=CARCASSONNE),
        client.get(f"{JOURNAL}?actor={lens_admin.id}", base_url=CARCASSONNE),
        client.get(f"{JOURNAL}?actor={lens_member.id}", base_url=CARCASSONNE),
        client.get(JOURNAL + "?action=member&object_type=user_account", base_url=CARCASSONNE),
    ]

    assert all(page.status_code == 200 for page in pages)
    assert markers(pages[0].text) == {"CARCA"}
    assert markers(pages[1].text) == set()
    assert markers(pages[2].text) == set()
    assert markers(pages[3].text) == {"CARCA"}
    for page in pages:
        assert "Camille Martin" not in page.text
        assert "Dominique Durand" not in page.text
        assert "Liévin" not in page.text


def test_each_admin_sees_only_the_journal_of_their_organisation(client, login, two_organisations):
    org, other_org = two_organisations
    lens_admin = factories.user(org, "admin", name="Camille Martin")
    entry(lens_admin, org, "member.invite", lens_admin, marker="LENS")
    carcassonne_admin = factories.user(other_org, "admin", name="Alix Roux")
    entry(carcassonne_admin, other_org, "member.invite", carcassonne_admin, marker="CARCA")
    login(client, lens_admin)

    response = client.get(JOURNAL)

    assert response.status_code == 200
    assert markers(response.text) == {"LENS"}
    assert "Alix Roux" not in response.text
    assert "CA Carcassonne Agglo" not in response.text


def test_an_admin_session_from_another_organisation_does_not_open_the_journal(
    client, two_organisations
):
    org, other_org = two_organisations
    entry(None, org, "territory.check", org, marker="LENS")
    carcassonne_admin = factories.user(other_org, "admin")
    # the Carcassonne admin's session, presented to the Lens - Liévin host
    login_on(client, carcassonne_admin, "http://localhost")

    response = client.get(JOURNAL)

    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- performance ---------------------------------------------------------------------------


def _entries_by(org, actors, count):
    for n in range(count):
        actor = actors[n % len(actors)]
        record(actor, org, f"test.action{n % 4}", actor, {"n": n})
    db.session.commit()


def test_the_journal_page_runs_as_many_queries_for_60_entries_as_for_5(
    client, login, count_queries, org, admin
):
    login(client, admin)
    actors = [factories.user(org, "citizen", name=f"Auteur {n:02d}") for n in range(12)]
    _entries_by(org, actors[:3], 5)
    db.session.expire_all()
    client.get(JOURNAL)  # warm up: caches that are filled once per process

    db.session.expire_all()
    with count_queries() as few:
        small = client.get(JOURNAL)
    _entries_by(org, actors, 55)
    db.session.expire_all()
    with count_queries() as many:
        large = client.get(JOURNAL)

    assert small.status_code == large.status_code == 200
    assert small.text.count("<code>test.action") == 5
    assert large.text.count("<code>test.action") == 60
    assert all(f"Auteur {n:02d}" in large.text for n in range(12))
    assert few.count == many.count
