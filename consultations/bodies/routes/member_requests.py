"""The members' meeting requests: open, co-sign, withdraw."""

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
from sqlalchemy.exc import IntegrityError

from app.access import can, login_required, require
from app.db import db, utcnow
from app.i18n import _
from app.users.forms import ConfirmForm
from consultations.bodies import member_messages as labels
from consultations.bodies import queries, services
from consultations.bodies.member_forms import (
    MeetingRequestForm,
)
from consultations.bodies.member_messages import error_message
from consultations.bodies.models import (
    MeetingRequest,
    RequestStatus,
)
from consultations.bodies.routes import member_bp as bp
from consultations.bodies.routes.member import (
    load_request,
    request_row,
)
from consultations.bodies.services import BodyError
from consultations.bodies.services.common import current_members, member_of
from consultations.saisines.rules import to_paris

# --- meeting requests ------------------------------------------------------------------------


@bp.route("/<int:body_id>/demandes/nouvelle", methods=["GET", "POST"])
@login_required
def request_new(body_id: int):
    body = queries.body_in(g.organisation, body_id)
    if body is None:
        abort(404)
    require(can(current_user, "body.request_meeting", body))
    form = MeetingRequestForm()
    now = utcnow()
    if form.validate_on_submit():
        seat = member_of(body, current_user)
        try:
            created = services.open_request(
                seat, form.subject.data, form.description.data or "", now
            )
        except BodyError as exc:
            db.session.rollback()
            flash(error_message(exc, body), "error")
        else:
            db.session.commit()
            flash(_signed_message(created), "success")
            return redirect(url_for("bodies_member.request", request_id=created.id))
    return render_template(
        "consultations/bodies/member_request_new.html",
        body=body,
        form=form,
        members=len(current_members(body)),
        needed=services.threshold(body),
        admissible=services.admissible_in_year(body, to_paris(now).year),
    )


def _signed_message(meeting_request: MeetingRequest) -> str:
    if meeting_request.status is RequestStatus.ADMISSIBLE:
        return _(
            "Le seuil de signatures est atteint : la demande est recevable. Le président de "
            "l'instance et l'EPCI en sont informés par e-mail."
        )
    row = request_row(meeting_request, current_user)
    return _(
        "Signature enregistrée : %(signatures)s.",
        signatures=labels.signatures_label(row.count, row.needed),
    )


@bp.get("/demandes/<int:request_id>", endpoint="request")
@login_required
def meeting_request(request_id: int):
    meeting_request = load_request(request_id)
    return render_template(
        "consultations/bodies/member_request.html",
        meeting_request=meeting_request,
        body=meeting_request.body,
        row=request_row(meeting_request, current_user),
        meeting=queries.meeting_of_request(meeting_request),
        can_sign=can(current_user, "body.request_meeting", meeting_request.body),
        signatures=sorted(meeting_request.signatures, key=lambda s: s.signed_at),
        confirm=ConfirmForm(),
    )


@bp.post("/demandes/<int:request_id>/signer")
@login_required
def request_sign(request_id: int):
    meeting_request = load_request(request_id)
    body = meeting_request.body
    require(can(current_user, "body.request_meeting", body))
    if ConfirmForm().validate_on_submit():
        try:
            services.sign_request(member_of(body, current_user), meeting_request, utcnow())
            db.session.commit()
        except (BodyError, IntegrityError) as exc:
            db.session.rollback()
            if isinstance(exc, IntegrityError):  # signed twice at once
                exc = BodyError("already_signed")
            flash(error_message(exc, body), "error")
        else:
            if meeting_request.status is RequestStatus.REFUSED:
                flash(error_message(BodyError("yearly_cap_reached"), body), "error")
            else:
                flash(_signed_message(meeting_request), "success")
    return redirect(url_for("bodies_member.request", request_id=meeting_request.id))


@bp.post("/demandes/<int:request_id>/retirer-signature")
@login_required
def request_unsign(request_id: int):
    meeting_request = load_request(request_id)
    body = meeting_request.body
    require(can(current_user, "body.request_meeting", body))
    if ConfirmForm().validate_on_submit():
        try:
            services.withdraw_signature(member_of(body, current_user), meeting_request)
        except BodyError as exc:
            db.session.rollback()
            flash(error_message(exc, body), "error")
        else:
            db.session.commit()
            flash(
                _("Votre signature est retirée : la demande que vous aviez ouverte est retirée.")
                if meeting_request.status is RequestStatus.WITHDRAWN
                else _("Votre signature est retirée."),
                "success",
            )
    return redirect(url_for("bodies_member.request", request_id=meeting_request.id))
