"""The application factory, configuration, organisations per host, errors, health, i18n."""

import os
import stat

import pytest
from sqlalchemy import text

from app import create_app
from app.access import can, registered_actions
from app.config import load_or_create_secret_key
from app.db import db
from app.organisations.services import add_host
from app.sanitize import clean_html
from app.users.models import Role
from tests import factories


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_or_create_secret_key(tmp_path)
    second = load_or_create_secret_key(tmp_path)
    assert first == second and len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_default_configuration_uses_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    application = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert application.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'concerto.db'}"
    assert application.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()
    assert application.config["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert (tmp_path / "uploads").is_dir()
    assert application.config["MAIL_BACKEND"] == "console"
    with application.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_configuration_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/concerto")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SMTP_HOST", "smtp.example.fr")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "files"))
    application = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert application.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u:p@db.example/concerto"
    )
    assert application.config["SECRET_KEY"] == "from-env"
    assert application.config["MAIL_BACKEND"] == "smtp"
    assert application.config["SMTP_STARTTLS"] is True
    assert not (tmp_path / "secret_key").exists()


def test_organisation_is_chosen_by_host_name(client, org, other_org):
    add_host(org, "concertation.lens-lievin.test")
    db.session.commit()
    lens = client.get("/", base_url="http://concertation.lens-lievin.test")
    carcassonne = client.get("/", base_url="http://carcassonne.test")
    assert "CA de Lens - Liévin" in lens.text
    assert "CA Carcassonne Agglo" in carcassonne.text


def test_single_organisation_is_served_whatever_the_host(client, org):
    assert "CA de Lens - Liévin" in client.get("/", base_url="http://anything.test").text


def test_unknown_host_with_several_organisations_is_a_clear_404(client, org, other_org):
    response = client.get("/", base_url="http://unknown.test")
    assert response.status_code == 404
    assert "Aucune organisation" in response.text


def test_default_organisation_serves_unknown_hosts(client, org, other_org, app):
    app.config["DEFAULT_ORGANISATION"] = "carcassonne"
    try:
        assert "CA Carcassonne Agglo" in client.get("/", base_url="http://unknown.test").text
    finally:
        app.config["DEFAULT_ORGANISATION"] = ""


def test_a_session_of_one_organisation_is_worthless_on_another(client, org, other_org, login):
    add_host(org, "localhost")
    db.session.commit()
    admin = factories.user(org, Role.ADMIN)
    login(client, admin, host="carcassonne.test")
    response = client.get("/admin/membres/", base_url="http://carcassonne.test")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_only_finds_accounts_of_the_current_organisation(client, org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    stranger = factories.user(other_org, Role.ADMIN)
    here = client.post("/login", data={"email": stranger.email, "password": factories.PASSWORD})
    assert "incorrect" in here.text
    there = client.post(
        "/login",
        data={"email": stranger.email, "password": factories.PASSWORD},
        base_url="http://carcassonne.test",
    )
    assert there.status_code == 302


def test_same_email_may_have_separate_accounts_in_two_organisations(org, other_org):
    a = factories.user(org, Role.CITIZEN, email="lea@example.fr")
    b = factories.user(other_org, Role.CITIZEN, email="lea@example.fr")
    assert a.id != b.id


def test_admin_member_list_shows_only_their_organisation(client, org, other_org, login):
    add_host(org, "localhost")
    db.session.commit()
    factories.user(other_org, Role.MAYOR, commune="11069", name="Maire de Carcassonne")
    factories.user(org, Role.MAYOR, commune="62510", name="Maire de Liévin")
    login(client, factories.user(org, Role.ADMIN))
    page = client.get("/admin/membres/").text
    assert "Maire de Liévin" in page and "Maire de Carcassonne" not in page
    communes = client.get("/territoire/communes").text
    assert "Liévin" in communes and "Carcassonne" not in communes


# --- permissions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "manage_members", "view_audit", "view_communes"),
    [
        (Role.ADMIN, True, True, True),
        (Role.VICE_PRESIDENT, False, False, True),
        (Role.MAYOR, False, False, False),
        (Role.COMMUNE_STAFF, False, False, False),
        (Role.DEVELOPMENT_COUNCIL_MEMBER, False, False, False),
        (Role.ASSOCIATION_MEMBER, False, False, False),
        (Role.JURY_MEMBER, False, False, False),
        (Role.CITIZEN, False, False, False),
    ],
)
def test_policy_answers_per_role(org, role, manage_members, view_audit, view_communes):
    association = factories.association(org) if role is Role.ASSOCIATION_MEMBER else None
    user = factories.user(org, role, association=association)
    assert can(user, "members.manage") is manage_members
    assert can(user, "audit.view") is view_audit
    assert can(user, "organisation.view_communes") is view_communes


