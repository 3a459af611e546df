"""The members' calendars: a private iCalendar feed per person."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from app.access import login_required
from app.db import db, utcnow
from app.i18n import _
from app.users.forms import ConfirmForm
from app.users.models import User
from consultations.bodies import queries, services
from consultations.bodies.routes import member_bp as bp
from consultations.bodies.routes.member import (
    ics_response,
)

# --- calendars -------------------------------------------------------------------------------


@bp.route("/agenda", methods=["GET", "POST"])
@login_required
def agenda():
    """The private address of my calendar of meetings, and a way to change it."""
    form = ConfirmForm()
    if form.validate_on_submit():
        renewed = queries.calendar_feed_of(current_user) is not None
        services.renew_calendar_feed(current_user, utcnow())
        db.session.commit()
        flash(
            _(
                "Nouvelle adresse créée : l'ancienne ne fonctionne plus. Remplacez-la dans votre "
                "agenda."
            )
            if renewed
            else _("Adresse de votre agenda créée : ajoutez-la à votre logiciel d'agenda."),
            "success",
        )
        return redirect(url_for("bodies_member.agenda"))
    feed = queries.calendar_feed_of(current_user)
    https = url_for("bodies_member.feed", token=feed.token, _external=True) if feed else None
    return render_template(
        "consultations/bodies/member_agenda.html",
        feed=feed,
        https_url=https,
        webcal_url="webcal://" + https.split("://", 1)[1] if https else None,
        convocations=queries.convocations_of_user(current_user),
        form=form,
    )


@bp.get("/calendrier/<token>.ics")
def feed(token: str):
    """The calendar feed: no login, the token is the credential; only its owner's meetings."""
    found = queries.calendar_feed_by_token(token)
    owner = db.session.get(User, found.user_id) if found else None
    if owner is None or not owner.active or owner.organisation_id != g.organisation.id:
        abort(404)
    response = ics_response(
        queries.meetings_for_calendar(owner),
        _("Séances — %(organisation)s", organisation=g.organisation.name),
        "seances.ics",
    )
    response.headers["Cache-Control"] = "private, max-age=900"
    return response
