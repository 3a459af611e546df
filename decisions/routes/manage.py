"""The admins' pages: list, create and edit dossiers, move them, attach consultations and
record the deliberation."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app import consultation_kinds
from app.access import can, login_required, permission_required, require
from app.db import db
from app.forms import options
from app.i18n import _
from app.sanitize import text_to_html
from app.uploads import services as uploads
from app.uploads.messages import upload_message
from app.web.actions import attempt
from app.web.pagination import paginate
from decisions import messages, queries, rules, services
from decisions.forms import AttachForm, ConfirmForm, DeliberationForm, DossierForm, MoveForm
from decisions.models import DecisionStage, DeliberationResult
from decisions.routes import manage_bp as bp

PER_PAGE = 30


def load(dossier_id: int):
    dossier = queries.dossier_in(g.organisation, dossier_id)
    if dossier is None:
        abort(404)
    require(can(current_user, "decisions.manage", dossier))
    return dossier


def _store(field, allowed=None) -> list:
    stored = []
    files = field.data if isinstance(field.data, list) else [field.data]
    for upload in files:
        # without a new file, the edit form's field holds the dossier's stored documents
        if not isinstance(upload, FileStorage) or not upload.filename:
            continue
        try:
            stored.append(
                uploads.store(upload, g.organisation.id, current_user.id, allowed=allowed)
            )
        except uploads.UploadError as exc:
            field.errors.append(f"{uploads.safe_name(upload.filename)} : {upload_message(exc)}")
    return stored


def _commissions() -> list[str]:
    """The commissions and working groups of the EPCI, and those already typed."""
    names = consultation_kinds.body_names(g.organisation, ("commission", "working_group"))
    return sorted(set(names) | set(queries.commissions(g.organisation, public_only=False)))


def _deciding_bodies() -> list[str]:
    names = consultation_kinds.body_names(g.organisation, ("bureau", "council", "vp_conference"))
    return sorted(set(names) | {_("Conseil communautaire"), _("Bureau communautaire")})


def _attempt(action, field, done=None) -> bool:
    """Run a dossier service call and commit; when it is refused, roll back and show why on
    `field` (a form field, a function of the error giving the field, or None to flash it)."""

    def explain(exc) -> None:
        target = field(exc) if callable(field) and not hasattr(field, "errors") else field
        if target is None:
            flash(messages.error_message(exc), "error")
        else:
            target.errors.append(messages.error_message(exc))

    return attempt(action, refused=services.DecisionError, explain=explain, done=done)


def _dossier_form(dossier=None) -> DossierForm:
    form = DossierForm(obj=dossier)
    leads = services.vice_presidents(g.organisation)
    form.lead_user_id.choices = options(
        [(None, _("— Autre (saisir le nom) —"))] + [(u.id, u.display_name) for u in leads]
    )
    return form


def _dossier_data(form) -> services.DossierData:
    return services.DossierData(
        title=form.title.data,
        summary=text_to_html(form.summary.data or ""),
        lead_user_id=form.lead_user_id.data,
        lead_name=form.lead_name.data or "",
        commission=form.commission.data or "",
        public=bool(form.public.data),
    )


@bp.get("/")
@permission_required("decisions.manage")
def index():
    filters = queries.Filters.from_args(request.args)
    page = paginate(queries.admin_query(g.organisation, filters), PER_PAGE)
    return render_template(
        "decisions/manage_list.html",
        page=page,
        filters=filters,
        commissions=queries.commissions(g.organisation, public_only=False),
        years=queries.years(g.organisation, public_only=False),
    )


@bp.route("/nouveau", methods=["GET", "POST"])
@permission_required("decisions.manage")
def create():
    form = _dossier_form()
    if form.validate_on_submit():
        files = _store(form.documents)
        if not form.documents.errors:
            created = []
            if _attempt(
                lambda: services.create_dossier(
                    current_user, g.organisation, _dossier_data(form), files
                ),
                form.lead_user_id,
                done=created.append,
            ):
                flash(_("Le dossier est créé, à l'étape impulsion."), "success")
                return redirect(url_for("decisions.detail", dossier_id=created[0].id))
        db.session.rollback()
    return render_template(
        "decisions/dossier_form.html", form=form, dossier=None, suggestions=_commissions()
    )


@bp.route("/<int:dossier_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(dossier_id: int):
    dossier = load(dossier_id)
    form = _dossier_form(dossier)
    if request.method == "GET":
        form.summary.data = dossier.summary
    if form.validate_on_submit():
        files = _store(form.documents)
        if not form.documents.errors:
            if _attempt(
                lambda: services.update_dossier(
                    current_user, g.organisation, dossier, _dossier_data(form), files
                ),
                form.lead_user_id,
            ):
                flash(_("Le dossier est enregistré."), "success")
                return redirect(url_for("decisions.detail", dossier_id=dossier.id))
        db.session.rollback()
        dossier = load(dossier_id)
    return render_template(
        "decisions/dossier_form.html", form=form, dossier=dossier, suggestions=_commissions()
    )


def _move_form(dossier, formdata=None) -> MoveForm:
    form = MoveForm(formdata=formdata) if formdata is not None else MoveForm()
    targets = rules.allowed_targets(dossier.stage, dossier.closed_at is not None)
    form.to_stage.choices = options((s.value, messages.stage_label(s)) for s in targets)
    return form


def _attach_form(formdata=None) -> AttachForm:
    form = AttachForm(formdata=formdata) if formdata is not None else AttachForm()
    groups = {}
    for kind in consultation_kinds.all_kinds():
        candidates = kind.candidates(g.organisation)
        if candidates:
            groups[str(kind.label())] = [(f"{kind.key}:{c.id}", c.label) for c in candidates]
    form.item.choices = groups
    return form


def _render_detail(dossier, move_form=None, attach_form=None, status=200):
    items = queries.timeline(dossier)
    still_open = [i.entry for i in items if i.type == "consultation" and i.entry.is_open]
    return (
        render_template(
            "decisions/dossier_detail.html",
            dossier=dossier,
            items=items,
            still_open=still_open,
            move_form=move_form or _move_form(dossier),
            attach_form=attach_form or _attach_form(),
            confirm=ConfirmForm(),
            may_deliberate=rules.may_record_deliberation(
                dossier.stage, dossier.closed_at is not None
            ),
        ),
        status,
    )


@bp.get("/<int:dossier_id>")
@login_required
def detail(dossier_id: int):
    return _render_detail(load(dossier_id))


@bp.post("/<int:dossier_id>/etape")
@login_required
def move(dossier_id: int):
    dossier = load(dossier_id)
    form = _move_form(dossier, request.form)
    if form.validate():
        if _attempt(
            lambda: services.move_stage(
                current_user,
                g.organisation,
                dossier,
                DecisionStage(form.to_stage.data),
                form.reason.data,
                form.override_reason.data,
            ),
            lambda exc: form.override_reason if exc.code == "open" else form.reason,
        ):
            flash(_("Le dossier est passé à l'étape suivante choisie."), "success")
            return redirect(url_for("decisions.detail", dossier_id=dossier.id))
    dossier = load(dossier_id)
    return _render_detail(dossier, move_form=form, status=422)


@bp.post("/<int:dossier_id>/rattacher")
@login_required
def attach(dossier_id: int):
    dossier = load(dossier_id)
    form = _attach_form(request.form)
    if form.validate():
        kind, _sep, item_id = form.item.data.partition(":")
        if _attempt(
            lambda: services.attach(current_user, g.organisation, dossier, kind, int(item_id)),
            form.item,
        ):
            flash(_("La consultation est rattachée au dossier."), "success")
            return redirect(url_for("decisions.detail", dossier_id=dossier.id))
    dossier = load(dossier_id)
    return _render_detail(dossier, attach_form=form, status=422)


@bp.post("/<int:dossier_id>/rattachements/<int:link_id>/detacher")
@login_required
def detach(dossier_id: int, link_id: int):
    dossier = load(dossier_id)
    link = next((link for link in dossier.links if link.id == link_id), None)
    if link is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if _attempt(lambda: services.detach(current_user, g.organisation, dossier, link), None):
        flash(_("La consultation est détachée du dossier."), "success")
    return redirect(url_for("decisions.detail", dossier_id=dossier_id))


@bp.post("/<int:dossier_id>/documents/<int:document_id>/supprimer")
@login_required
def remove_document(dossier_id: int, document_id: int):
    dossier = load(dossier_id)
    document = next((d for d in dossier.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_document(current_user, g.organisation, dossier, document)
    db.session.commit()
    flash(_("Le document est retiré du dossier."), "success")
    return redirect(url_for("decisions.edit", dossier_id=dossier_id))


def _deliberation_form() -> DeliberationForm:
    form = DeliberationForm()
    form.result.choices = options((r.value, messages.result_label(r)) for r in DeliberationResult)
    return form


@bp.route("/<int:dossier_id>/deliberation", methods=["GET", "POST"])
@login_required
def deliberation(dossier_id: int):
    dossier = load(dossier_id)
    if not rules.may_record_deliberation(dossier.stage, dossier.closed_at is not None):
        flash(messages.error_message(services.DecisionError("deliberation_stage")), "error")
        return redirect(url_for("decisions.detail", dossier_id=dossier.id))
    form = _deliberation_form()
    if form.validate_on_submit():
        stored = _store(form.file, allowed=frozenset({"pdf"}))
        if not form.file.errors:
            data = services.DeliberationData(
                body_name=form.body_name.data,
                decided_on=form.decided_on.data,
                number=form.number.data,
                result=DeliberationResult(form.result.data),
                text=text_to_html(form.text.data or ""),
            )
            if _attempt(
                lambda: services.record_deliberation(
                    current_user,
                    g.organisation,
                    dossier,
                    data,
                    stored[0] if stored else None,
                    form.override_reason.data,
                ),
                lambda exc: {"open": form.override_reason, "deliberation_content": form.text}.get(
                    exc.code, form.number
                ),
            ):
                flash(_("La délibération est enregistrée : le dossier est clos."), "success")
                return redirect(url_for("decisions.detail", dossier_id=dossier.id))
        db.session.rollback()
        dossier = load(dossier_id)
    return render_template(
        "decisions/deliberation_form.html",
        form=form,
        dossier=dossier,
        still_open=queries.open_consultations(dossier),
        suggestions=_deciding_bodies(),
    )
