"""The associations' side: start, write, submit and read the one-sheet application."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import noload
from sqlalchemy.orm.exc import StaleDataError

from ami import queries, rules
from ami.application_pdf import application_pdf as render_pdf
from ami.forms.applications import ApplicationForm, StartForm, SubmitApplicationForm
from ami.messages import error_message, field_labels
from ami.models import AmiCall, Application, ApplicationStatus, Association, Qpv, Track
from ami.permissions import association_ids
from ami.routes import bp
from ami.routes.common import load_application, load_call
from ami.services import applications as services
from ami.services.common import AmiError
from app import submissions
from app.access import can, login_required, permission_required
from app.db import db, utcnow
from app.i18n import _

BLANK_PAGE_PARAM = "page-blanche"


def _my_associations() -> list[Association]:
    ids = association_ids(current_user)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.id.in_(ids), Association.organisation_id == g.organisation.id)
            .order_by(Association.name)
        )
    )


# --- starting a draft -----------------------------------------------------------------------


@bp.route("/appels/<int:call_id>/candidater", methods=["GET", "POST"])
@permission_required("ami.apply")
def application_new(call_id: int):
    call = load_call(call_id, action=None)
    if call.published_at is None:
        abort(404)
    track = Track.BLANK_PAGE if request.args.get("parcours") == BLANK_PAGE_PARAM else Track.STANDARD
    associations = _my_associations()
    if not associations:
        abort(403)
    if track is Track.BLANK_PAGE and not call.blank_page_enabled:
        flash(error_message(AmiError("blank_page_disabled")), "error")
        track = Track.STANDARD
    existing = {a.id: services.existing_application(call, a, track) for a in associations}
    if len(associations) == 1 and existing[associations[0].id] is not None:
        return redirect(_place_of(existing[associations[0].id]))
    form = StartForm()
    form.fill_choices(associations)
    if request.method == "GET" and len(associations) == 1:
        form.association_id.data = associations[0].id
    problem = None
    try:
        services.check_open(call, utcnow())
    except AmiError as exc:
        problem = error_message(exc)
    if form.validate_on_submit():
        association = next(a for a in associations if a.id == form.association_id.data)
        try:
            application, created = services.start_application(
                current_user, call, association, track, utcnow()
            )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            application = services.existing_application(call, association, track)
            created = False
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
            return redirect(url_for("ami.application_new", call_id=call.id, **_track_arg(track)))
        if created:
            flash(
                _("Brouillon créé : enregistrez-le aussi souvent que vous le souhaitez."), "success"
            )
        else:
            flash(_("Votre association a déjà un dossier pour cet appel : le voici."), "info")
        return redirect(_place_of(application))
    return render_template(
        "ami/applications/new.html",
        call=call,
        track=track,
        form=form,
        associations=associations,
        existing=existing,
        problem=problem,
        blank_param=BLANK_PAGE_PARAM,
    )


def _track_arg(track: Track) -> dict:
    return {"parcours": BLANK_PAGE_PARAM} if track is Track.BLANK_PAGE else {}


def _place_of(application: Application) -> str:
    if application.status is ApplicationStatus.DRAFT and can(
        current_user, "ami.application.edit", application
    ):
        return url_for("ami.application_edit", application_id=application.id)
    return url_for("ami.application_view", application_id=application.id)


# --- writing --------------------------------------------------------------------------------


def _form_for(application: Application) -> ApplicationForm:
    form = ApplicationForm()
    org_id = application.call.organisation_id
    qpvs = db.session.scalars(
        select(Qpv).where(Qpv.organisation_id == org_id).order_by(Qpv.name)
    ).all()
    communes = sorted(g.organisation.communes, key=lambda c: c.name)
    associations = (
        queries.associations_of(g.organisation) if application.track is Track.STANDARD else []
    )
    form.setup(
        application.call,
        application.track,
        qpvs,
        communes,
        associations,
        application.association_id,
    )
    return form


@bp.route("/candidatures/<int:application_id>/modifier", methods=["GET", "POST"])
@login_required
def application_edit(application_id: int):
    application = load_application(application_id, "ami.application.edit")
    if application.status is not ApplicationStatus.DRAFT:
        flash(error_message(AmiError("not_draft")), "error")
        return redirect(url_for("ami.application_view", application_id=application.id))
    form = _form_for(application)
    status = 200
    if request.method == "GET":
        form.fill(application)
    elif form.validate_on_submit():
        try:
            services.save_draft(current_user, application, form.values(), form.expected_version())
            db.session.commit()
        except (AmiError, StaleDataError) as exc:
            db.session.rollback()
            if not isinstance(exc, AmiError):
                exc = AmiError("edited_meanwhile")
            flash(error_message(exc), "error")
            status = 409 if exc.code == "edited_meanwhile" else 422
            db.session.expire_all()
            application = load_application(application_id, "ami.application.edit")
            if exc.code == "edited_meanwhile":
                form.lock_version.data = str(application.version_id)
        else:
            flash(_("Brouillon enregistré."), "success")
            return redirect(url_for("ami.application_edit", application_id=application.id))
    else:
        status = 422
    response = make_response(
        render_template(
            "ami/applications/edit.html",
            application=application,
            form=form,
            submit_form=SubmitApplicationForm(),
            problems=services.submission_problems(application),
            missing=_missing_labels(application),
        ),
        status,
    )
    return response


@bp.post("/candidatures/<int:application_id>/deposer")
@login_required
def application_submit(application_id: int):
    application = load_application(application_id, "ami.application.edit")
    form = SubmitApplicationForm()
    if not form.validate_on_submit():
        flash(_("La demande n'a pas pu être vérifiée : réessayez."), "error")
        return redirect(url_for("ami.application_edit", application_id=application.id))
    target = url_for("ami.application_view", application_id=application.id)
    me = current_user.id  # read now: a failed flush would expire it
    done = submissions.already_done(form.once.data, me)
    if done:
        return submissions.back_to_first_copy(done)
    try:
        services.submit_application(current_user, application, utcnow())
        done = submissions.commit_once(form.once.data, me, target)
    except (AmiError, StaleDataError, IntegrityError) as exc:
        # a copy of the same click sent at the same moment won: show its result
        done = submissions.winner_url(form.once.data, me)
        if done:
            return submissions.back_to_first_copy(done)
        if not isinstance(exc, AmiError):
            exc = AmiError("edited_meanwhile")
        if exc.code == "requested_above_total" or exc.code == "funding_above_total":
            for code in exc.params.get("problems", [exc.code]):
                flash(error_message(AmiError(code)), "error")
        else:
            flash(error_message(exc), "error")
        return redirect(url_for("ami.application_view", application_id=application_id))
    if done:
        return submissions.back_to_first_copy(done)
    flash(
        _(
            "Dossier déposé sous le numéro %(number)s. Un accusé de réception est envoyé par "
            "e-mail aux personnes de l'association.",
            number=application.number,
        ),
        "success",
    )
    return redirect(target)


def _missing_labels(application: Application) -> list[str]:
    labels = field_labels()
    return [str(labels.get(code, code)) for code in rules.missing_fields(application)]


# --- reading --------------------------------------------------------------------------------


@bp.get("/candidatures")
@permission_required("ami.apply")
def my_applications():
    associations = _my_associations()
    ids = [a.id for a in associations]
    rows = (
        list(
            db.session.scalars(
                select(Application)
                .join(AmiCall, Application.call_id == AmiCall.id)
                .where(
                    Application.association_id.in_(ids),
                    AmiCall.organisation_id == g.organisation.id,
                )
                .options(
                    noload(Application.qpvs),
                    noload(Application.communes),
                    noload(Application.partners),
                )
                .order_by(AmiCall.year.desc(), AmiCall.id.desc(), Application.id)
            )
        )
        if ids
        else []
    )
    calls = services.open_calls(g.organisation, utcnow())
    taken = {(a.call_id, a.association_id, a.track) for a in rows}
    return render_template(
        "ami/applications/mine.html",
        applications=rows,
        calls=calls,
        associations=associations,
        taken=taken,
        blank_param=BLANK_PAGE_PARAM,
        Track=Track,
    )


@bp.get("/candidatures/<int:application_id>")
@login_required
def application_view(application_id: int):
    application = load_application(application_id)
    editable = application.status is ApplicationStatus.DRAFT and can(
        current_user, "ami.application.edit", application
    )
    return render_template(
        "ami/applications/view.html",
        application=application,
        editable=editable,
        problems=services.submission_problems(application) if editable else [],
        missing=_missing_labels(application) if editable else [],
        submit_form=SubmitApplicationForm(),
        now=utcnow(),
    )


@bp.get("/candidatures/<int:application_id>/candidature.pdf")
@login_required
def application_pdf(application_id: int):
    application = load_application(application_id)
    content = render_pdf(application, g.organisation.name)
    response = make_response(content)
    response.headers["Content-Type"] = "application/pdf"
    name = application.number or f"brouillon-{application.id}"
    response.headers["Content-Disposition"] = f'inline; filename="candidature-{name}.pdf"'
    return response
