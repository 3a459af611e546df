"""The organisation's communes and visual identity."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user

from app.access import permission_required, require_action
from app.db import db
from app.i18n import _
from app.organisations import permissions  # noqa: F401  (register the rules)
from app.organisations.forms import LOGO_MAX_BYTES, BrandingForm
from app.organisations.queries import communes_of
from app.organisations.rules import HEX_COLOUR, darker
from app.organisations.services import save_branding
from app.uploads.services import UploadError, store

bp = Blueprint("organisations", __name__)

#: the logo's and the colours' URLs carry a version, so a change shows at once
PUBLIC_MAX_AGE = 24 * 3600


@bp.get("/territoire/communes")
@permission_required("organisation.view_communes")
def communes():
    communes = communes_of(g.organisation)
    total = sum(c.population for c in communes)
    return render_template("organisations/commune_list.html", communes=communes, total=total)


@bp.route("/territoire/identite", methods=["GET", "POST"])
@permission_required("organisation.branding")
def branding():
    org = g.organisation
    require_action("organisation.branding", org)
    current = org.branding
    # data= rather than obj=: the file field must never hold the stored logo
    form = BrandingForm(
        data={"display_name": current.display_name, "accent_colour": current.accent_colour}
        if current
        else None
    )
    if form.validate_on_submit():
        logo = _stored_logo(form)
        if not form.logo.errors:
            save_branding(
                current_user,
                org,
                display_name=form.display_name.data,
                accent_colour=form.accent_colour.data,
                logo=logo,
                remove_logo=bool(form.remove_logo.data),
            )
            db.session.commit()
            flash(_("L'identité visuelle est enregistrée."), "success")
            return redirect(url_for("organisations.branding"))
    return render_template("organisations/branding_edit.html", form=form, branding=current)


def _stored_logo(form):
    """The uploaded logo stored, or None (no file, or refused: the error is on the field)."""
    upload = form.logo.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        return store(
            upload,
            g.organisation.id,
            current_user.id,
            max_bytes=LOGO_MAX_BYTES,
            allowed=frozenset({"png", "jpg"}),
        )
    except UploadError as exc:
        if exc.code == "too_large":
            form.logo.errors.append(_("Le logo dépasse 500 ko : réduisez l'image."))
        elif exc.code == "empty":
            form.logo.errors.append(_("Le fichier est vide."))
        else:
            form.logo.errors.append(_("Le logo doit être une image PNG ou JPEG."))
        return None


@bp.get("/identite/logo")
def logo():
    branding = g.organisation.branding
    if branding is None or branding.logo is None:
        abort(404)
    stored = branding.logo
    path = Path(current_app.config["UPLOAD_DIR"]) / stored.storage_key
    response = send_file(
        path, mimetype=stored.content_type, max_age=PUBLIC_MAX_AGE, conditional=True
    )
    response.cache_control.public = True
    return response


@bp.get("/identite/couleurs.css")
def colours_css():
    branding = g.organisation.branding
    colour = branding.accent_colour if branding else None
    body = ""
    if colour and HEX_COLOUR.match(colour):
        body = f":root {{ --accent: {colour}; --accent-dark: {darker(colour)}; }}\n"
    response = current_app.response_class(body, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    return response
