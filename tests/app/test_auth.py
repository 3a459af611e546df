"""Login, logout, password reset, invitations, citizen sign-up, account page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import db, utcnow
from app.extensions import limiter
from app.mail.models import OutboxEmail
from app.users import services, tokens
from app.users.models import AuthToken, Role, TokenPurpose, User
from app.users.passwords import verify_password
from tests import factories
from tests.factories import PASSWORD


def _last_link(path_prefix: str) -> str:
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    match = re.search(rf"http://localhost({path_prefix}[^\s]+)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def _login(client, email, password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_login_with_the_right_password_opens_a_session(client, org):
    user = factories.user(org, Role.MAYOR, commune="62510", name="Maire de Liévin")
    response = _login(client, user.email, follow_redirects=True)
    assert response.status_code == 200
    assert "Bonjour Maire de Liévin" in response.text
    assert "Votre commune : Liévin" in response.text
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_login_is_case_insensitive_on_the_email(client, org):
    user = factories.user(org, Role.CITIZEN, email="Habitant@Example.fr".lower())
    assert _login(client, "  HABITANT@example.FR ").status_code == 302
    assert user.id


def test_wrong_password_is_refused_and_keeps_the_email_typed(client, org):
    user = factories.user(org, Role.ADMIN)
    response = _login(client, user.email, "not-the-password")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert f'value="{user.email}"' in response.text
    assert client.get("/compte").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, org):
    response = _login(client, "nobody@example.fr")
    assert "Adresse e-mail ou mot de passe incorrect." in response.text


def test_deactivated_account_cannot_log_in(client, org):
    user = factories.user(org, Role.ADMIN, active=False)
    assert "incorrect" in _login(client, user.email).text


def test_login_form_errors_are_tied_to_their_fields(client, org):
    response = client.post("/login", data={"email": "not-an-email", "password": ""})
    assert 'aria-invalid="true"' in response.text
    assert 'id="email-error"' in response.text and 'id="password-error"' in response.text
    assert 'value="not-an-email"' in response.text


def test_login_redirects_to_a_local_next_page_only(client, org):
    user = factories.user(org, Role.ADMIN)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": "/admin/membres/"}
    )
    assert response.headers["Location"] == "/admin/membres/"
    client.post("/logout")
    evil = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert evil.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_lax_and_secure_over_https(client, org):
    user = factories.user(org, Role.ADMIN)
    plain = _login(client, user.email)
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure_client = client.application.test_client()
    secure = secure_client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in secure.headers["Set-Cookie"]


def test_login_rotates_the_session(client, org):
    user = factories.user(org, Role.ADMIN)
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()


def test_logout_ends_the_session_and_needs_a_post(client, org, login):
    user = factories.user(org, Role.ADMIN)
    login(client, user)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout", follow_redirects=True)
    assert "Vous êtes déconnecté(e)." in response.text
    assert client.get("/compte").status_code == 302


def test_protected_page_redirects_anonymous_to_login_with_next(client, org):
    response = client.get("/admin/membres/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.fixture
def rate_limited(app):
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


def test_login_is_rate_limited_against_brute_force(client, org, rate_limited):
    user = factories.user(org, Role.ADMIN)
    statuses = [_login(client, user.email, f"guess-{n}").status_code for n in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    blocked = _login(client, user.email)
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text


def test_forgot_password_sends_a_single_use_expiring_link(client, org):
    user = factories.user(org, Role.CITIZEN)
    response = client.post("/mot-de-passe/oubli", data={"email": user.email})
    assert response.status_code == 302
    link = _last_link("/mot-de-passe/nouveau/")
    assert client.get(link).status_code == 200
    new = "a brand new password"
    done = client.post(link, data={"password": new, "confirm": new})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    db.session.refresh(user)
    assert verify_password(user.password_hash, new)
    reused = client.post(
        link,
        data={"password": "another one again", "confirm": "another one again"},
        follow_redirects=True,
    )
    assert "déjà été utilisé" in reused.text


def test_forgot_password_does_not_reveal_whether_an_account_exists(client, org):
    known = factories.user(org, Role.CITIZEN)
    a = client.post("/mot-de-passe/oubli", data={"email": known.email}, follow_redirects=True)
    b = client.post("/mot-de-passe/oubli", data={"email": "x@example.fr"}, follow_redirects=True)
    assert "Si un compte existe" in a.text and "Si un compte existe" in b.text
    assert db.session.scalar(select(db.func.count(OutboxEmail.id))) == 1


def test_expired_reset_link_is_refused(client, org, app):
    user = factories.user(org, Role.CITIZEN)
    with app.test_request_context():
        signed = tokens.issue(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    db.session.commit()
    with pytest.raises(tokens.TokenError) as error:
        tokens.check(signed, TokenPurpose.PASSWORD_RESET, now=utcnow() + timedelta(hours=3))
    assert error.value.reason == "expired"
    token = db.session.scalar(select(AuthToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(
        f"/mot-de-passe/nouveau/{signed}",
        data={"password": "long enough pass", "confirm": "long enough pass"},
        follow_redirects=True,
    )
    assert "expiré" in response.text


def test_tampered_link_is_refused(client, org):
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 400
    assert "pas valide" in response.text


def test_reset_link_of_one_purpose_is_useless_for_another(org, app):
    user = factories.user(org, Role.CITIZEN)
    with app.test_request_context():
        signed = tokens.issue(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    with pytest.raises(tokens.TokenError):
        tokens.check(signed, TokenPurpose.INVITATION)


def test_password_change_ends_other_sessions(client, org, app, login):
    user = factories.user(org, Role.ADMIN)
    other_device = app.test_client()
    login(client, user)
    login(other_device, user)
    new = "my new long password"
    response = client.post(
        "/compte",
        data={
            "password-current": PASSWORD,
            "password-password": new,
            "password-confirm": new,
            "password-submit": "1",
        },
    )
    assert response.status_code == 302
    assert client.get("/compte").status_code == 200
    assert other_device.get("/compte").status_code == 302


def test_password_change_with_a_wrong_current_password_is_refused(client, org, login):
    user = factories.user(org, Role.ADMIN)
    login(client, user)
    response = client.post(
        "/compte",
        data={
            "password-current": "wrong",
            "password-password": "x" * 12,
            "password-confirm": "x" * 12,
            "password-submit": "1",
        },
    )
    assert response.status_code == 200
    assert "Le mot de passe actuel est incorrect." in response.text


def test_profile_change_sets_name_and_language(client, org, login):
    user = factories.user(org, Role.MAYOR, commune="62498")
    login(client, user)
    response = client.post(
        "/compte",
        data={
            "profile-display_name": "Mme la Maire",
            "profile-locale": "en",
            "profile-submit": "1",
        },
        follow_redirects=True,
    )
    assert '<html lang="en">' in response.text
    db.session.refresh(user)
    assert user.display_name == "Mme la Maire" and user.locale == "en"


def test_citizen_sign_up_needs_email_confirmation(client, org):
    data = {
        "display_name": "Léa",
        "email": "lea@example.fr",
        "password": "une phrase longue",
        "confirm": "une phrase longue",
    }
    response = client.post("/inscription", data=data)
    assert response.status_code == 200 and "lea@example.fr" in response.text
    user = db.session.scalar(select(User).where(User.email == "lea@example.fr"))
    assert user.roles == {Role.CITIZEN} and user.email_confirmed_at is None
    refused = _login(client, "lea@example.fr", "une phrase longue", follow_redirects=True)
    assert "pas encore confirmée" in refused.text
    link = _last_link("/inscription/confirmation/")
    assert client.get(link).status_code == 200  # a page with a button: prefetching uses nothing
    db.session.refresh(user)
    assert user.email_confirmed_at is None
    assert client.post(link).status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    assert _login(client, "lea@example.fr", "une phrase longue").status_code == 302


def test_sign_up_with_an_existing_email_reveals_nothing_and_warns_the_owner(client, org):
    owner = factories.user(org, Role.MAYOR, commune="62510")
    data = {
        "display_name": "X",
        "email": owner.email,
        "password": "une phrase longue",
        "confirm": "une phrase longue",
    }
    response = client.post("/inscription", data=data)
    assert response.status_code == 200 and "Un e-mail vient d'être envoyé" in response.text
    db.session.refresh(owner)
    assert owner.roles == {Role.MAYOR}
    email = db.session.scalar(select(OutboxEmail))
    assert email.to_address == owner.email and "déjà un compte" in email.subject


def test_sign_up_keeps_what_was_typed_when_passwords_differ(client, org):
    response = client.post(
        "/inscription",
        data={
            "display_name": "Léa",
            "email": "lea@example.fr",
            "password": "une phrase longue",
            "confirm": "autre chose encore",
        },
    )
    assert "Les deux mots de passe ne sont pas identiques." in response.text
    assert 'value="Léa"' in response.text and 'value="lea@example.fr"' in response.text


def test_invited_person_activates_the_account_once(client, org, app):
    admin = factories.user(org, Role.ADMIN)
    with app.test_request_context():
        invited = services.invite(
            admin, org, "maire@lievin.fr", "Maire", Role.MAYOR, commune=org.communes[20]
        )
    db.session.commit()
    link = _last_link("/invitation/")
    page = client.get(link)
    assert page.status_code == 200 and "maire@lievin.fr" in page.text
    response = client.post(
        link,
        data={
            "display_name": "M. le Maire",
            "password": "un mot de passe sûr",
            "confirm": "un mot de passe sûr",
        },
    )
    assert response.status_code == 302
    db.session.refresh(invited)
    assert invited.display_name == "M. le Maire" and invited.password_hash
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get(link).status_code == 400


def test_invitation_of_another_organisation_is_refused_here(client, org, other_org, app):
    from app.organisations.services import add_host

    add_host(org, "localhost")
    db.session.commit()
    with app.test_request_context(base_url="http://carcassonne.test"):
        services.invite(None, other_org, "x@carcassonne.fr", "X", Role.VICE_PRESIDENT)
    db.session.commit()
    email = db.session.scalar(select(OutboxEmail))
    link = re.search(r"http://carcassonne\.test(/invitation/\S+)", email.body_text).group(1)
    assert client.get(link).status_code == 400
    assert client.get(link, base_url="http://carcassonne.test").status_code == 200
