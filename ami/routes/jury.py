"""The jury: the admin seats its members; members declare their interests and score the
eligible applications, from a computer or a phone during the hearing."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ami import queries
from ami.forms.jury import (
    AddMemberForm,
    DeclarationForm,
    GridForm,
    InviteMemberForm,
    RemoveMemberForm,
    read_grid,
)
from ami.messages import error_message
from ami.models import JuryMember
from ami.routes import bp
from ami.routes.common import jury_case, load_call
from ami.services import jury as services
from ami.services.common import AmiError
from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.i18n import _
from app.users.models import User
from app.users.services import UserError

# --- the admin's side: the call's jury ------------------------------------------------------


def _people_to_seat(org, call) -> list:
    """Id, name and e-mail of the people who may be seated (columns only: a métropole has tens
    of thousands of accounts, whose role memberships the choice list does not need)."""
    seated = select(JuryMember.user_id).where(JuryMember.call_id == call.id)
    return list(
        db.session.execute(
            select(User.id, User.display_name, User.email)
            .where(
                User.organisation_id == org.id,
                User.active.is_(True),
                User.id.not_in(seated),
            )
            .order_by(User.display_name)
        )
    )


@bp.route("/gestion/appels/<int:call_id>/jury", methods=["GET", "POST"])
@login_required
def jury_members(call_id: int):
    call = load_call(call_id)
    add_form = AddMemberForm(prefix="add")
    invite_form = InviteMemberForm(prefix="invite")
    remove_form = RemoveMemberForm(prefix="remove")
    add_form.fill_choices(_people_to_seat(g.organisation, call))
    invite_form.fill_choices()
    if request.method == "POST":
        try:
            done = _jury_members_post(call, add_form, invite_form, remove_form)
        except (AmiError, UserError) as exc:
            db.session.rollback()
            flash(_message(exc), "error")
            return redirect(url_for("ami.jury_members", call_id=call.id))
        if done:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("ami.jury_members", call_id=call.id))
    return render_template(
        "ami/jury/members.html",
        call=call,
        rows=services.members_of(call),
        add_form=add_form,
        invite_form=invite_form,
        remove_form=remove_form,
    )


def _message(exc) -> str:
    if isinstance(exc, AmiError):
        return error_message(exc)
    from app.users.messages import error_message as user_message

    return user_message(exc)


def _jury_members_post(call, add_form, invite_form, remove_form) -> str | None:
    """Run the submitted action; the success message, or None to re-render with errors."""
    if add_form.submit.data:
        if not add_form.validate():
            return None
        person = db.session.get(User, add_form.user_id.data)
        if person is None or person.organisation_id != g.organisation.id:
            abort(404)
        services.add_member(current_user, call, person, add_form.college.data)
        return _("%(name)s siège désormais au jury.", name=person.display_name)
    if invite_form.submit.data:
        if not invite_form.validate():
            return None
        services.invite_member(
            current_user,
            g.organisation,
            call,
            invite_form.email.data,
            invite_form.display_name.data,
            invite_form.college.data,
        )
        return _("Invitation envoyée ; la personne siège au jury.")
    if remove_form.submit.data and remove_form.validate():
        member = db.session.get(JuryMember, int(remove_form.member_id.data or 0))
        if member is None or member.call_id != call.id:
            abort(404)
        services.remove_member(current_user, member)
        return _("Membre retiré du jury.")
    abort(400)


# --- the members' side ----------------------------------------------------------------------


@bp.get("/jury")
@permission_required("ami.jury")
def jury_index():
    return render_template("ami/jury/index.html", seats=services.seats_of(current_user))


def _seat_or_403(call) -> JuryMember:
    seat = queries.jury_seat(call, current_user)
    require(seat is not None)
    return seat


@bp.get("/jury/appels/<int:call_id>")
@permission_required("ami.jury")
def jury_call(call_id: int):
    call = load_call(call_id, action=None)
    seat = _seat_or_403(call)
    applications = services.eligible_applications(call)
    rows = services.my_states(seat, applications, len(call.criteria))
    groups: dict[object, list] = {}
    for row in rows:
        groups.setdefault(row.application.hearing, []).append(row)
    ordered = sorted(groups.items(), key=lambda item: _hearing_order(item[0]))
    return render_template("ami/jury/call.html", call=call, seat=seat, groups=ordered)


def _hearing_order(hearing) -> tuple:
    """Hearings with a slot by time, then the others, then the applications not heard."""
    if hearing is None:
        return (2, "", 0, 0)
    starts = hearing.slot.starts_at.isoformat() if hearing.slot else ""
    return (0 if starts else 1, starts, hearing.position, hearing.id)


def _load_for_jury(application_id: int):
    application = queries.application_in(g.organisation, application_id)
    if application is None:
        abort(404)
    case = jury_case(application)
    require(case.member is not None and can(current_user, "ami.jury.view", case))
    return application, case


@bp.route("/jury/candidatures/<int:application_id>", methods=["GET", "POST"])
@permission_required("ami.jury")
def jury_application(application_id: int):
    application, case = _load_for_jury(application_id)
    seat = case.member
    declaration = services.declaration_of(seat, application)
    declaration_form = DeclarationForm(prefix="decl")
    grid_form = GridForm(prefix="grid")
    criteria = application.call.criteria
    typed, grid_errors = None, {}
    status = 200
    if request.method == "POST" and declaration_form.submit_declaration.data:
        if declaration_form.validate():
            try:
                services.declare(
                    current_user,
                    seat,
                    application,
                    declaration_form.conflict.data == "yes",
                    declaration_form.reason.data or "",
                    utcnow(),
                )
            except AmiError as exc:
                db.session.rollback()
                flash(error_message(exc), "error")
            else:
                db.session.commit()
                flash(_("Déclaration enregistrée."), "success")
            return redirect(url_for("ami.jury_application", application_id=application.id))
        status = 422
    elif request.method == "POST" and grid_form.submit_scores.data:
        require(can(current_user, "ami.jury.score", case))
        if not grid_form.validate():
            abort(400)
        typed, grid_errors = read_grid(criteria, request.form)
        if not grid_errors:
            try:
                services.save_scores(current_user, seat, application, typed, utcnow())
            except AmiError as exc:
                db.session.rollback()
                flash(error_message(exc), "error")
                status = 422
            else:
                db.session.commit()
                flash(_("Vos notes sont enregistrées."), "success")
                return redirect(url_for("ami.jury_application", application_id=application.id))
        else:
            status = 422
    elif request.method == "POST":
        abort(400)
    if declaration is not None and request.method == "GET":
        declaration_form.conflict.data = "yes" if declaration.conflict_of_interest else "no"
        declaration_form.reason.data = declaration.reason
    mine = services.my_scores(seat, application)
    if typed is None:
        typed = {
            c.id: (mine[c.id].value, mine[c.id].comment) if c.id in mine else (None, "")
            for c in criteria
        }
    opened = application.call.deliberation_opened_at is not None
    return (
        render_template(
            "ami/jury/application.html",
            application=application,
            call=application.call,
            seat=seat,
            declaration=declaration,
            declaration_form=declaration_form,
            grid_form=grid_form,
            criteria=criteria,
            typed=typed,
            grid_errors=grid_errors,
            means=services.criterion_means(application) if opened else {},
            opened=opened,
        ),
        status,
    )
