"""Absolute links for e-mails, inside a request or from the command line."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def base_url(organisation) -> str:
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    hosts = [h.host for h in getattr(organisation, "hosts", [])]
    scheme = current_app.config.get("PREFERRED_URL_SCHEME", "http")
    if hosts:
        return f"{scheme}://{hosts[0]}"
    return "http://localhost:5000"


def external_url(organisation, endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base_url(organisation)):
        return url_for(endpoint, _external=True, **values)
