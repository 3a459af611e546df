"""Optional TOTP two-factor authentication, recovery codes, and the obligation for admins."""

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.auth import totp
from app.auth.models import RecoveryCode
from app.db import db
from app.users.models import Role, User
from tests import factories
from tests.conftest import _clean_database  # noqa: F401  (these tests write: cleared after each)
from tests.factories import PASSWORD

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


# --- pure rules ---------------------------------------------------------------------------


def test_a_code_of_the_current_or_adjacent_step_is_accepted_once():
    now = 1_800_000_000.0
    step = int(now // 30)
    code = pyotp.TOTP(SECRET).at(now)
    assert totp.accepted_step(SECRET, code, None, now) == step
    assert totp.accepted_step(SECRET, code, step, now) is None  # replay
    late = pyotp.TOTP(SECRET).at(now - 30)
    assert totp.accepted_step(SECRET, late, None, now) == step - 1
    too_old = pyotp.TOTP(SECRET).at(now - 90)
    assert totp.accepted_step(SECRET, too_old, None, now) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(code):
    assert totp.accepted_step(SECRET, code, None) is None


def test_recovery_codes_are_random_and_hashed_whatever_their_spacing():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10 and all(re.fullmatch(r"\w{4}-\w{4}-\w{4}", c) for c in codes)
    assert totp.hash_recovery_code(codes[0]) == totp.hash_recovery_code(
        " " + codes[0].upper().replace("-", " ")
    )


def test_the_qr_code_is_an_svg_image_with_the_provisioning_uri():
    uri = totp.provisioning_uri(SECRET, "maire@example.fr", "CA de Lens - Liévin")
    assert uri.startswith("otpauth://totp/") and "secret=" + SECRET in uri
    assert totp.qr_data_uri(uri).startswith("data:image/svg+xml")


# --- pages ----------------------------------------------------------------------------------


def _now_code(secret, offset=0):
    return pyotp.TOTP(secret).at(time.time() + offset)


def _enable(client, user):
    client.get("/compte/double-authentification")
    with client.session_transaction() as session:
        secret = session["two_factor_setup_secret"]
    response = client.post("/compte/double-authentification", data={"code": _now_code(secret)})
    return secret, response


def _login(client, user, password=PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


def test_setting_up_shows_a_qr_code_and_confirming_shows_recovery_codes_once(client, org, login):
    user = factories.user(org, Role.CITIZEN)
    login(client, user)
    page = client.get("/compte/double-authentification")
    assert page.status_code == 200
    assert '<img src="data:image/svg+xml' in page.text and 'alt="' in page.text
    wrong = client.post("/compte/double-authentification", data={"code": "000000"})
    assert wrong.status_code == 200 and "a déjà servi" in wrong.text
    secret, confirmed = _enable(client, user)
    assert confirmed.status_code == 200
    codes = re.findall(r"<code>(\w{4}-\w{4}-\w{4})</code>", confirmed.text)
    assert len(codes) == 10
    db.session.expire_all()
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and codes[0] not in stored
    assert db.session.get(User, user.id).totp_secret == secret
    # this session stays open; the status page no longer shows any code
    status = client.get("/compte/double-authentification")
    assert "10 codes de secours" in status.text and codes[0] not in status.text


def test_login_asks_for_the_code_after_the_password(client, org, app):
    user = factories.user(org, Role.ADMIN)
    user.totp_secret = SECRET
    db.session.commit()
    first = _login(client, user)
    assert first.headers["Location"] == "/login/code"
    assert client.get("/compte").status_code == 302  # not logged in yet
    wrong = client.post("/login/code", data={"code": "000000"})
    assert wrong.status_code == 200 and "a déjà servi" in wrong.text
    assert client.get("/compte").status_code == 302
    code = _now_code(SECRET)
    done = client.post("/login/code", data={"code": code})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/compte").status_code == 200
    # the same code cannot open a second session (the very code, not the code of the moment:
    # a new 30-second step may have begun since, whose code was never used)
    other = app.test_client()
    _login(other, user)
    replay = other.post("/login/code", data={"code": code})
    assert replay.status_code == 200


def test_a_recovery_code_opens_the_session_once(client, org, login, app):
    user = factories.user(org, Role.CITIZEN)
    login(client, user)
    _secret, confirmed = _enable(client, user)
    code = re.findall(r"<code>(\w{4}-\w{4}-\w{4})</code>", confirmed.text)[0]
    phone_lost = app.test_client()
    _login(phone_lost, user)
    assert phone_lost.post("/login/code", data={"code": code}).status_code == 302
    again = app.test_client()
    _login(again, user)
    assert again.post("/login/code", data={"code": code}).status_code == 200


def test_the_code_page_without_a_password_just_checked_sends_back_to_login(client, org):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login/code", data={"code": "123456"}).status_code == 302


def test_the_password_step_expires(client, org, monkeypatch):
    user = factories.user(org, Role.CITIZEN)
    user.totp_secret = SECRET
    db.session.commit()
    _login(client, user)
    later = time.time() + 301
    monkeypatch.setattr("app.auth.two_factor.time.time", lambda: later)
    response = client.post("/login/code", data={"code": _now_code(SECRET)})
    assert response.headers["Location"] == "/login"


def test_disabling_needs_the_password(client, org, login):
    user = factories.user(org, Role.CITIZEN)
    login(client, user)
    _enable(client, user)
    wrong = client.post(
        "/compte/double-authentification/desactiver",
        data={"disable-password": "nope"},
        follow_redirects=True,
    )
    assert "Le mot de passe actuel est incorrect." in wrong.text
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is not None
    client.post("/compte/double-authentification/desactiver", data={"disable-password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is None
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_new_recovery_codes_replace_the_old_ones(client, org, login):
    user = factories.user(org, Role.CITIZEN)
    login(client, user)
    _secret, confirmed = _enable(client, user)
    old = re.findall(r"<code>(\w{4}-\w{4}-\w{4})</code>", confirmed.text)
    fresh = client.post("/compte/double-authentification/codes", data={"codes-password": PASSWORD})
    new = re.findall(r"<code>(\w{4}-\w{4}-\w{4})</code>", fresh.text)
    assert len(new) == 10 and not set(new) & set(old)


def test_only_admins_set_the_obligation(client, org, login):
    assert client.get("/admin/securite").status_code == 302
    citizen = factories.user(org, Role.CITIZEN)
    login(client, citizen)
    assert client.get("/admin/securite").status_code == 403
    assert client.post("/admin/securite", data={"required": "y"}).status_code == 403
    db.session.refresh(org)
    assert org.admins_need_two_factor is False


def test_admins_are_sent_to_set_up_when_their_organisation_requires_it(client, org, login):
    admin = factories.user(org, Role.ADMIN)
    citizen = factories.user(org, Role.CITIZEN)
    login(client, admin)
    response = client.post("/admin/securite", data={"required": "y"})
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.admins_need_two_factor is True
    blocked = client.get("/admin/membres/")
    assert blocked.status_code == 302
    assert blocked.headers["Location"] == "/compte/double-authentification"
    _enable(client, admin)
    assert client.get("/admin/membres/").status_code == 200
    # other people are not concerned
    other = client.application.test_client()
    login(other, citizen)
    assert other.get("/compte").status_code == 200
