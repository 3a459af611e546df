"""Logging: every record carries the request id, and never a password or a token."""

from __future__ import annotations

import logging
import re

from flask import Flask, g, has_request_context

REDACTED = "[masqué]"

#: key=value, key: value and "key": "value" where the key names a secret
_SECRET_PAIR = re.compile(
    r"""(?ix)
    (["']?\b[\w-]*(?:password|passwd|mot_de_passe|secret|token|api[_-]?key|otp|recovery_code)
     [\w-]*["']?)
    (\s*[=:]\s*)
    (["']?)
    ([^"'\s&,;}]+)
    """
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
#: links whose last segment is a one-time secret (reset, invitation, confirmation)
_TOKEN_PATH = re.compile(
    r"(/(?:mot-de-passe/nouveau|invitation|inscription/confirmation)/)[^\s/?\"']+"
)
_URL_CREDENTIALS = re.compile(r"(\w+://[^:/\s@]+:)[^@\s]+@")

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def redact(text: str) -> str:
    """The text with every password, token and secret link replaced by a mark."""
    text = _SECRET_PAIR.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)
    text = _TOKEN_PATH.sub(lambda m: f"{m[1]}{REDACTED}", text)
    return _URL_CREDENTIALS.sub(lambda m: f"{m[1]}{REDACTED}@", text)


def current_request_id() -> str:
    if has_request_context():
        return g.get("request_id") or "-"
    return "-"


class RedactingFilter(logging.Filter):
    """Adds `request_id` to the record and masks secrets in its message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        try:
            message = record.getMessage()
        except Exception:  # a badly formatted record is logged as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def _with_filter(handler: logging.Handler) -> None:
    if _FILTER not in handler.filters:
        handler.addFilter(_FILTER)


def init_logging(app: Flask) -> None:
    """Give the root, Flask, Werkzeug and gunicorn handlers the filter and the request id."""
    root = logging.getLogger()
    if not root.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    names = ("", "flask.app", app.logger.name, "werkzeug", "gunicorn.error", "gunicorn.access")
    for name in names:
        for handler in logging.getLogger(name).handlers:
            _with_filter(handler)
