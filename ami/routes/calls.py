"""Calls: the reference lists and the calls' management (EPCI), the public pages."""

from __future__ import annotations

import math
from datetime import time

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ami import queries
from ami.forms.calls import CallForm, PublishForm, QpvForm, RemoveForm, ThemeForm
from ami.messages import bonus_kind_labels, error_message, status_labels
from ami.models import ApplicationStatus, BonusKind
from ami.routes import bp
from ami.routes.common import load_call
from ami.services import calls as services
from ami.services.common import AmiError
from app.access import can, permission_required
from app.db import db, utcnow
from app.i18n import _
from app.paris import paris_to_utc, to_paris
from app.sanitize import text_to_html
from app.uploads.services import UploadError, send, store

END_OF_DAY = time(23, 59)


# --- reference lists --------------------------------------------------------------------------


def _find(items, raw_id):
    try:
        wanted = int(raw_id)
    except (TypeError, ValueError):
        return None
    return next((item for item in items if item.id == wanted), None)


@bp.route("/gestion/thematiques", methods=["GET", "POST"])
@permission_required("ami.manage")
def themes():
    org = g.organisation
    items = services.themes_of(org)
    form = ThemeForm(prefix="new")
    action = request.form.get("action")
    if request.method == "POST" and action in ("update", "remove"):
        return _change_theme(items, action)
    if form.validate_on_submit():
        try:
            services.add_theme(current_user, org, form.name.data, form.position.data)
            db.session.commit()
        except (AmiError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors.append(error_message(_as_ami(exc, "theme_exists")))
        else:
            flash(_("Thématique ajoutée."), "success")
            return redirect(url_for("ami.themes"))
    return render_template(
        "ami/calls/themes.html",
        themes=items,
        form=form,
        edit_forms={t.id: ThemeForm(prefix=f"t{t.id}", obj=t) for t in items},
        remove_form=RemoveForm(),
    )


def _as_ami(exc, code: str) -> AmiError:
    return exc if isinstance(exc, AmiError) else AmiError(code)


def _change_theme(items, action: str):
    if action == "remove":
        form = RemoveForm()
        theme = _find(items, form.item_id.data) if form.validate_on_submit() else None
        if theme is None:
            abort(404)
        try:
            services.remove_theme(current_user, g.organisation, theme)
            db.session.commit()
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            flash(_("Thématique supprimée."), "success")
        return redirect(url_for("ami.themes"))
    theme = _find(items, request.form.get("theme_id"))
    if theme is None:
        abort(404)
    form = ThemeForm(prefix=f"t{theme.id}")
    if form.validate_on_submit():
        try:
            services.update_theme(
                current_user,
                g.organisation,
                theme,
                form.name.data,
                form.position.data if form.position.data is not None else theme.position,
            )
            db.session.commit()
        except (AmiError, IntegrityError) as exc:
            db.session.rollback()
            flash(error_message(_as_ami(exc, "theme_exists")), "error")
        else:
            flash(_("Thématique modifiée."), "success")
    else:
        flash(_("Indiquez le nom de la thématique."), "error")
    return redirect(url_for("ami.themes"))


@bp.route("/gestion/qpv", methods=["GET", "POST"])
@permission_required("ami.manage")
def qpvs():
    org = g.organisation
    items = services.qpvs_of(org)
    communes = list(org.communes)
    action = request.form.get("action")
    if request.method == "POST" and action in ("update", "remove"):
        return _change_qpv(items, communes, action)
    form = QpvForm(prefix="new")
    form.fill_choices(communes)
    if form.validate_on_submit():
        commune = _find(communes, form.commune_id.data)
        try:
            services.add_qpv(current_user, org, form.name.data, form.code.data, commune)
            db.session.commit()
        except (AmiError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors.append(error_message(_as_ami(exc, "qpv_exists")))
        else:
            flash(_("QPV ajouté."), "success")
            return redirect(url_for("ami.qpvs"))
    edit_forms = {}
    for qpv in items:
        edit = QpvForm(prefix=f"q{qpv.id}", obj=qpv)
        edit.fill_choices(communes)
        edit_forms[qpv.id] = edit
    return render_template(
        "ami/calls/qpvs.html",
        qpvs=items,
        form=form,
        edit_forms=edit_forms,
        remove_form=RemoveForm(),
    )


def _change_qpv(items, communes, action: str):
    if action == "remove":
        form = RemoveForm()
        qpv = _find(items, form.item_id.data) if form.validate_on_submit() else None
        if qpv is None:
            abort(404)
        try:
            services.remove_qpv(current_user, g.organisation, qpv)
            db.session.commit()
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            flash(_("QPV supprimé."), "success")
        return redirect(url_for("ami.qpvs"))
    qpv = _find(items, request.form.get("qpv_id"))
    if qpv is None:
        abort(404)
    form = QpvForm(prefix=f"q{qpv.id}")
    form.fill_choices(communes)
    if form.validate_on_submit():
        try:
            services.update_qpv(
                current_user,
                g.organisation,
                qpv,
                form.name.data,
                form.code.data,
                _find(communes, form.commune_id.data),
            )
            db.session.commit()
        except (AmiError, IntegrityError) as exc:
            db.session.rollback()
            flash(error_message(_as_ami(exc, "qpv_exists")), "error")
        else:
            flash(_("QPV modifié."), "success")
    else:
        flash(_("Vérifiez le nom et le code du QPV."), "error")
    return redirect(url_for("ami.qpvs"))


# --- calls (EPCI) -----------------------------------------------------------------------------


@bp.get("/gestion/")
@permission_required("ami.manage")
def manage_calls():
    calls = queries.calls_of(g.organisation)
    counts = services.application_counts(c.id for c in calls)
    return render_template(
        "ami/calls/manage_calls.html",
        calls=calls,
        counts=counts,
        statuses=list(ApplicationStatus),
        now=utcnow(),
    )


def _form_data(call) -> dict:
    opens, closes = to_paris(call.opens_at), to_paris(call.closes_at)
    return {
        "year": call.year,
        "title": call.title,
        "specification": call.specification,
        "theme_ids": [t.id for t in call.themes],
        "opens_on": opens.date(),
        "opens_time": opens.time().replace(second=0, microsecond=0),
        "closes_on": closes.date(),
        "closes_time": closes.time().replace(second=0, microsecond=0),
        "envelope": _euros(call.budget_envelope_cents),
        "base_rate": call.base_rate,
        "ceiling": _euros(call.ceiling_cents),
        "blank_page_enabled": call.blank_page_enabled,
        "blank_page_ceiling": _euros(call.blank_page_ceiling_cents),
        "co_funders": [
            {"id": c.id, "name": c.name, "amount": _euros(c.amount_cents)} for c in call.co_funders
        ],
        "bonus_rules": [
            {
                "id": b.id,
                "kind": str(b.kind),
                "label": b.label,
                "rate": b.rate,
                "threshold": b.threshold,
                "theme_id": b.theme_id,
            }
            for b in call.bonus_rules
        ],
        "criteria": [
            {
                "id": c.id,
                "label": c.label,
                "description": c.description,
                "weight": c.weight,
                "position": c.position + 1,
            }
            for c in call.criteria
        ],
    }


def _euros(cents):
    from ami.rules import cents_to_euros

    return cents_to_euros(cents)


def _call_data(form: CallForm, themes, upload) -> services.CallData:
    chosen = set(form.theme_ids.data or [])
    return services.CallData(
        year=form.year.data,
        title=form.title.data,
        specification=text_to_html(form.specification.data or ""),
        opens_at=paris_to_utc(form.opens_on.data, form.opens_time.data or time(0, 0)),
        closes_at=paris_to_utc(form.closes_on.data, form.closes_time.data or END_OF_DAY),
        budget_envelope_cents=form.envelope.cents or 0,
        base_rate=form.base_rate.data,
        ceiling_cents=form.ceiling.cents or 0,
        blank_page_enabled=bool(form.blank_page_enabled.data),
        blank_page_ceiling_cents=form.blank_page_ceiling.cents or 0,
        themes=[t for t in themes if t.id in chosen],
        specification_file=upload,
        remove_specification_file=bool(form.remove_specification_file.data),
        **form.rows(),
    )


def _stored_upload(form: CallForm):
    """The PDF sent with the form, stored; None when none was sent. Errors go on the field."""
    upload = form.specification_file.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return store(upload, g.organisation.id, current_user.id, allowed=frozenset({"pdf"}))
    except UploadError as exc:
        if exc.code == "too_large":
            form.specification_file.errors.append(_("Le fichier est trop volumineux."))
        else:
            form.specification_file.errors.append(_("Le cahier des charges doit être un PDF."))
        raise


def _save_call(form: CallForm, themes, call=None):
    """Validate and save; the call on success, None (errors on the form) otherwise."""
    if not form.validate_on_submit():
        return None
    try:
        upload = _stored_upload(form)
        data = _call_data(form, themes, upload)
        if call is None:
            call = services.create_call(current_user, g.organisation, data)
        else:
            services.update_call(current_user, call, data)
        db.session.commit()
    except UploadError:
        db.session.rollback()
        return None
    except AmiError as exc:
        db.session.rollback()
        form.form_errors.append(error_message(exc))
        return None
    return call


def _render_call_form(form, call=None, status: int = 200):
    locked = call is not None and services.rules_locked(call)
    scored = call is not None and services.criteria_scored(call)
    return (
        render_template(
            "ami/calls/call_form.html",
            form=form,
            call=call,
            rules_locked=locked,
            criteria_scored=scored,
        ),
        status,
    )


@bp.route("/gestion/appels/nouveau", methods=["GET", "POST"])
@permission_required("ami.manage")
def call_new():
    themes = services.themes_of(g.organisation)
    if request.method == "GET":
        form = CallForm(
            data={
                "year": utcnow().year,
                "base_rate": 50,
                "theme_ids": [t.id for t in themes],
            }
        )
        form.pad(3)
    else:
        form = CallForm()
    form.fill_choices(themes)
    call = _save_call(form, themes)
    if call is not None:
        flash(_("Appel créé. Publiez-le quand il est prêt."), "success")
        return redirect(url_for("ami.call_manage", call_id=call.id))
    return _render_call_form(form, status=422 if request.method == "POST" else 200)


@bp.route("/gestion/appels/<int:call_id>/modifier", methods=["GET", "POST"])
@permission_required("ami.manage")
def call_edit(call_id: int):
    call = load_call(call_id)
    themes = services.themes_of(g.organisation)
    if request.method == "GET":
        form = CallForm(data=_form_data(call))
        form.pad(2)
    else:
        form = CallForm()
    form.fill_choices(themes)
    if _save_call(form, themes, call) is not None:
        flash(_("Appel enregistré."), "success")
        return redirect(url_for("ami.call_manage", call_id=call.id))
    if request.method == "POST":
        db.session.expire_all()
        call = load_call(call_id)
    return _render_call_form(form, call, status=422 if request.method == "POST" else 200)


@bp.get("/gestion/appels/<int:call_id>")
@permission_required("ami.manage")
def call_manage(call_id: int):
    call = load_call(call_id)
    counts = services.application_counts([call.id]).get(call.id, {})
    return render_template(
        "ami/calls/call_manage.html",
        call=call,
        counts=counts,
        statuses=list(ApplicationStatus),
        publish_form=PublishForm(),
        open_now=services.is_open(call),
        now=utcnow(),
        rules=_rules_in_words(call),
    )


@bp.post("/gestion/appels/<int:call_id>/publier")
@permission_required("ami.manage")
def call_publish(call_id: int):
    call = load_call(call_id)
    if PublishForm().validate_on_submit():
        try:
            services.publish_call(current_user, call)
            db.session.commit()
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            flash(_("L'appel est publié : les associations peuvent le consulter."), "success")
    return redirect(url_for("ami.call_manage", call_id=call.id))


# --- public pages -----------------------------------------------------------------------------


def days_left(call, now) -> int:
    return max(0, math.ceil((call.closes_at - now).total_seconds() / 86400))


@bp.get("/")
def calls_public():
    now = utcnow()
    calls = services.published_calls(g.organisation)
    open_calls = sorted((c for c in calls if c.closes_at > now), key=lambda c: (c.closes_at, c.id))
    closed = [c for c in calls if c.closes_at <= now]
    return render_template(
        "ami/calls/calls_public.html",
        open_calls=open_calls,
        closed_calls=closed,
        now=now,
        days_left=days_left,
    )


def _visible_call(call_id: int):
    call = load_call(call_id, action=None)
    if call.published_at is None and not can(current_user, "ami.manage", call):
        abort(404)
    return call


def _rules_in_words(call) -> list[str]:
    themes = {t.id: t.name for t in call.themes}
    lines = [_("Taux de base : %(rate)d %% du budget de l'action.", rate=call.base_rate)]
    for rule in call.bonus_rules:
        if rule.kind is BonusKind.WOMEN_SHARE:
            text = _(
                "%(rate)d %% si le public est majoritairement féminin (au moins %(n)d %% de "
                "femmes).",
                rate=rule.rate,
                n=rule.threshold,
            )
        elif rule.kind is BonusKind.COOPERATION:
            text = _(
                "%(rate)d %% si au moins %(n)d associations portent l'action ensemble.",
                rate=rule.rate,
                n=rule.threshold,
            )
        elif rule.kind is BonusKind.QPV_COUNT:
            text = _(
                "%(rate)d %% si l'action touche au moins %(n)d quartiers prioritaires.",
                rate=rule.rate,
                n=rule.threshold,
            )
        else:
            text = _(
                "%(rate)d %% pour la thématique « %(theme)s ».",
                rate=rule.rate,
                theme=themes.get(rule.theme_id, rule.label),
            )
        lines.append(f"{rule.label} : {text}" if rule.label else text)
    return lines


@bp.get("/appels/<int:call_id>")
def call_public(call_id: int):
    call = _visible_call(call_id)
    now = utcnow()
    return render_template(
        "ami/calls/call_public.html",
        call=call,
        now=now,
        open_now=services.is_open(call, now),
        days_left=days_left(call, now),
        rules=_rules_in_words(call),
        kinds=bonus_kind_labels(),
        status_labels=status_labels(),
    )


@bp.get("/appels/<int:call_id>/cahier-des-charges")
def call_specification_file(call_id: int):
    call = _visible_call(call_id)
    if call.specification_file is None:
        abort(404)
    return send(call.specification_file)
