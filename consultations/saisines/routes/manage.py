"""The EPCI's pages: list, create, edit, open, extend, publish, the live dashboard."""

from __future__ import annotations

from datetime import time

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import permission_required, require_action
from app.db import db, utcnow
from app.i18n import _
from app.organisations.models import Sector
from app.organisations.queries import communes_of
from app.sanitize import text_to_html
from app.uploads import services as uploads
from app.users.forms import ConfirmForm
from app.web import sort_key
from app.web.pagination import Page
from consultations.saisines import queries, rules, services
from consultations.saisines.forms import ExtendForm, SaisineForm
from consultations.saisines.messages import error_message
from consultations.saisines.models import SaisineKind, SaisineStatus, SilenceRule
from consultations.saisines.routes import manage_bp as bp
from consultations.saisines.routes.common import deadline_from, load_managed, store_uploads

PER_PAGE = 30


def _sectors():
    return list(
        db.session.scalars(
            db.select(Sector)
            .where(Sector.organisation_id == g.organisation.id)
            .order_by(Sector.name)
        )
    )


def _targets_from(form, communes) -> list:
    if form.target_mode.data == "list":
        chosen = set(form.communes.data or [])
        return [c for c in communes if c.id in chosen]
    if form.target_mode.data == "sector":
        chosen = set(form.sectors.data or [])
        return [c for c in communes if c.sector_id in chosen]
    return list(communes)


def _data_from(form, communes) -> services.SaisineData:
    return services.SaisineData(
        reference=form.reference.data,
        title=form.title.data,
        description=text_to_html(form.description.data or ""),
        kind=SaisineKind(form.kind.data),
        opens_at=rules.paris_to_utc(form.opens_on.data, form.opens_time.data or time(0, 0)),
        deadline=deadline_from(form.deadline_on.data, form.deadline_time.data),
        silence_rule=SilenceRule(form.silence_rule.data),
        legal_basis=form.legal_basis.data or "",
        target_mode=form.target_mode.data or "all",
        communes=_targets_from(form, communes),
    )


