"""The members' administration: list, invite, roles, deactivation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import can, login_required, permission_required, require
from app.db import db
from app.forms import options
from app.i18n import _
from app.organisations.queries import commune_in, communes_of
from app.users import queries, services
from app.users.forms import AddRoleForm, ConfirmForm, InviteForm, role_choices
from app.users.messages import error_message
from app.users.models import Role
from app.web.converters import db_int
from app.web.pagination import paginate

bp = Blueprint("users", __name__, url_prefix="/admin/membres")


def _fill_role_choices(form) -> None:
    org = g.organisation
    form.role.choices = role_choices()
    form.commune_id.choices = options(
        [("", _("— Aucune —"))] + [(c.id, f"{c.name} ({c.insee_code})") for c in communes_of(org)]
    )
    form.association_id.choices = options(
        [("", _("— Aucune —"))] + [(a.id, a.name) for a in queries.associations_of(org)]
    )


def _load_member(user_id: int):
    member = queries.member_in(g.organisation, user_id)
    if member is None:
        abort(404)
    require(can(current_user, "members.manage", member))
    return member


@bp.get("/")
@permission_required("members.manage")
def index():
    org = g.organisation
    filters = {
        "role": request.args.get("role") or None,
        "commune_id": request.args.get("commune", type=db_int),
        "search": request.args.get("q") or None,
        "status": request.args.get("status") or None,
    }
    page = paginate(queries.members_query(org, **filters), per_page=50)
    association_ids = {m.association_id for u in page.items for m in u.memberships}
    return render_template(
        "users/member_list.html",
        page=page,
        filters=filters,
        communes=communes_of(org),
        roles=role_choices(),
        association_names=queries.association_names(association_ids - {None}),
    )


@bp.route("/inviter", methods=["GET", "POST"])
@permission_required("members.manage")
def invite():
    form = InviteForm(role=request.args.get("role"), commune_id=request.args.get("commune"))
    _fill_role_choices(form)
    if form.validate_on_submit():
        org = g.organisation
        try:
            user = services.invite(
                current_user,
                org,
                form.email.data,
                form.display_name.data,
                Role(form.role.data),
                commune=commune_in(org, form.commune_id.data),
                association=queries.association_in(org, form.association_id.data),
            )
        except services.UserError as exc:
            field = {
                "commune_required": form.commune_id,
                "association_required": form.association_id,
            }
            field.get(exc.code, form.role).errors.append(error_message(exc))
        else:
            db.session.commit()
            flash(_("Invitation envoyée à %(email)s.", email=user.email), "success")
            return redirect(url_for("users.detail", user_id=user.id))
    return render_template("users/member_invite.html", form=form)


@bp.get("/<int:user_id>")
@login_required
def detail(user_id: int):
    member = _load_member(user_id)
    form = AddRoleForm()
    _fill_role_choices(form)
    names = queries.association_names({m.association_id for m in member.memberships} - {None})
    return render_template(
        "users/member_detail.html",
        member=member,
        form=form,
        confirm=ConfirmForm(),
        association_names=names,
    )


@bp.post("/<int:user_id>/roles")
@login_required
def add_role(user_id: int):
    member = _load_member(user_id)
    form = AddRoleForm()
    _fill_role_choices(form)
    if form.validate_on_submit():
        org = g.organisation
        try:
            services.add_role(
                current_user,
                member,
                Role(form.role.data),
                commune=commune_in(org, form.commune_id.data),
                association=queries.association_in(org, form.association_id.data),
            )
        except services.UserError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Rôle ajouté."), "success")
            return redirect(url_for("users.detail", user_id=member.id))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    names = queries.association_names({m.association_id for m in member.memberships} - {None})
    return render_template(
        "users/member_detail.html",
        member=member,
        form=form,
        confirm=ConfirmForm(),
        association_names=names,
    ), 400


@bp.post("/<int:user_id>/roles/<int:membership_id>/retirer")
@login_required
def remove_role(user_id: int, membership_id: int):
    member = _load_member(user_id)
    membership = queries.membership_of(member, membership_id)
    if membership is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_role(current_user, membership)
        except services.UserError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Rôle retiré."), "success")
    return redirect(url_for("users.detail", user_id=member.id))


@bp.post("/<int:user_id>/activation")
@login_required
def set_active(user_id: int):
    member = _load_member(user_id)
    active = request.form.get("active") == "1"
    if ConfirmForm().validate_on_submit():
        try:
            services.set_active(current_user, member, active)
        except services.UserError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Compte réactivé.") if active else _("Compte désactivé."), "success")
    return redirect(url_for("users.detail", user_id=member.id))


@bp.post("/<int:user_id>/invitation")
@login_required
def resend_invitation(user_id: int):
    member = _load_member(user_id)
    if ConfirmForm().validate_on_submit() and member.password_hash is None:
        services.resend_invitation(current_user, member)
        db.session.commit()
        flash(_("Invitation renvoyée à %(email)s.", email=member.email), "success")
    return redirect(url_for("users.detail", user_id=member.id))
