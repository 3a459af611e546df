"""Eligibility (recevabilité): the EPCI's list of a call's applications with their funding
computation, and the check of one application."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ami import rules
from ami.forms.review import EligibilityForm
from ami.messages import error_message, field_labels, status_labels
from ami.models import ApplicationStatus
from ami.routes import bp
from ami.routes.common import load_application, load_call
from ami.services import review as services
from ami.services.common import AmiError
from app.access import can, login_required, require
from app.db import db
from app.i18n import _
from app.web.converters import db_int


@bp.get("/gestion/appels/<int:call_id>/candidatures")
@login_required
def review_list(call_id: int):
    call = load_call(call_id)
    status = request.args.get("statut") or None
    if status not in {s.value for s in services.REVIEWABLE}:
        status = None
    theme_id = request.args.get("theme", type=db_int)
    if theme_id not in {t.id for t in call.themes}:
        theme_id = None
    return render_template(
        "ami/review/list.html",
        call=call,
        rows=services.applications_for_review(call, status, theme_id),
        drafts=services.draft_count(call),
        status=status,
        theme_id=theme_id,
        statuses=[(s.value, status_labels()[s]) for s in services.REVIEWABLE],
    )


@bp.route("/gestion/candidatures/<int:application_id>", methods=["GET", "POST"])
@login_required
def review_application(application_id: int):
    application = load_application(application_id)
    require(can(current_user, "ami.manage", application.call))
    if application.status not in services.REVIEWABLE:
        abort(404)
    call = application.call
    form = EligibilityForm()
    if request.method == "GET":
        form.fill(application)
    locked = application.hearing_invited_at is not None
    if form.validate_on_submit():
        try:
            services.check_eligibility(
                current_user,
                application,
                complete=form.complete.data == "yes",
                association_valid=form.association_valid.data == "yes",
                theme_ok=form.theme_in_call.data == "yes",
                eligible=form.decision.data == "eligible",
                reason=form.reason.data or "",
            )
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Candidature %(number)s : %(status)s. L'association a été informée.",
                    number=application.number,
                    status=status_labels()[application.status],
                ),
                "success",
            )
            return redirect(url_for("ami.review_list", call_id=call.id))
    return render_template(
        "ami/review/application.html",
        application=application,
        call=call,
        form=form,
        locked=locked,
        funding=rules.funding(call, application),
        missing=[field_labels().get(code, code) for code in rules.missing_fields(application)],
        budget_problems=rules.budget_problems(application),
        identifiers=services.association_check(application.association),
        theme_ok=services.theme_in_call(call, application.theme),
        eligible_status=ApplicationStatus.ELIGIBLE,
    ), (422 if form.errors else 200)
