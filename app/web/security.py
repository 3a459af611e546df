"""Security headers on every response, the request id, and the production start-up checks."""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=31536000; includeSubDomains"

#: an X-Request-ID from the proxy is kept when it looks like an identifier, never echoed raw
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id() -> str:
    """The id of the current request (from the proxy's X-Request-ID, or a new one)."""
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if current_user and getattr(current_user, "is_authenticated", False):
        headers.setdefault("Cache-Control", "private, no-store")
    headers["X-Request-ID"] = request_id()
    return response


def _set_request_id() -> None:
    request_id()


def init_security(app: Flask) -> None:
    app.before_request(_set_request_id)
    app.after_request(security_headers)
