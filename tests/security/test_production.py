"""Production posture: refusal to start unsafely, and logs with a request id and no secrets."""

import io
import logging

import pytest

from app import create_app
from app.config import ConfigurationError, production_problems
from app.logs import LOG_FORMAT, REDACTED, init_logging, redact
from tests.conftest import _clean_database  # noqa: F401  (these tests write: cleared after each)

STRONG_KEY = "4c1f" * 16


def _production(**overrides):
    base = {"PRODUCTION": True, "SECRET_KEY": STRONG_KEY, "SECRET_KEY_FROM_ENVIRONMENT": True}
    return base | overrides


def test_a_strong_key_from_the_environment_and_no_debug_is_fit_for_production():
    assert production_problems(_production()) == []


def test_development_mode_is_never_checked():
    assert production_problems({"PRODUCTION": False, "DEBUG": True, "SECRET_KEY": "x"}) == []


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"SECRET_KEY_FROM_ENVIRONMENT": False}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "changeme"}, "too short or a known example"),
        ({"SECRET_KEY": "short-key"}, "too short or a known example"),
        ({"DEBUG": True}, "Debug mode is on"),
        ({"TESTING": True}, "TESTING is on"),
    ],
)
def test_an_unsafe_production_configuration_is_named(overrides, expected):
    (problem,) = production_problems(_production(**overrides))
    assert expected in problem


def test_the_app_refuses_to_start_in_production_with_the_generated_key(tmp_path, monkeypatch):
    monkeypatch.setenv("CONCERTO_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_the_app_refuses_to_start_in_production_with_debug_on(tmp_path, monkeypatch):
    monkeypatch.setenv("CONCERTO_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="Debug mode is on"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_starts_with_secure_cookies_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("CONCERTO_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    application = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert application.config["SESSION_COOKIE_SECURE_ALWAYS"] is True
    with application.app_context():
        from app.db import db

        db.engine.dispose()


@pytest.mark.parametrize(
    "line, secret",
    [
        ("login failed password=hunter2-correct-horse", "hunter2-correct-horse"),
        ('{"email": "a@b.fr", "password": "Tr0ub4dor&3"}', "Tr0ub4dor&3"),
        ("csrf_token=IjQ5ZDM0YjBk.Zx&next=/", "IjQ5ZDM0YjBk.Zx"),
        ("Authorization: Bearer cct_9f8e7d6c5b4a", "cct_9f8e7d6c5b4a"),
        ('"GET /mot-de-passe/nouveau/eyJ1IjoxfQ.abc HTTP/1.1" 200', "eyJ1IjoxfQ.abc"),
        ("POST /invitation/InR0ayI.xyz 302", "InR0ayI.xyz"),
        ("smtp://concerto:s3cr3t-smtp@mail.example.fr:587", "s3cr3t-smtp"),
        ("SMTP_PASSWORD: envoi-2026!", "envoi-2026!"),
        ("totp code otp=492039", "492039"),
    ],
)
def test_secrets_are_masked_in_log_lines(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned and REDACTED in cleaned


def test_ordinary_log_lines_are_left_alone():
    line = "saisine 42 opened by user 7 for 36 communes"
    assert redact(line) == line


@pytest.fixture
def log_output(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    init_logging(app)
    yield stream
    root.removeHandler(handler)


def test_request_logs_carry_the_request_id_and_no_password(app, client, org, log_output):
    def log_the_form():
        from flask import request

        logging.getLogger("concerto.test").warning("form received: %s", dict(request.form))

    app.before_request_funcs.setdefault(None, []).append(log_the_form)
    try:
        response = client.post(
            "/login",
            data={"email": "maire@example.fr", "password": "mon mot de passe secret"},
            headers={"X-Request-ID": "req-1234"},
        )
    finally:
        app.before_request_funcs[None].remove(log_the_form)
    assert response.headers["X-Request-ID"] == "req-1234"
    output = log_output.getvalue()
    assert "[req-1234]" in output and "maire@example.fr" in output
    assert "mon mot de passe secret" not in output and REDACTED in output


def test_tracebacks_are_masked_too(log_output):
    try:
        raise ValueError("could not connect with password=p4ssw0rd-db")
    except ValueError:
        logging.getLogger("concerto.test").exception("database failure")
    output = log_output.getvalue()
    assert "p4ssw0rd-db" not in output and "[-]" in output
