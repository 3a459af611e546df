"""The essaimage day, the EPCI's pages: the days, the invitations, the speed-meeting plan and
its printable sheets (the associations' pages: routes/essaimage.py)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ami.messages import error_message
from ami.network.forms.essaimage import BuildPlanForm, EssaimageDayForm, InviteForm
from ami.network.models import EssaimageInvitation
from ami.network.routes.common import attempt
from ami.network.services import essaimage as services
from ami.network.services.common import NetworkError
from ami.routes import bp
from ami.routes.calls import END_OF_DAY
from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.i18n import _, ngettext
from app.paris import paris_to_utc, to_paris
from app.users.forms import ConfirmForm

#: which field of the day's form shows each schedule problem
PROBLEM_FIELDS = {
    "essaimage_end_before_start": "ends",
    "essaimage_meetings_outside": "meetings_start",
    "essaimage_rounds_too_long": "rounds",
    "essaimage_closing_after_start": "registration_closes_on",
    "essaimage_settings": "rounds",
}


def load_day(day_id: int):
    """The day of the current organisation (404 elsewhere), for its admins (403)."""
    day = services.day_in(g.organisation, day_id)
    if day is None:
        abort(404)
    require(can(current_user, "network.manage", day))
    return day


def _day_page(day_id: int):
    return redirect(url_for("ami.essaimage_day", day_id=day_id))


# --- the days -------------------------------------------------------------------------------


@bp.get("/gestion/essaimage")
@permission_required("network.manage")
def essaimage_manage():
    return render_template(
        "ami/network/essaimage/manage.html", rows=services.days_of(g.organisation), now=utcnow()
    )


def _data(form: EssaimageDayForm) -> services.DayData:
    day = form.day.data
    closes_on = form.registration_closes_on.data
    return services.DayData(
        year=form.year.data,
        title=form.title.data,
        description=form.description.data or "",
        location=form.location.data or "",
        starts_at=paris_to_utc(day, form.starts.data),
        ends_at=paris_to_utc(day, form.ends.data),
        meetings_start_at=paris_to_utc(day, form.meetings_start.data),
        rounds=form.rounds.data,
        round_minutes=form.round_minutes.data,
        table_size=form.table_size.data,
        registration_closes_at=paris_to_utc(closes_on, END_OF_DAY) if closes_on else None,
    )


def _checked(form: EssaimageDayForm) -> services.DayData | None:
    """The form's day when it is valid and its times hold together; else None, with the
    errors next to their fields."""
    if not form.validate_on_submit():
        return None
    data = _data(form)
    problems = services.schedule_problems(data)
    for problem in problems:
        form[PROBLEM_FIELDS[problem.code]].errors.append(error_message(problem))
    form._errors = None
    return None if problems else data


def _form_page(form, day=None):
    status = 422 if request.method == "POST" else 200
    return render_template("ami/network/essaimage/form.html", form=form, day=day), status


@bp.route("/gestion/essaimage/nouveau", methods=["GET", "POST"])
@permission_required("network.manage")
def essaimage_new():
    form = EssaimageDayForm()
    if request.method == "GET":
        form.year.data = utcnow().year
        form.title.data = _("Essaimage %(year)d", year=form.year.data)
    data = _checked(form)
    if data is not None:
        try:
            day = services.create_day(current_user, g.organisation, data)
            db.session.commit()
        except NetworkError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            flash(_("Journée d'essaimage créée : invitez maintenant les associations."), "success")
            return _day_page(day.id)
    return _form_page(form)


def _values(day) -> dict:
    """The day's values as the form shows them (Paris time)."""
    starts, ends = to_paris(day.starts_at), to_paris(day.ends_at)
    meetings = to_paris(day.meetings_start_at or day.starts_at)
    return {
        "year": day.year,
        "title": day.title,
        "description": day.description,
        "location": day.location,
        "day": starts.date(),
        "starts": starts.time().replace(second=0, microsecond=0),
        "ends": ends.time().replace(second=0, microsecond=0),
        "meetings_start": meetings.time().replace(second=0, microsecond=0),
        "rounds": day.rounds,
        "round_minutes": day.round_minutes,
        "table_size": day.table_size,
        "registration_closes_on": (
            to_paris(day.registration_closes_at).date() if day.registration_closes_at else None
        ),
    }


@bp.route("/gestion/essaimage/<int:day_id>/modifier", methods=["GET", "POST"])
@login_required
def essaimage_edit(day_id: int):
    day = load_day(day_id)
    form = EssaimageDayForm(data=_values(day)) if request.method == "GET" else EssaimageDayForm()
    data = _checked(form)
    if data is not None:
        try:
            cleared = services.update_day(current_user, g.organisation, day, data)
            db.session.commit()
        except NetworkError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
            day = load_day(day_id)
        else:
            flash(_("Journée d'essaimage enregistrée."), "success")
            if cleared:
                flash(
                    _(
                        "Le nombre de tours ou la taille des tables a changé : le plan des "
                        "rencontres a été retiré, construisez-le de nouveau."
                    ),
                    "warning",
                )
            return _day_page(day.id)
    return _form_page(form, day)


