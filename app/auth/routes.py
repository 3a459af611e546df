"""Login, logout, password reset, invitations, citizen sign-up and the account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.access import login_required
from app.auth import two_factor
from app.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignUpForm,
)
from app.db import db
from app.extensions import limiter
from app.i18n import _
from app.users import services
from app.users.forms import ConfirmForm, ProfileForm
from app.users.messages import error_message, token_message
from app.users.tokens import TokenError
from app.web.routes import safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_email_key() -> str:
    return "login:" + (request.form.get("email", "").strip().lower() or "-")


def _start_session(user) -> None:
    """Log in with a fresh session (no fixation), keeping only the chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session.permanent = False


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(g.organisation, form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        elif user.email_confirmed_at is None:
            services.send_confirmation(user)
            db.session.commit()
            flash(
                _(
                    "Votre adresse e-mail n'est pas encore confirmée. Nous venons de vous "
                    "renvoyer le lien de confirmation."
                ),
                "warning",
            )
        elif user.has_two_factor:
            two_factor.start_pending_login(user, form.next.data or "")
            return redirect(url_for("two_factor.login_code"))
        else:
            services.record_login(user)
            db.session.commit()
            _start_session(user)
            flash(_("Bienvenue, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data) or url_for("web.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_user._get_current_object())
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté(e)."), "info")
    return redirect(url_for("web.home"))


@bp.route("/mot-de-passe/oubli", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(g.organisation, form.email.data)
        db.session.commit()
        flash(
            _(
                "Si un compte existe pour cette adresse, un lien pour choisir un nouveau mot de "
                "passe vient d'y être envoyé."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/mot-de-passe/nouveau/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except TokenError as exc:
            flash(token_message(exc.reason), "error")
            return redirect(url_for("auth.forgot_password"))
        except services.UserError as exc:
            form.password.errors.append(error_message(exc))
        else:
            db.session.commit()
            flash(_("Votre mot de passe a été changé. Vous pouvez vous connecter."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    from app.users import tokens
    from app.users.models import TokenPurpose

    try:
        pending = tokens.check(token, TokenPurpose.INVITATION)
    except TokenError as exc:
        return render_template("auth/token_error.html", message=token_message(exc.reason)), 400
    if pending.user.organisation_id != g.organisation.id:
        return render_template("auth/token_error.html", message=token_message("invalid")), 400
    form = AcceptInvitationForm(display_name=pending.user.display_name)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.display_name.data, form.password.data)
        except services.UserError as exc:
            form.password.errors.append(error_message(exc))
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Votre compte est activé. Bienvenue !"), "success")
            return redirect(url_for("web.home"))
    return render_template("auth/accept_invitation.html", form=form, invited=pending.user)


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour", methods=["POST"])
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            services.sign_up_citizen(
                g.organisation, form.email.data, form.display_name.data, form.password.data
            )
        except services.UserError as exc:
            form.password.errors.append(error_message(exc))
        else:
            db.session.commit()
            return render_template("auth/sign_up_sent.html", email=form.email.data)
    return render_template("auth/sign_up.html", form=form)


@bp.route("/inscription/confirmation/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link shows a button: mail scanners that open links do not use it up."""
    from app.users import tokens
    from app.users.models import TokenPurpose

    try:
        pending = tokens.check(token, TokenPurpose.EMAIL_CONFIRMATION)
    except TokenError as exc:
        return render_template("auth/token_error.html", message=token_message(exc.reason)), 400
    if pending.user.organisation_id != g.organisation.id:
        return render_template("auth/token_error.html", message=token_message("invalid")), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm_email(token)
        db.session.commit()
        flash(_("Votre adresse e-mail est confirmée. Vous pouvez vous connecter."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm_email.html", form=form, pending=pending.user)


@bp.route("/compte", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(obj=current_user, prefix="profile")
    password = ChangePasswordForm(prefix="password")
    if profile.submit.data and profile.validate_on_submit():
        services.update_profile(current_user, profile.display_name.data, profile.locale.data)
        session["locale"] = profile.locale.data
        db.session.commit()
        flash(_("Votre profil est enregistré."), "success")
        return redirect(url_for("auth.account"))
    if password.submit.data and password.validate_on_submit():
        try:
            services.change_password(current_user, password.current.data, password.password.data)
        except services.UserError as exc:
            target = password.current if exc.code == "wrong_password" else password.password
            target.errors.append(error_message(exc))
        else:
            db.session.commit()
            user = current_user._get_current_object()
            _start_session(user)  # the new session token ends every other session
            flash(_("Votre mot de passe a été changé."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", profile=profile, password=password)
