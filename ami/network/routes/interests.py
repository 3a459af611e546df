"""Mutual interest: mark, withdraw (the pages of interests, matches and threads follow)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user

from ami import queries as ami_queries
from ami.messages import error_message
from ami.network.forms.interests import InterestForm
from ami.network.services import interests as services
from ami.network.services.common import NetworkError
from ami.routes import bp
from app.access import can, login_required, require
from app.db import db
from app.extensions import limiter
from app.i18n import _
from app.web.routes import safe_next


def load_acting(association_id: int):
    """The association the signed-in person acts for (404 outside the organisation, 403 when
    they do not act for it)."""
    association = ami_queries.association_in(g.organisation, association_id)
    if association is None:
        abort(404)
    require(can(current_user, "network.act", association))
    return association


def _other(other_id: int):
    other = ami_queries.association_in(g.organisation, other_id)
    if other is None:
        abort(404)
    return other


def _back(association, other):
    target = safe_next(request.form.get("next"))
    return redirect(target or url_for("ami.directory_entry", association_id=other.id))


@bp.post("/reseau/<int:association_id>/interet/<int:other_id>")
@login_required
@limiter.limit("30 per minute;300 per day", methods=["POST"])
def network_interest(association_id: int, other_id: int):
    mine, other = load_acting(association_id), _other(other_id)
    if not InterestForm().validate_on_submit():
        abort(400)
    try:
        match = services.mark_interest(current_user, g.organisation, mine, other)
        db.session.commit()
    except NetworkError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return _back(mine, other)
    if match is not None:
        flash(
            _(
                "Intérêt réciproque : %(mine)s et %(other)s sont mises en relation. Vous voyez "
                "maintenant leurs coordonnées et pouvez échanger des messages.",
                mine=mine.name,
                other=other.name,
            ),
            "success",
        )
    else:
        flash(
            _(
                "Votre intérêt pour %(name)s est enregistré. Si elle marque aussi son intérêt "
                "pour %(mine)s, vous serez mises en relation.",
                name=other.name,
                mine=mine.name,
            ),
            "success",
        )
    return _back(mine, other)


@bp.post("/reseau/<int:association_id>/interet/<int:other_id>/retirer")
@login_required
@limiter.limit("30 per minute;300 per day", methods=["POST"])
def network_interest_withdraw(association_id: int, other_id: int):
    mine, other = load_acting(association_id), _other(other_id)
    if not InterestForm().validate_on_submit():
        abort(400)
    try:
        ended = services.withdraw_interest(current_user, g.organisation, mine, other)
        db.session.commit()
    except NetworkError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return _back(mine, other)
    if ended is not None:
        flash(_("La mise en relation avec %(name)s a pris fin.", name=other.name), "success")
    else:
        flash(_("Votre intérêt pour %(name)s est retiré.", name=other.name), "success")
    return _back(mine, other)
