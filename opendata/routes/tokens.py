"""The profile's page of personal API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.access import can, login_required, require
from app.db import db, utcnow
from app.i18n import _
from opendata import queries, services
from opendata.forms import RevokeForm, TokenForm

bp = Blueprint("api_tokens", __name__, url_prefix="/compte/jetons-api")


def _message(exc: services.TokenError) -> str:
    messages = {
        "too_many": _(
            "Vous avez déjà %(n)d jetons actifs : révoquez-en un avant d'en créer un autre.",
            n=services.MAX_ACTIVE_TOKENS,
        ),
        "already_revoked": _("Ce jeton est déjà révoqué."),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return (
        render_template(
            "opendata/tokens.html",
            form=form,
            revoke=RevokeForm(),
            tokens=queries.tokens_of(current_user),
            secret=secret,
        ),
        status,
    )


@bp.get("/")
@login_required
def index():
    require(can(current_user, "api_tokens.manage"))
    return _page(TokenForm())


@bp.post("/")
@login_required
def create():
    require(can(current_user, "api_tokens.manage"))
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _token, secret = services.create_token(current_user, form.name.data, utcnow())
    except services.TokenError as exc:
        form.name.errors.append(_message(exc))
        return _page(form, status=400)
    db.session.commit()
    # shown once, in this response only: neither stored in clear nor put in the session
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@bp.post("/<int:token_id>/revoquer")
@login_required
def revoke(token_id: int):
    token = queries.token_of(current_user, token_id)
    if token is None:
        abort(404)
    require(can(current_user, "api_tokens.manage", token))
    if RevokeForm().validate_on_submit():
        try:
            services.revoke_token(current_user, token, utcnow())
        except services.TokenError as exc:
            flash(_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Jeton « %(name)s » révoqué.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