@bp.get("/")
@permission_required("saisines.manage")
def index():
    status = request.args.get("status") or None
    query = queries.admin_list(g.organisation, status)
    try:
        page_number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page_number = 1
    total = queries.count(query)
    page_number = min(page_number, max(1, -(-total // PER_PAGE)))  # at most the last page
    items = queries.summaries(query, PER_PAGE, (page_number - 1) * PER_PAGE)
    page = Page(items, page_number, PER_PAGE, total)
    return render_template(
        "consultations/saisines/saisine_list.html", page=page, status=status, now=utcnow()
    )


@bp.route("/nouvelle", methods=["GET", "POST"])
@permission_required("saisines.manage")
def create():
    communes = communes_of(g.organisation)
    form = SaisineForm()
    form.fill_choices(_sectors(), communes)
    if request.method == "GET":
        form.kind.data = SaisineKind.OPINION.value
        form.silence_rule.data = SilenceRule.NO_OPINION.value
    if form.validate_on_submit():
        stored = store_uploads(form.documents.data, form.documents)
        if not form.documents.errors:
            try:
                saisine = services.create_saisine(
                    current_user, g.organisation, _data_from(form, communes)
                )
                for file in stored:
                    services.add_document(current_user, saisine, file)
            except services.SaisineError as exc:
                flash(error_message(exc), "error")
                db.session.rollback()
            else:
                db.session.commit()
                flash(_("Saisine enregistrée en préparation."), "success")
                return redirect(url_for("saisines.detail", saisine_id=saisine.id))
        else:
            db.session.rollback()
    return render_template("consultations/saisines/saisine_form.html", form=form, saisine=None)


@bp.route("/<int:saisine_id>/modifier", methods=["GET", "POST"])
@permission_required("saisines.manage")
def edit(saisine_id: int):
    saisine = load_managed(saisine_id)
    communes = communes_of(g.organisation)
    form = SaisineForm(obj=saisine)
    form.fill_choices(_sectors(), communes)
    if request.method == "GET":
        opens, deadline = rules.to_paris(saisine.opens_at), rules.to_paris(saisine.deadline)
        form.opens_on.data, form.opens_time.data = opens.date(), opens.time()
        form.deadline_on.data, form.deadline_time.data = deadline.date(), deadline.time()
        form.kind.data, form.silence_rule.data = saisine.kind.value, saisine.silence_rule.value
        form.target_mode.data = saisine.target_mode
        form.communes.data = [t.commune_id for t in saisine.targets]
    if form.validate_on_submit():
        stored = store_uploads(form.documents.data, form.documents)
        if not form.documents.errors:
            try:
                services.update_saisine(current_user, saisine, _data_from(form, communes))
                for file in stored:
                    services.add_document(current_user, saisine, file)
            except services.SaisineError as exc:
                db.session.rollback()
                flash(error_message(exc), "error")
            else:
                db.session.commit()
                flash(_("Saisine mise à jour."), "success")
                return redirect(url_for("saisines.detail", saisine_id=saisine.id))
        else:
            db.session.rollback()
    return render_template(
        "consultations/saisines/saisine_form.html",
        form=form,
        saisine=saisine,
        confirm_form=ConfirmForm(),
    )


SORTS = {
    "commune": lambda r: sort_key(r.commune.name),
    "population": lambda r: -r.commune.population,
    "status": lambda r: r.status.value,
    "submitted": lambda r: (
        r.response is None or r.response.submitted_at is None,
        r.response.submitted_at if r.response else None,
    ),
    "sector": lambda r: (r.sector is None, sort_key(r.sector.name) if r.sector else ""),
}


CHART_WIDTH = 600  # the opinion breakdown's bars, in SVG units (scaled down on a phone)


@bp.get("/<int:saisine_id>")
@permission_required("saisines.manage")
def detail(saisine_id: int):
    saisine = load_managed(saisine_id)
    now = utcnow()
    rows = queries.dashboard(saisine, now)
    tally, sector_tallies = rules.tallies(rows, _("Sans secteur"))
    status_filter = request.args.get("status") or None
    sector_filter = request.args.get("sector") or None
    shown = [
        r
        for r in rows
        if (not status_filter or r.status.value == status_filter)
        and (not sector_filter or (r.sector and str(r.sector.id) == sector_filter))
    ]
    sort = request.args.get("sort", "commune")
    shown.sort(key=SORTS.get(sort, SORTS["commune"]))
    return render_template(
        "consultations/saisines/saisine_detail.html",
        saisine=saisine,
        rows=shown,
        total_rows=len(rows),
        tally=tally,
        opinion_bars=[
            (_("Part des communes"), rules.stacked_shares(tally, CHART_WIDTH)),
            (_("Part de la population"), rules.stacked_shares(tally, CHART_WIDTH, True)),
        ],
        sector_tallies=sector_tallies,
        sectors=_sectors(),
        filters={"status": status_filter, "sector": sector_filter, "sort": sort},
        phase=rules.phase(saisine.status, saisine.opens_at, saisine.deadline, now),
        frozen=services.questionnaire_frozen(saisine),
        confirm=ConfirmForm(),
        now=now,
    )


@bp.post("/<int:saisine_id>/ouvrir")
@permission_required("saisines.manage")
def open_(saisine_id: int):
    saisine = load_managed(saisine_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.open_saisine(current_user, saisine, utcnow())
        except services.SaisineError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            if saisine.notified_at:
                flash(
                    _("Saisine ouverte : les communes consultées sont prévenues par e-mail."),
                    "success",
                )
            else:
                flash(
                    _("Saisine programmée : les communes seront prévenues à son ouverture."),
                    "success",
                )
    return redirect(url_for("saisines.detail", saisine_id=saisine.id))


@bp.route("/<int:saisine_id>/prolonger", methods=["GET", "POST"])
@permission_required("saisines.manage")
def extend(saisine_id: int):
    saisine = load_managed(saisine_id)
    if saisine.status is SaisineStatus.DRAFT:
        abort(404)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            services.extend_deadline(
                current_user,
                saisine,
                deadline_from(form.deadline_on.data, form.deadline_time.data),
                form.reason.data,
                utcnow(),
            )
        except services.SaisineError as exc:
            form.deadline_on.errors.append(error_message(exc))
        else:
            db.session.commit()
            flash(_("Délai prolongé : les communes consultées en sont informées."), "success")
            return redirect(url_for("saisines.detail", saisine_id=saisine.id))
    return render_template("consultations/saisines/saisine_extend.html", form=form, saisine=saisine)


@bp.post("/<int:saisine_id>/publication")
@permission_required("saisines.manage")
def publish(saisine_id: int):
    saisine = load_managed(saisine_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.publish_results(current_user, saisine, request.form.get("publish") == "1")
        except services.SaisineError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(
                _("Résultats communiqués aux communes.")
                if saisine.results_published
                else _("Résultats retirés de la publication."),
                "success",
            )
    return redirect(url_for("saisines.detail", saisine_id=saisine.id))


@bp.post("/<int:saisine_id>/documents/<int:document_id>/supprimer")
@permission_required("saisines.manage")
def remove_document(saisine_id: int, document_id: int):
    saisine = load_managed(saisine_id)
    document = next((d for d in saisine.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_document(current_user, saisine, document)
        except services.SaisineError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Document retiré."), "success")
    return redirect(url_for("saisines.edit", saisine_id=saisine.id))


@bp.get("/<int:saisine_id>/documents/<int:document_id>")
@permission_required("saisines.manage")
def document(saisine_id: int, document_id: int):
    saisine = load_managed(saisine_id)
    document = next((d for d in saisine.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    return uploads.send(document.file)


@bp.get("/<int:saisine_id>/reponses/<insee>")
@permission_required("saisines.manage")
def response(saisine_id: int, insee: str):
    from app.organisations.queries import commune_by_insee

    saisine = load_managed(saisine_id)
    commune = commune_by_insee(g.organisation, insee)
    if commune is None or not queries.is_targeted(saisine, commune):
        abort(404)
    require_action("saisines.manage", saisine)
    return render_template(
        "consultations/saisines/response_view.html",
        saisine=saisine,
        commune=commune,
        response=queries.response_of(saisine, commune),
        target=queries.target_of(saisine, commune),
    )


@bp.get("/<int:saisine_id>/reponses/<insee>/fichiers/<int:attachment_id>")
@permission_required("saisines.manage")
def response_file(saisine_id: int, insee: str, attachment_id: int):
    from app.organisations.queries import commune_by_insee

    saisine = load_managed(saisine_id)
    commune = commune_by_insee(g.organisation, insee)
    response = queries.response_of(saisine, commune) if commune else None
    attachment = next(
        (a for a in (response.attachments if response else []) if a.id == attachment_id), None
    )
    if attachment is None:
        abort(404)
    return uploads.send(attachment.file)
