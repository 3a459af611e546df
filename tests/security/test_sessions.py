"""Sessions: a new one at login, none after logout, none left after a password change or reset."""

import re

from sqlalchemy import select

from app.db import db
from app.mail.models import OutboxEmail
from app.users import services
from app.users.models import Role
from tests import factories
from tests.conftest import _clean_database  # noqa: F401  (these tests write: cleared after each)
from tests.factories import PASSWORD

NEW_PASSWORD = "une phrase de passe toute neuve"


def _login(client, user, password=PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


def _cookie(client) -> str:
    cookie = client.get_cookie("concerto_session")
    return cookie.value if cookie else ""


def test_login_replaces_the_session_an_attacker_planted(client, org):
    user = factories.user(org, Role.CITIZEN)
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "fixation"
        session["_user_id"] = "999:forged"
    before = _cookie(client)
    assert _login(client, user).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()
    assert _cookie(client) != before


def test_login_keeps_only_the_chosen_language(client, org):
    user = factories.user(org, Role.CITIZEN)
    client.post("/langue", data={"locale": "en", "next": "/login"})
    _login(client, user)
    with client.session_transaction() as session:
        assert session["locale"] == "en"


def test_logout_ends_the_session_and_a_copied_cookie_is_of_no_use(client, org, app):
    user = factories.user(org, Role.ADMIN)
    _login(client, user)
    stolen = _cookie(client)
    assert client.post("/logout").status_code == 302
    assert client.get("/compte").status_code == 302
    thief = app.test_client()
    thief.set_cookie("concerto_session", stolen)
    assert thief.get("/compte").status_code == 302


def test_password_change_ends_every_other_session_but_keeps_this_one(client, org, app, login):
    user = factories.user(org, Role.ADMIN)
    phone = app.test_client()
    _login(client, user)
    _login(phone, user)
    response = client.post(
        "/compte",
        data={
            "password-current": PASSWORD,
            "password-password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
            "password-submit": "1",
        },
    )
    assert response.status_code == 302
    assert client.get("/compte").status_code == 200
    assert phone.get("/compte").status_code == 302


def test_password_reset_ends_every_open_session(client, org, app):
    user = factories.user(org, Role.ADMIN)
    laptop = app.test_client()
    _login(laptop, user)
    assert laptop.get("/compte").status_code == 200
    client.post("/mot-de-passe/oubli", data={"email": user.email})
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    path = re.search(r"http://localhost(/mot-de-passe/nouveau/\S+)", email.body_text).group(1)
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert laptop.get("/compte").status_code == 302
    assert _login(client, user, NEW_PASSWORD).status_code == 302


def test_deactivating_an_account_ends_its_sessions(client, org, app):
    admin = factories.user(org, Role.ADMIN)
    user = factories.user(org, Role.CITIZEN)
    _login(client, user)
    assert client.get("/compte").status_code == 200
    services.set_active(admin, user, False)
    db.session.commit()
    assert client.get("/compte").status_code == 302
