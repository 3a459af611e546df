"""The members' pages: convocations and receipts, answers and proxies, live votes, minutes,
meeting requests and calendars."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, url_for
from flask_login import current_user

from app.access import can, login_required, require
from app.db import db, utcnow
from app.i18n import _
from app.users.forms import ConfirmForm
from app.web.urls import base_url
from consultations.bodies import calendar, queries, services
from consultations.bodies.routes import member_bp as bp


def load_meeting(meeting_id: int):
    meeting = queries.meeting_in(g.organisation, meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, "meeting.view", meeting))
    return meeting


@bp.route("/convocations/<token>", methods=["GET", "POST"])
def acknowledge(token: str):
    """The link of the convocation e-mail: the token itself proves who received it."""
    convocation = queries.convocation_by_token(token)
    if convocation is None or convocation.meeting.body.organisation_id != g.organisation.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.acknowledge(convocation, utcnow())
        db.session.commit()
        flash(_("Réception de la convocation confirmée. Merci."), "success")
        return redirect(url_for("bodies_member.acknowledge", token=token))
    return render_template(
        "consultations/bodies/member_acknowledge.html", convocation=convocation, form=form
    )


@bp.get("/seances/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    return render_template("consultations/bodies/member_meeting.html", meeting=meeting)


@bp.get("/seances/<int:meeting_id>/seance.ics")
@login_required
def meeting_ics(meeting_id: int):
    meeting = load_meeting(meeting_id)
    link = url_for("bodies_member.meeting", meeting_id=meeting.id, _external=True)
    domain = base_url(g.organisation).split("://", 1)[-1]
    body = calendar.calendar([(meeting, link)], domain, meeting.body.name)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="seance-{meeting.id}.ics"'
    return response
