"""The deliberation: the ranking, the decisions within the envelope, their notification and
what the association sees of them."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ami import queries, rules
from ami.forms.decisions import DecisionForm, NotifyForm, OpenDeliberationForm
from ami.letter_pdf import decision_letter as build_letter
from ami.letter_pdf import decision_text, letter_filename
from ami.messages import error_message, outcome_labels
from ami.models import Outcome
from ami.routes import bp
from ami.routes.common import load_application, load_call
from ami.services import decisions as services
from ami.services.common import AmiError
from app.access import can, login_required, require
from app.db import db, utcnow
from app.i18n import _

# --- the admin's deliberation ---------------------------------------------------------------


@bp.get("/gestion/appels/<int:call_id>/deliberation")
@login_required
def deliberation(call_id: int):
    call = load_call(call_id)
    return render_template(
        "ami/decisions/deliberation.html",
        call=call,
        rows=services.ranking(call),
        totals=services.totals(call),
        pending=services.pending_count(call),
        outcome_labels=outcome_labels(),
        open_form=OpenDeliberationForm(),
        notify_form=NotifyForm(),
    )


@bp.post("/gestion/appels/<int:call_id>/deliberation/ouvrir")
@login_required
def deliberation_open(call_id: int):
    call = load_call(call_id)
    if OpenDeliberationForm().validate_on_submit():
        try:
            services.open_deliberation(current_user, call, utcnow())
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(
                _("La délibération est ouverte : les membres du jury voient les moyennes."),
                "success",
            )
    return redirect(url_for("ami.deliberation", call_id=call.id))


def _admin_application(application_id: int):
    application = queries.application_in(g.organisation, application_id)
    if application is None:
        abort(404)
    require(can(current_user, "ami.manage", application.call))
    return application


def _form_data(form: DecisionForm, call, associations) -> services.DecisionData:
    co_funder = next((c for c in call.co_funders if c.id == form.co_funder_id.data), None)
    chosen = set(form.introduction_ids.data or [])
    return services.DecisionData(
        outcome=Outcome(form.outcome.data),
        granted_cents=form.granted.cents,
        co_funder=co_funder,
        co_funded_cents=form.co_funded.cents,
        motivation=form.motivation.data or "",
        advice=form.advice.data or "",
        referral_note=form.referral_note.data or "",
        introductions=[a for a in associations if a.id in chosen],
    )


@bp.route("/gestion/candidatures/<int:application_id>/decision", methods=["GET", "POST"])
@login_required
def decision_edit(application_id: int):
    application = _admin_application(application_id)
    call = application.call
    decision = application.decision
    associations = [
        a for a in queries.associations_of(g.organisation) if a.id != application.association_id
    ]
    form = DecisionForm()
    form.fill_choices(call.co_funders, associations)
    allowed = rules.funding(call, application)
    if request.method == "GET":
        _prefill(form, decision, allowed)
    refused = None
    if call.deliberation_opened_at is None:
        refused = "deliberation_closed"
    elif application.status != "eligible":
        refused = "not_eligible"
    elif decision is not None and decision.notified_at is not None:
        refused = "already_notified"
    overrun = False
    status = 200
    if request.method == "POST" and refused is None:
        if form.validate_on_submit():
            try:
                services.record_decision(
                    current_user,
                    application,
                    _form_data(form, call, associations),
                    confirm_overrun=bool(form.confirm_overrun.data),
                )
            except AmiError as exc:
                db.session.rollback()
                overrun = exc.code == "envelope_exceeded"
                _attach_error(form, exc)
                status = 422
            else:
                db.session.commit()
                flash(_("Décision enregistrée."), "success")
                return redirect(url_for("ami.deliberation", call_id=call.id))
        else:
            status = 422
    elif request.method == "POST":
        flash(error_message(AmiError(refused)), "error")
        return redirect(url_for("ami.deliberation", call_id=call.id))
    return (
        render_template(
            "ami/decisions/decision_edit.html",
            application=application,
            call=call,
            decision=decision,
            form=form,
            funding=allowed,
            totals=services.totals(call),
            refused=error_message(AmiError(refused)) if refused else None,
            overrun=overrun,
        ),
        status,
    )


def _prefill(form: DecisionForm, decision, allowed) -> None:
    if decision is None:
        form.granted.set_cents(allowed.max_cents)
        return
    form.outcome.data = decision.outcome.value
    form.granted.set_cents(decision.granted_cents or allowed.max_cents)
    form.co_funder_id.data = decision.co_funder_id
    form.co_funded.set_cents(decision.co_funded_cents or None)
    form.referral_note.data = decision.referral_note
    form.introduction_ids.data = [a.id for a in decision.introductions]
    form.motivation.data = decision.motivation
    form.advice.data = decision.advice


def _attach_error(form: DecisionForm, exc: AmiError) -> None:
    fields = {
        "above_max": form.granted,
        "amount_required": form.granted,
        "co_funded_above_granted": form.co_funded,
        "co_funder_exceeded": form.co_funded,
        "co_funder_required": form.co_funder_id,
        "envelope_exceeded": form.confirm_overrun,
    }
    target = fields.get(exc.code)
    if target is None:
        flash(error_message(exc), "error")
        return
    target.errors = [*target.errors, error_message(exc)]


@bp.post("/gestion/appels/<int:call_id>/notifier")
@login_required
def decisions_notify(call_id: int):
    call = load_call(call_id)
    if NotifyForm().validate_on_submit():
        try:
            count = services.notify_decisions(current_user, call, utcnow())
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("%(n)s décision(s) notifiée(s) aux associations.", n=count), "success")
    return redirect(url_for("ami.deliberation", call_id=call.id))


# --- the association's side -----------------------------------------------------------------


def _notified(application_id: int):
    application = load_application(application_id, "ami.application.view")
    decision = application.decision
    if decision is None or decision.notified_at is None:
        abort(404)
    return application, decision


@bp.get("/candidatures/<int:application_id>/decision")
@login_required
def application_decision(application_id: int):
    application, decision = _notified(application_id)
    return render_template(
        "ami/decisions/application_decision.html",
        application=application,
        decision=decision,
        text=decision_text(decision),
    )


@bp.get("/candidatures/<int:application_id>/decision.pdf")
@login_required
def decision_letter(application_id: int):
    application, decision = _notified(application_id)
    pdf = build_letter(decision, g.organisation, today=decision.notified_at)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{letter_filename(application)}"',
        },
    )
