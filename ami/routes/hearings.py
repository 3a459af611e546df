"""Hearings: the EPCI's slots and schedule, the invitations, and the association's side (its
.ics and its confirmation)."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, url_for
from flask_login import current_user

from ami import hearing_calendar
from ami.forms.hearings import HearingSlotForm, MoveForm, ProposeForm, SlotForm
from ami.messages import error_message
from ami.models import Hearing, HearingSlot
from ami.routes import bp
from ami.routes.common import load_application, load_call
from ami.services import hearings as services
from ami.services.common import AmiError
from ami.services.review import application_link
from app.access import login_required
from app.db import db
from app.i18n import _, ngettext
from app.users.forms import ConfirmForm
from app.web import local_datetime


def _back(call):
    return redirect(url_for("ami.hearings", call_id=call.id))


def slot_label(slot: HearingSlot) -> str:
    label = local_datetime(slot.starts_at, "short")
    return f"{label} — {slot.location}" if slot.location else label


def group_label(hearing: Hearing) -> str:
    theme = hearing.theme.name if hearing.theme else _("Sans thématique")
    when = slot_label(hearing.slot) if hearing.slot else _("sans créneau")
    return _("Groupe %(n)s : %(theme)s (%(when)s)", n=hearing.position, theme=theme, when=when)


def _page(call, slot_form=None, status=200):
    hearings = services.hearings_of(call)
    slots = services.slots_of(call)
    used = {h.slot_id: h for h in hearings if h.slot_id}
    movable = [h for h in hearings]
    move_form = MoveForm()
    move_form.fill_choices(movable, group_label)
    slot_forms = {}
    for hearing in hearings:
        form = HearingSlotForm(prefix=f"h{hearing.id}")
        form.fill_choices(
            [s for s in slots if s.id not in used or used[s.id].id == hearing.id], slot_label
        )
        form.slot_id.data = hearing.slot_id
        slot_forms[hearing.id] = form
    return render_template(
        "ami/hearings/index.html",
        call=call,
        hearings=hearings,
        slots=slots,
        used=used,
        unplaced=services.unplaced(call),
        slot_form=slot_form or SlotForm(),
        propose_form=ProposeForm(),
        move_form=move_form,
        slot_forms=slot_forms,
        confirm=ConfirmForm(),
        replaceable=sum(not services.is_invited(h) for h in hearings),
        to_invite=sum(
            1
            for h in hearings
            if h.slot is not None
            for a in h.applications
            if a.hearing_invited_at is None and a.status == "eligible"
        ),
        is_invited=services.is_invited,
    ), status


@bp.get("/gestion/appels/<int:call_id>/auditions")
@login_required
def hearings(call_id: int):
    return _page(load_call(call_id))


@bp.post("/gestion/appels/<int:call_id>/auditions/creneaux")
@login_required
def hearing_slot_add(call_id: int):
    call = load_call(call_id)
    form = SlotForm()
    if not form.validate_on_submit():
        return _page(call, form, 422)
    try:
        services.add_slot(
            current_user,
            call,
            hearing_calendar.paris_to_utc(form.day.data, form.starts.data),
            hearing_calendar.paris_to_utc(form.day.data, form.ends.data),
            form.location.data,
        )
    except AmiError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return _page(call, form, 422)
    db.session.commit()
    flash(_("Créneau ajouté."), "success")
    return _back(call)


@bp.post("/gestion/appels/<int:call_id>/auditions/creneaux/<int:slot_id>/supprimer")
@login_required
def hearing_slot_remove(call_id: int, slot_id: int):
    call = load_call(call_id)
    slot = db.session.get(HearingSlot, slot_id)
    if slot is None or slot.call_id != call.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_slot(current_user, call, slot)
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Créneau supprimé."), "success")
    return _back(call)


@bp.post("/gestion/appels/<int:call_id>/auditions/proposer")
@login_required
def hearings_propose(call_id: int):
    call = load_call(call_id)
    form = ProposeForm()
    if not form.validate_on_submit():
        return _back(call)
    if services.replaceable_groups(call) and not form.replace.data:
        flash(
            _(
                "Un planning est déjà proposé : cochez la case pour confirmer qu'il sera "
                "remplacé (les groupes déjà invités sont conservés)."
            ),
            "error",
        )
        return _back(call)
    proposal = services.propose(current_user, call)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d groupe d'audition proposé.",
            "%(num)d groupes d'audition proposés.",
            proposal.groups,
        ),
        "success",
    )
    if proposal.missing_slots:
        flash(
            ngettext(
                "Un groupe n'a pas de créneau : ajoutez %(num)d créneau.",
                "%(num)d groupes n'ont pas de créneau : ajoutez %(num)d créneaux.",
                proposal.missing_slots,
            ),
            "warning",
        )
    return _back(call)


@bp.post("/gestion/appels/<int:call_id>/auditions/candidatures/<int:application_id>/deplacer")
@login_required
def hearing_move(call_id: int, application_id: int):
    call = load_call(call_id)
    application = load_application(application_id)
    if application.call_id != call.id:
        abort(404)
    hearings = services.hearings_of(call)
    form = MoveForm()
    form.fill_choices(hearings, group_label)
    if not form.validate_on_submit():
        flash(_("Choisissez un groupe."), "error")
        return _back(call)
    target = next(h for h in hearings if h.id == form.hearing_id.data)
    try:
        alone = services.move(current_user, application, target)
    except AmiError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return _back(call)
    db.session.commit()
    flash(
        _(
            "%(number)s déplacée dans le groupe %(n)s.",
            number=application.number,
            n=target.position,
        ),
        "success",
    )
    for hearing in alone:
        flash(
            _(
                "Le groupe %(n)s n'a plus qu'une candidature : l'association serait auditionnée "
                "seule.",
                n=hearing.position,
            ),
            "warning",
        )
    return _back(call)


@bp.post("/gestion/appels/<int:call_id>/auditions/groupes/<int:hearing_id>/creneau")
@login_required
def hearing_set_slot(call_id: int, hearing_id: int):
    call = load_call(call_id)
    hearing = db.session.get(Hearing, hearing_id)
    if hearing is None or hearing.call_id != call.id:
        abort(404)
    slots = services.slots_of(call)
    form = HearingSlotForm(prefix=f"h{hearing.id}")
    form.fill_choices(slots, slot_label)
    if not form.validate_on_submit():
        flash(_("Choisissez un créneau."), "error")
        return _back(call)
    slot = next((s for s in slots if s.id == form.slot_id.data), None)
    try:
        reinvite = services.set_slot(current_user, hearing, slot)
    except AmiError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return _back(call)
    db.session.commit()
    flash(_("Créneau du groupe %(n)s modifié.", n=hearing.position), "success")
    if reinvite:
        flash(
            _(
                "Des associations de ce groupe avaient été invitées : invitez-les de nouveau "
                "pour leur communiquer le nouvel horaire."
            ),
            "warning",
        )
    return _back(call)


@bp.post("/gestion/appels/<int:call_id>/auditions/inviter")
@login_required
def hearings_invite(call_id: int):
    call = load_call(call_id)
    if ConfirmForm().validate_on_submit():
        invited = services.invite(current_user, call)
        db.session.commit()
        if invited:
            flash(
                ngettext(
                    "%(num)d association invitée à son audition.",
                    "%(num)d associations invitées à leur audition.",
                    invited,
                ),
                "success",
            )
        else:
            flash(
                _("Aucune association à inviter : tous les groupes programmés le sont."), "warning"
            )
    return _back(call)


# --- the association's side -----------------------------------------------------------------


@bp.get("/candidatures/<int:application_id>/audition.ics")
@login_required
def hearing_ics(application_id: int):
    application = load_application(application_id)
    if application.hearing is None or application.hearing.slot is None:
        abort(404)
    link = application_link(g.organisation, application)
    response = make_response(services.ics_for(application, link))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="audition.ics"'
    return response


@bp.post("/candidatures/<int:application_id>/audition/confirmer")
@login_required
def hearing_confirm(application_id: int):
    application = load_application(application_id, "ami.application.edit")
    if ConfirmForm().validate_on_submit():
        try:
            services.confirm(current_user, application)
        except AmiError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Merci : votre présence à l'audition est confirmée."), "success")
    target = _application_page(application)
    return redirect(target)


def _application_page(application) -> str:
    from werkzeug.routing import BuildError

    try:
        return url_for("ami.application_view", application_id=application.id)
    except BuildError:
        return url_for("web.home")
