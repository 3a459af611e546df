"""Associations: sign-up, profile, people (their space), the EPCI's list."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ami.forms.associations import (
    AssociationForm,
    AssociationSignUpForm,
    InviteForm,
    RemovePersonForm,
)
from ami.messages import error_message
from ami.routes import bp
from ami.routes.common import load_association
from ami.rules import valid_rna, valid_siret
from ami.services import associations as services
from ami.services import calls as call_services
from ami.services.common import AmiError
from app.access import login_required, permission_required
from app.db import db
from app.extensions import limiter
from app.i18n import _
from app.users import services as user_services
from app.users.messages import error_message as user_error_message


def _fill(form: AssociationForm):
    org = g.organisation
    themes = call_services.themes_of(org)
    qpvs = call_services.qpvs_of(org)
    communes = list(org.communes)
    form.fill_choices(communes, themes, qpvs)
    return communes, themes, qpvs


def _data(form: AssociationForm, communes, themes, qpvs) -> services.AssociationData:
    theme_ids, qpv_ids = set(form.theme_ids.data or []), set(form.qpv_ids.data or [])
    return services.AssociationData(
        name=form.name.data,
        rna_number=form.rna_number.data or "",
        siret=form.siret.data or "",
        address=form.address.data or "",
        postal_code=form.postal_code.data or "",
        commune=next((c for c in communes if c.id == form.commune_id.data), None),
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        presentation=form.presentation.data or "",
        themes=[t for t in themes if t.id in theme_ids],
        qpvs=[q for q in qpvs if q.id in qpv_ids],
    )


@bp.route("/associations/inscription", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour", methods=["POST"])
def association_signup():
    signed_in = current_user.is_authenticated
    form = AssociationForm() if signed_in else AssociationSignUpForm()
    choices = _fill(form)
    if form.validate_on_submit():
        data = _data(form, *choices)
        try:
            if signed_in:
                association = services.register_association(current_user, g.organisation, data)
            else:
                _user, association = services.sign_up_association(
                    g.organisation,
                    form.email.data,
                    form.display_name.data,
                    form.password.data,
                    data,
                )
            db.session.commit()
        except (AmiError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors.append(
                error_message(
                    exc if isinstance(exc, AmiError) else AmiError("association_name_taken")
                )
            )
        except user_services.UserError as exc:
            db.session.rollback()
            form.password.errors.append(user_error_message(exc))
        else:
            if signed_in:
                flash(
                    _(
                        "L'association %(name)s est enregistrée : vous agissez pour elle.",
                        name=association.name,
                    ),
                    "success",
                )
                return redirect(url_for("ami.association_profile", association_id=association.id))
            return render_template("ami/associations/signup_sent.html", email=form.email.data)
    status = 422 if request.method == "POST" else 200
    return render_template("ami/associations/signup.html", form=form, signed_in=signed_in), status


@bp.route("/associations/<int:association_id>/profil", methods=["GET", "POST"])
@login_required
def association_profile(association_id: int):
    association = load_association(association_id)
    if request.method == "GET":
        form = AssociationForm(obj=association)
        form.commune_id.data = association.commune_id
        form.theme_ids.data = [t.id for t in association.themes]
        form.qpv_ids.data = [q.id for q in association.qpvs]
    else:
        form = AssociationForm()
    choices = _fill(form)
    if form.validate_on_submit():
        try:
            services.update_association(
                current_user, g.organisation, association, _data(form, *choices)
            )
            db.session.commit()
        except (AmiError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors.append(
                error_message(
                    exc if isinstance(exc, AmiError) else AmiError("association_name_taken")
                )
            )
            association = load_association(association_id)
        else:
            flash(_("Profil de l'association enregistré."), "success")
            return redirect(url_for("ami.association_profile", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template("ami/associations/profile.html", form=form, association=association),
        status,
    )


@bp.route("/associations/<int:association_id>/personnes", methods=["GET", "POST"])
@login_required
def association_people(association_id: int):
    association = load_association(association_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            person = services.invite_person(
                current_user, g.organisation, association, form.email.data, form.display_name.data
            )
            db.session.commit()
        except AmiError as exc:
            db.session.rollback()
            form.email.errors.append(error_message(exc))
        except user_services.UserError as exc:
            db.session.rollback()
            form.email.errors.append(user_error_message(exc))
        else:
            flash(
                _("%(name)s peut maintenant agir pour l'association.", name=person.display_name),
                "success",
            )
            return redirect(url_for("ami.association_people", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "ami/associations/people.html",
            association=association,
            people=services.people_of(association),
            form=form,
            remove_form=RemovePersonForm(),
        ),
        status,
    )


@bp.post("/associations/<int:association_id>/personnes/retirer")
@login_required
def association_person_remove(association_id: int):
    association = load_association(association_id)
    form = RemovePersonForm()
    if not form.validate_on_submit():
        abort(400)
    membership = next(
        (m for m in services.people_of(association) if str(m.id) == form.membership_id.data), None
    )
    if membership is None:
        abort(404)
    leaving = membership.user_id == current_user.id
    try:
        services.remove_person(current_user, g.organisation, association, membership)
        db.session.commit()
    except (AmiError, user_services.UserError) as exc:
        db.session.rollback()
        flash(error_message(exc) if isinstance(exc, AmiError) else user_error_message(exc), "error")
    else:
        flash(_("La personne ne représente plus l'association."), "success")
        if leaving:
            return redirect(url_for("ami.calls_public"))
    return redirect(url_for("ami.association_people", association_id=association.id))


@bp.get("/gestion/associations")
@permission_required("ami.manage")
def associations_admin():
    search = (request.args.get("q") or "").strip()[:200]
    rows = services.admin_rows(g.organisation, search)
    return render_template(
        "ami/associations/admin_list.html",
        rows=rows,
        search=search,
        valid_rna=valid_rna,
        valid_siret=valid_siret,
    )