def _admin_page(day, invite_form=None, status=200):
    org = g.organisation
    invite_form = invite_form or InviteForm(formdata=None)
    invite_form.fill_choices(services.others_to_invite(org, day))
    stored = services.stored_plan(org, day)
    return render_template(
        "ami/network/essaimage/day.html",
        day=day,
        invitations=services.invitations_of(day),
        invite_form=invite_form,
        confirm=ConfirmForm(),
        plan_form=BuildPlanForm(),
        stored=stored,
        closes_at=services.registration_closes(day),
        now=utcnow(),
        is_registered=services.is_registered,
    ), status


@bp.get("/gestion/essaimage/<int:day_id>")
@login_required
def essaimage_day(day_id: int):
    return _admin_page(load_day(day_id))


# --- invitations ----------------------------------------------------------------------------


def _flash_invited(invitations) -> None:
    if invitations:
        flash(
            ngettext(
                "%(num)d association invitée : ses membres ont reçu l'invitation par e-mail.",
                "%(num)d associations invitées : leurs membres ont reçu l'invitation par e-mail.",
                len(invitations),
            ),
            "success",
        )
    else:
        flash(_("Aucune nouvelle association à inviter."), "warning")


@bp.post("/gestion/essaimage/<int:day_id>/inviter-financees")
@login_required
def essaimage_invite_funded(day_id: int):
    day = load_day(day_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attempt(lambda: services.invite_funded(current_user, g.organisation, day), _flash_invited)
    return _day_page(day.id)


@bp.post("/gestion/essaimage/<int:day_id>/inviter")
@login_required
def essaimage_invite(day_id: int):
    day = load_day(day_id)
    candidates = services.others_to_invite(g.organisation, day)
    form = InviteForm()
    form.fill_choices(candidates)
    if not form.validate_on_submit():
        return _admin_page(day, form, 422)
    chosen_ids = set(form.association_ids.data)
    chosen = [a for a in candidates if a.id in chosen_ids]
    attempt(
        lambda: services.invite_chosen(current_user, g.organisation, day, chosen), _flash_invited
    )
    return _day_page(day.id)


@bp.post("/gestion/essaimage/<int:day_id>/invitations/<int:invitation_id>/retirer")
@login_required
def essaimage_uninvite(day_id: int, invitation_id: int):
    day = load_day(day_id)
    invitation = db.session.get(EssaimageInvitation, invitation_id)
    if invitation is None or invitation.day_id != day.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = invitation.association.name
    attempt(
        lambda: services.uninvite(current_user, g.organisation, day, invitation),
        lambda _none: flash(_("L'invitation de %(name)s est retirée.", name=name), "success"),
    )
    return _day_page(day.id)


# --- the plan -------------------------------------------------------------------------------


@bp.post("/gestion/essaimage/<int:day_id>/plan")
@login_required
def essaimage_build_plan(day_id: int):
    day = load_day(day_id)
    form = BuildPlanForm()
    if not form.validate_on_submit():
        abort(400)
    if day.plan_built_at is not None and not form.replace.data:
        flash(
            _(
                "Un plan est déjà construit : cochez la case pour confirmer qu'il sera remplacé "
                "et envoyé de nouveau aux associations."
            ),
            "error",
        )
        return _day_page(day.id)
    attempt(lambda: services.build_plan(current_user, g.organisation, day), _flash_built)
    return _day_page(day.id)


def _flash_built(plan) -> None:
    flash(
        ngettext(
            "Plan construit : %(num)d rencontre. Chaque association inscrite a reçu son "
            "programme par e-mail.",
            "Plan construit : %(num)d rencontres. Chaque association inscrite a reçu son "
            "programme par e-mail.",
            len(plan.pairs()),
        ),
        "success",
    )


def _plan_page(day_id: int, template: str):
    day = load_day(day_id)
    stored = services.stored_plan(g.organisation, day)
    if stored is None:
        flash(_("Le plan des rencontres n'est pas encore construit."), "warning")
        return _day_page(day.id)
    return render_template(template, day=day, stored=stored)


@bp.get("/gestion/essaimage/<int:day_id>/plan/tables")
@login_required
def essaimage_plan_tables(day_id: int):
    return _plan_page(day_id, "ami/network/essaimage/plan_tables.html")


@bp.get("/gestion/essaimage/<int:day_id>/plan/associations")
@login_required
def essaimage_plan_associations(day_id: int):
    return _plan_page(day_id, "ami/network/essaimage/plan_associations.html")
