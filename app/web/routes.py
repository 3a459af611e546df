"""Home page, language switch and health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.db import db
from app.web.home import panels_for

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    panels = panels_for(current_user, g.organisation) if current_user.is_authenticated else []
    return render_template("home.html", panels=panels)


@bp.get("/accessibilite")
def accessibility():
    """The accessibility statement the RGAA requires of every public body's web service."""
    return render_template(
        "accessibility.html", contact=current_app.config.get("ACCESSIBILITY_CONTACT", "")
    )


@bp.post("/langue")
def set_language():
    """Switch the interface language (a form button, so it works without JavaScript)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("web.home"))


def safe_next(target: str | None) -> str | None:
    """A local path to go back to, never another site, nor a line break or another control
    character (a redirect's header cannot hold them), nor a backslash (some browsers read
    "/\\host" as "//host")."""
    if not target or any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means "not ready"
        db.session.rollback()
        current_app.logger.warning("health check failed: %s", exc)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
