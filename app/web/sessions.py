"""Session cookies: Secure whenever the request came over HTTPS."""

from flask import request
from flask.sessions import SecureCookieSessionInterface


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE_ALWAYS"):
            return True
        try:
            return request.is_secure
        except RuntimeError:
            return bool(app.config.get("SESSION_COOKIE_SECURE"))