def test_policy_refuses_anonymous_inactive_and_other_organisations(org, other_org):
    from flask_login import AnonymousUserMixin

    assert not can(AnonymousUserMixin(), "members.manage")
    inactive_admin = factories.user(org, Role.ADMIN, active=False)
    assert not can(inactive_admin, "members.manage")
    admin = factories.user(org, Role.ADMIN)
    stranger = factories.user(other_org, Role.CITIZEN)
    assert can(admin, "members.manage", factories.user(org, Role.CITIZEN))
    assert not can(admin, "members.manage", stranger)


def test_policy_refuses_unknown_actions_loudly(org):
    with pytest.raises(LookupError):
        can(factories.user(org, Role.ADMIN), "no.such.action")
    assert "members.manage" in registered_actions()


def test_forbidden_is_a_403_page_not_a_redirect(client, org, login):
    login(client, factories.user(org, Role.CITIZEN))
    response = client.get("/admin/journal/")
    assert response.status_code == 403
    assert "Accès refusé" in response.text and '<html lang="fr">' in response.text


# --- errors, health, headers -------------------------------------------------------------


def test_not_found_page_is_in_the_platform_style(client, org):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page introuvable" in response.text and "Retour à l'accueil" in response.text


def test_server_error_page_is_shown_without_details(org, tmp_path):
    application = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": db.engine.url,
            "SECRET_KEY": "x",
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @application.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = application.test_client().get("/boom")
    with application.app_context():
        db.engine.dispose()
    assert response.status_code == 500
    assert "Erreur du serveur" in response.text and "secret detail" not in response.text


def test_bad_request_page_when_the_csrf_token_is_missing(client, org, csrf_on):
    response = client.post("/login", data={"email": "a@b.fr", "password": "x"})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.text


def test_every_post_form_of_the_base_layout_carries_a_csrf_token(client, org, login, csrf_on):
    login(client, factories.user(org, Role.ADMIN))
    page = client.get("/").text
    assert page.count('name="csrf_token"') >= 2  # language switch and logout


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    application = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
            "SECRET_KEY": "x",
        }
    )
    response = application.test_client().get("/healthz")
    with application.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_security_headers_are_sent(client, org):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


# --- interface ---------------------------------------------------------------------------


def test_language_switch_turns_the_interface_to_english_and_back(client, org):
    response = client.post("/langue", data={"locale": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    english = client.get("/login").text
    assert '<html lang="en">' in english and "Log in" in english
    client.post("/langue", data={"locale": "fr"})
    assert '<html lang="fr">' in client.get("/login").text


def test_language_switch_refuses_an_outside_redirect(client, org):
    response = client.post("/langue", data={"locale": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_anonymous_home_page_invites_to_log_in_or_sign_up(client, org):
    page = client.get("/").text
    assert 'href="/login"' in page and 'href="/inscription"' in page
    assert 'class="skip-link"' in page and '<main id="main"' in page


def test_home_page_shows_what_concerns_the_person(client, org, login):
    admin = factories.user(org, Role.ADMIN)
    login(client, admin)
    page = client.get("/").text
    assert "Administration de l&#39;EPCI" in page and "Inviter un membre" in page
    client.post("/logout")
    staff = factories.user(org, Role.COMMUNE_STAFF, commune="62065")
    login(client, staff)
    page = client.get("/").text
    assert "Votre commune : Avion" in page and "Code INSEE : 62065" in page
    assert "Administration de l&#39;EPCI" not in page


def test_dates_are_shown_in_paris_time(app):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from app.web import local_datetime

    with app.test_request_context(), force_locale("fr"):
        shown = local_datetime(datetime(2026, 7, 1, 22, 30, tzinfo=UTC), "short")
    assert "00:30" in shown and "02/07/2026" in shown


def test_sanitiser_keeps_formatting_and_drops_scripts():
    dirty = (
        '<p onclick="x()">Bonjour <strong>maire</strong><script>alert(1)</script>'
        '<a href="javascript:alert(1)">lien</a> <a href="https://ex.fr">ok</a></p>'
    )
    cleaned = clean_html(dirty)
    assert "<strong>maire</strong>" in cleaned
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert 'href="https://ex.fr"' in cleaned and 'rel="noopener noreferrer nofollow"' in cleaned


def test_demo_command_is_idempotent_and_prints_the_accounts(app):
    from sqlalchemy import func, select

    from app.organisations.models import Commune
    from app.users.models import Membership, User

    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.concerto.fr" in first.output and "concerto-demo" in first.output
    users = db.session.scalar(select(func.count(User.id)))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count(User.id))) == users  # nothing added twice
    assert db.session.scalar(select(func.count(Commune.id))) == 36
    mayors = db.session.scalar(
        select(func.count(Membership.id)).where(Membership.role == Role.MAYOR)
    )
    assert mayors == 36  # every commune has its mayor
    roles = {role for user in db.session.scalars(select(User)) for role in user.roles}
    assert roles == set(Role)
