"""The EPCI's pages of bodies: bodies and members, meetings, agendas, convocations,
attendance and quorum, votes, minutes, meeting requests."""

from __future__ import annotations

from flask import abort, g, render_template
from flask_login import current_user

from app.access import can, login_required, require
from consultations.bodies import queries
from consultations.bodies.routes import manage_bp as bp


@bp.get("/demandes/<int:request_id>")
@login_required
def request_detail(request_id: int):
    request = queries.request_in(g.organisation, request_id)
    if request is None:
        abort(404)
    require(can(current_user, "body.view", request.body))
    return render_template("consultations/bodies/request_detail.html", meeting_request=request)
