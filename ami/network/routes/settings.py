"""The network's settings (EPCI): who may read the directory and what an association learns of
an interest per call, and the shared list of tags."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ami import queries as ami_queries
from ami.messages import error_message
from ami.network import queries
from ami.network.forms.directory import (
    ButtonForm,
    NetworkSettingsForm,
    TagForm,
    TagUpdateForm,
)
from ami.network.services import settings as services
from ami.network.services.common import NetworkError
from ami.routes import bp
from app.access import can, login_required, require
from app.db import db
from app.i18n import _, ngettext


def _require_manage():
    settings = queries.settings_of(g.organisation)
    require(can(current_user, "network.manage", settings))
    return settings


# --- the network's settings (EPCI) -----------------------------------------------------------


def _settings_initial(settings, calls) -> dict:
    return {
        "directory_visibility": str(settings.directory_visibility),
        "calls": [{"call_id": c.id, "disclosure": str(c.interest_disclosure)} for c in calls],
    }


@bp.route("/gestion/reseau", methods=["GET", "POST"])
@login_required
def network_settings():
    org = g.organisation
    settings = _require_manage()
    calls = ami_queries.calls_of(org)
    if request.method == "GET":
        form = NetworkSettingsForm(data=_settings_initial(settings, calls))
    else:
        form = NetworkSettingsForm()
    if form.validate_on_submit():
        disclosures = {
            row.form.call_id.data: row.form.disclosure.data
            for row in form.calls
            if row.form.call_id.data is not None
        }
        services.save_settings(current_user, org, form.directory_visibility.data, disclosures)
        db.session.commit()
        flash(_("Réglages du réseau enregistrés."), "success")
        return redirect(url_for("ami.network_settings"))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "ami/network/directory/settings.html",
            form=form,
            calls={c.id: c for c in calls},
        ),
        status,
    )


# --- tags (EPCI) -----------------------------------------------------------------------------


def _tag_forms(tags, submitted=None) -> dict:
    """One rename form per tag, filled from the tag, except the one just submitted."""
    forms = {}
    for tag in tags:
        if submitted is not None and tag.id == submitted.tag_id.data:
            forms[tag.id] = submitted
        else:
            forms[tag.id] = TagUpdateForm(
                formdata=None, prefix=f"t{tag.id}", obj=tag, tag_id=tag.id
            )
    return forms


def _render_tags(tags, form, submitted=None, status=200):
    return (
        render_template(
            "ami/network/directory/tags.html",
            tags=tags,
            form=form,
            edit_forms=_tag_forms(tags, submitted),
            button_form_token=ButtonForm(formdata=None),
            default_tags=services.DEFAULT_TAGS,
        ),
        status,
    )


@bp.route("/gestion/reseau/etiquettes", methods=["GET", "POST"])
@login_required
def network_tags():
    org = g.organisation
    _require_manage()
    tags = queries.tags_of(org)
    if request.method == "POST" and request.form.get("action") == "update":
        return _update_tag(tags)
    form = TagForm(prefix="new")
    if form.validate_on_submit():
        try:
            tag = services.add_tag(current_user, org, form.name.data, form.position.data)
            db.session.commit()
        except (NetworkError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors.append(error_message(_as_network(exc)))
        else:
            flash(_("Étiquette « %(name)s » ajoutée.", name=tag.name), "success")
            return redirect(url_for("ami.network_tags"))
    if request.method == "POST":
        return _render_tags(queries.tags_of(org), form, status=422)
    return _render_tags(tags, form)


def _as_network(exc) -> NetworkError:
    return exc if isinstance(exc, NetworkError) else NetworkError("tag_exists")


def _update_tag(tags):
    try:
        tag_id = int(request.form.get("tag_id", ""))
    except ValueError:
        abort(404)
    tag = next((t for t in tags if t.id == tag_id), None)
    if tag is None:
        abort(404)
    form = TagUpdateForm(prefix=f"t{tag.id}")
    form.tag_id.data = tag.id
    if form.validate_on_submit():
        try:
            services.rename_tag(
                current_user, g.organisation, tag, form.name.data, form.position.data
            )
            db.session.commit()
        except (NetworkError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors.append(error_message(_as_network(exc)))
        else:
            flash(_("Étiquette « %(name)s » enregistrée.", name=tag.name), "success")
            return redirect(url_for("ami.network_tags"))
    tags = queries.tags_of(g.organisation)
    return _render_tags(tags, TagForm(prefix="new", formdata=None), form, status=422)


@bp.post("/gestion/reseau/etiquettes/<int:tag_id>/supprimer")
@login_required
def network_tag_delete(tag_id: int):
    org = g.organisation
    tag = services.tag_in(org, tag_id)
    if tag is None:
        abort(404)
    require(can(current_user, "network.manage", tag))
    if not ButtonForm().validate_on_submit():
        abort(400)
    name = tag.name
    services.delete_tag(current_user, org, tag)
    db.session.commit()
    flash(
        _("Étiquette « %(name)s » supprimée (et retirée des fiches de l'annuaire).", name=name),
        "success",
    )
    return redirect(url_for("ami.network_tags"))


@bp.post("/gestion/reseau/etiquettes/defaut")
@login_required
def network_tags_defaults():
    org = g.organisation
    _require_manage()
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        tags = services.add_default_tags(current_user, org)
        db.session.commit()
    except (NetworkError, IntegrityError) as exc:
        db.session.rollback()
        flash(
            error_message(
                _as_network(exc)
                if isinstance(exc, NetworkError)
                else NetworkError("tags_not_empty")
            ),
            "error",
        )
    else:
        flash(
            ngettext("%(num)d étiquette ajoutée.", "%(num)d étiquettes ajoutées.", len(tags)),
            "success",
        )
    return redirect(url_for("ami.network_tags"))
