"""Extensions, created here and bound to the application in create_app."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from app.auth import ratelimit  # noqa: F401  (registers the concerto-db:// storage)
from app.db import db

migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


def _limit_key() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=_limit_key, default_limits=[])

__all__ = ["db", "migrate", "babel", "csrf", "login_manager", "limiter"]
