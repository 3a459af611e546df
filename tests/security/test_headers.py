"""Security headers, cookies and the request id on every kind of page."""

import re
from pathlib import Path

import pytest

from app.users.models import Role
from tests import factories
from tests.conftest import _clean_database  # noqa: F401  (these tests write: cleared after each)
from tests.factories import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def pages(client, org):
    """A public page, a 404, a static file and a signed-in page."""
    user = factories.user(org, Role.ADMIN)
    return user


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize("path", ["/login", "/page-qui-n-existe-pas", "/static/css/concerto.css"])
def test_every_answer_carries_the_security_headers(client, pages, path):
    response = client.get(path)
    response.close()
    csp = _csp(response)
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_hsts_only_over_https(client, pages):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_https_behind_the_proxy_is_recognised_when_proxy_fix_is_configured(tmp_path, app):
    from app import create_app
    from app.db import db

    proxied = create_app({**app.config, "PROXY_FIX": 1, "INSTANCE_PATH": str(tmp_path)})
    response = proxied.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    with proxied.app_context():
        db.engine.dispose()
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    direct = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in direct.headers


def test_signed_in_pages_are_not_cached(client, pages, login):
    login(client, pages)
    assert client.get("/compte").headers["Cache-Control"] == "private, no-store"
    client.post("/logout")
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(client, pages):
    plain = client.post("/login", data={"email": pages.email, "password": PASSWORD})
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = client.application.test_client().post(
        "/login",
        data={"email": pages.email, "password": PASSWORD},
        base_url="https://localhost",
    )
    assert "; Secure" in secure.headers["Set-Cookie"]


def test_session_cookie_is_always_secure_when_configured(client, pages):
    client.application.config["SESSION_COOKIE_SECURE_ALWAYS"] = True
    try:
        response = client.post("/login", data={"email": pages.email, "password": PASSWORD})
    finally:
        client.application.config["SESSION_COOKIE_SECURE_ALWAYS"] = False
    assert "; Secure" in response.headers["Set-Cookie"]


def test_no_server_version_is_sent_by_the_application(client, pages):
    response = client.get("/login")
    assert "Server" not in response.headers
    assert "X-Powered-By" not in response.headers


def test_a_request_id_is_generated_and_set_on_the_response(client, pages):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_the_proxy_request_id_is_kept_but_a_malformed_one_is_replaced(client, pages):
    kept = client.get("/login", headers={"X-Request-ID": "nginx-4f2a.91"})
    assert kept.headers["X-Request-ID"] == "nginx-4f2a.91"
    forged = client.get(
        "/login", headers={"X-Request-ID": "<script>alert(1)</script> " + "x" * 200}
    )
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def test_templates_hold_no_inline_script_or_event_handler():
    """The CSP forbids them: they would silently stop working."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", text):
            offenders.append(f"{template.relative_to(TEMPLATES)}: {match.group(0)}")
    assert offenders == []
