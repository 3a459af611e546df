"""Two-factor authentication pages: the code asked at login, setting it up from the account
page, recovery codes, and the administrators' obligation."""

from __future__ import annotations

import time

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.access import login_required, permission_required
from app.auth import services, totp
from app.auth.forms import (
    EnableTwoFactorForm,
    PasswordConfirmForm,
    TwoFactorLoginForm,
    TwoFactorSettingForm,
)
from app.db import db
from app.extensions import limiter
from app.i18n import _
from app.users import services as user_services
from app.users.messages import error_message
from app.web.routes import safe_next

bp = Blueprint("two_factor", __name__)

PENDING = "two_factor_pending"
#: the session key holding the secret being set up (a key name, not a secret)
SETUP_SECRET = "two_factor_setup_secret"  # nosec B105
#: seconds between the password and the code
PENDING_SECONDS = 300
#: pages an administrator who must set up two-factor may still open
_OPEN_DURING_SETUP = {
    "two_factor.setup",
    "auth.logout",
    "static",
    "web.set_language",
    "web.healthz",
}


def start_pending_login(user, next_url: str) -> None:
    """After the right password: remember who is half logged in (no session yet)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session[PENDING] = {"id": user.get_id(), "at": time.time(), "next": next_url}


def _pending_user():
    from app.web import load_user

    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return load_user(pending.get("id", ""))


def _pending_key() -> str:
    return "2fa:" + str((session.get(PENDING) or {}).get("id", "-")).partition(":")[0]


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_pending_key)
def login_code():
    from app.auth.routes import _start_session

    user = _pending_user()
    if user is None or not user.has_two_factor:
        session.pop(PENDING, None)
        flash(_("Reconnectez-vous : la vérification a expiré."), "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorLoginForm()
    if form.validate_on_submit():
        if services.check_second_factor(user, form.code.data):
            next_url = session[PENDING].get("next", "")
            user_services.record_login(user)
            db.session.commit()
            _start_session(user)
            flash(_("Bienvenue, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(next_url) or url_for("web.home"))
        db.session.rollback()
        form.code.errors.append(error_message(user_services.UserError("wrong_code")))
    return render_template("auth/two_factor_login.html", form=form)


@bp.route("/compte/double-authentification", methods=["GET", "POST"])
@login_required
def setup():
    from app.auth.routes import _start_session

    user = current_user._get_current_object()
    if user.has_two_factor:
        return render_template(
            "auth/two_factor_status.html",
            left=services.recovery_codes_left(user),
            disable_form=PasswordConfirmForm(prefix="disable"),
            codes_form=PasswordConfirmForm(prefix="codes"),
        )
    secret = session.get(SETUP_SECRET) or totp.new_secret()
    session[SETUP_SECRET] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        try:
            codes = services.enable(user, secret, form.code.data)
        except user_services.UserError as exc:
            form.code.errors.append(error_message(exc))
        else:
            db.session.commit()
            _start_session(user)  # the new session token ends the other sessions, not this one
            flash(_("La double authentification est activée."), "success")
            # shown once, never stored in clear: this page is the only place to read them
            return render_template("auth/two_factor_codes.html", codes=codes)
    uri = totp.provisioning_uri(secret, user.email, g.organisation.name)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        secret=secret,
        qr=totp.qr_data_uri(uri),
        required=services.must_set_up(user),
    )


@bp.post("/compte/double-authentification/desactiver")
@login_required
def disable():
    form = PasswordConfirmForm(prefix="disable")
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.disable(user, form.password.data)
        except user_services.UserError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            session.pop(SETUP_SECRET, None)
            flash(_("La double authentification est désactivée."), "info")
    else:
        flash(_("Saisissez votre mot de passe pour confirmer."), "error")
    return redirect(url_for("two_factor.setup"))


@bp.post("/compte/double-authentification/codes")
@login_required
def recovery_codes():
    form = PasswordConfirmForm(prefix="codes")
    user = current_user._get_current_object()
    if not user.has_two_factor or not form.validate_on_submit():
        flash(_("Saisissez votre mot de passe pour confirmer."), "error")
        return redirect(url_for("two_factor.setup"))
    try:
        codes = services.regenerate_recovery_codes(user, form.password.data)
    except user_services.UserError as exc:
        flash(error_message(exc), "error")
        return redirect(url_for("two_factor.setup"))
    db.session.commit()
    return render_template("auth/two_factor_codes.html", codes=codes)


@bp.route("/admin/securite", methods=["GET", "POST"])
@permission_required("members.manage")
def settings():
    org = g.organisation
    form = TwoFactorSettingForm(required=org.admins_need_two_factor)
    if form.validate_on_submit():
        services.set_admins_need_two_factor(current_user, org, bool(form.required.data))
        db.session.commit()
        flash(_("Le réglage est enregistré."), "success")
        return redirect(url_for("two_factor.settings"))
    return render_template("auth/security_settings.html", form=form)


@bp.before_app_request
def send_admins_to_setup():
    """Administrators of an organisation that requires it set up two-factor first."""
    org = g.get("organisation")
    if (
        org is None
        or not org.admins_need_two_factor
        or request.endpoint in _OPEN_DURING_SETUP
        or not current_user.is_authenticated
        or not services.must_set_up(current_user)
    ):
        return None
    flash(
        _(
            "Votre EPCI demande aux administrateurs d'activer la double authentification "
            "avant de continuer."
        ),
        "warning",
    )
    return redirect(url_for("two_factor.setup"))
