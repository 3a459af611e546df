"""Configuration read from the environment, with safe development defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_path() -> Path:
    return Path(os.environ.get("CONCERTO_INSTANCE", PROJECT_ROOT / "instance")).resolve()


def load_or_create_secret_key(folder: Path) -> str:
    """The secret key lives in the instance folder, generated on first start."""
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if key:
            return key
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def from_environment(instance: Path) -> dict:
    """Every setting, from environment variables or the development defaults."""
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'concerto.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    smtp_host = env.get("SMTP_HOST", "")
    production = env.get("CONCERTO_ENV", "").strip().lower() == "production"
    return {
        # CONCERTO_ENV=production: refuse to start with a weak key or debug on (check_production)
        "PRODUCTION": production,
        "SECRET_KEY": env.get("SECRET_KEY") or load_or_create_secret_key(instance),
        "SECRET_KEY_FROM_ENVIRONMENT": bool(env.get("SECRET_KEY")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(instance / "uploads"),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        # E-mail: with no SMTP_HOST, e-mails are printed to the console.
        "MAIL_BACKEND": env.get("MAIL_BACKEND") or ("smtp" if smtp_host else "console"),
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": int(env.get("SMTP_PORT", "587")),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), default=smtp_host != ""),
        "SMTP_SSL": _bool(env.get("SMTP_SSL")),
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT", "20")),
        "MAIL_FROM": env.get("MAIL_FROM", "Concerto <no-reply@concerto.localhost>"),
        # The address shown on the accessibility statement for reporting a barrier (RGAA).
        "ACCESSIBILITY_CONTACT": env.get("ACCESSIBILITY_CONTACT", ""),
        "OUTBOX_MAX_ATTEMPTS": int(env.get("OUTBOX_MAX_ATTEMPTS", "6")),
        # Multi-organisation: the organisation used when the host name matches none.
        "DEFAULT_ORGANISATION": env.get("DEFAULT_ORGANISATION", ""),
        # Rate limits: counted in the database by default (shared by every worker, see
        # app/auth/ratelimit.py); redis://127.0.0.1:6379 to count them in Redis; memory://
        # counts per process (one worker only).
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "concerto-db://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "120 per minute;3000 per hour"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # If the shared store (Redis) fails, count in memory rather than refuse requests.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Behind a reverse proxy that sets X-Forwarded-For/-Proto/-Host.
        "PROXY_FIX": int(env.get("PROXY_FIX", "0")),
        "SESSION_COOKIE_SECURE_ALWAYS": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "INVITATION_DAYS": int(env.get("INVITATION_DAYS", "14")),
        "PASSWORD_RESET_HOURS": int(env.get("PASSWORD_RESET_HOURS", "2")),
        "EMAIL_CONFIRMATION_DAYS": int(env.get("EMAIL_CONFIRMATION_DAYS", "3")),
        "SESSION_HOURS": int(env.get("SESSION_HOURS", "12")),
        # Links in e-mails sent from the command line (reminders): https://concertation.example.fr
        "BASE_URL": env.get("BASE_URL", ""),
        "PREFERRED_URL_SCHEME": env.get(
            "PREFERRED_URL_SCHEME", "https" if env.get("PROXY_FIX") else "http"
        ),
        # Saisine reminders: days before the deadline
        "SAISINE_REMINDER_DAYS": env.get("SAISINE_REMINDER_DAYS", "7,1"),
        # Citizen consultations: posting limits per account and per address, reports per
        # address, and how long IP addresses are kept (a year, as the hosting law asks)
        "PARTICIPATION_POST_LIMIT_ACCOUNT": env.get(
            "PARTICIPATION_POST_LIMIT_ACCOUNT", "10 per hour"
        ),
        "PARTICIPATION_POST_LIMIT_IP": env.get("PARTICIPATION_POST_LIMIT_IP", "20 per hour"),
        "PARTICIPATION_REPORT_LIMIT": env.get("PARTICIPATION_REPORT_LIMIT", "10 per hour"),
        "PARTICIPATION_IP_RETENTION_DAYS": int(env.get("PARTICIPATION_IP_RETENTION_DAYS", "365")),
        # The benchmark's aids (X-Query-Count header, /_bench/floor): never in production
        "BENCH_INSTRUMENTATION": _bool(env.get("CONCERTO_BENCH")),
    }


FIXED = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "concerto_session",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ("fr", "en"),
    "PER_PAGE": 50,
}


#: keys found in examples, tests and documentation: never acceptable in production
KNOWN_WEAK_KEYS = {
    "dev",
    "development",
    "secret",
    "changeme",
    "change-me",
    "test-secret-key-not-for-production",
}
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The configuration is unsafe for production; the message says what to change."""


def production_problems(config: dict) -> list[str]:
    """What makes this configuration unfit for production (empty when fine)."""
    if not config.get("PRODUCTION"):
        return []
    problems = []
    key = str(config.get("SECRET_KEY") or "")
    if not config.get("SECRET_KEY_FROM_ENVIRONMENT"):
        problems.append(
            "SECRET_KEY is not set: the development key generated in the instance folder is "
            "refused in production. Set SECRET_KEY to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    elif key.lower() in KNOWN_WEAK_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY is too short or a known example: use a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters."
        )
    if config.get("DEBUG"):
        problems.append("Debug mode is on (FLASK_DEBUG): turn it off in production.")
    if config.get("TESTING"):
        problems.append("TESTING is on: turn it off in production.")
    return problems


def check_production(config: dict) -> None:
    problems = production_problems(config)
    if problems:
        raise ConfigurationError(
            "Concerto refuses to start in production (CONCERTO_ENV=production):\n- "
            + "\n- ".join(problems)
        )
