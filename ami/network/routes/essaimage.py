"""The essaimage day, the association's pages: its invitations and its answer, its .ics and
its plan (the EPCI's pages: routes/essaimage_manage.py)."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, url_for
from flask_login import current_user

from ami.network.forms.essaimage import ResponseForm
from ami.network.models import EssaimageInvitation
from ami.network.routes.common import attempt, load_acting
from ami.network.services import essaimage as services
from ami.routes import bp
from app.access import login_required
from app.db import utcnow
from app.i18n import _, ngettext


def load_invitation(association, day_id: int) -> EssaimageInvitation:
    """The association's invitation to a day of the organisation (404 when not invited)."""
    day = services.day_in(g.organisation, day_id)
    invitation = services.invitation_of(day, association) if day else None
    if invitation is None:
        abort(404)
    return invitation


def _response_form(invitation, submitted: bool = False) -> ResponseForm:
    """The answer form of one invitation (prefixed: the page holds one per day); unsubmitted,
    it shows the current answer."""
    prefix = f"d{invitation.day_id}"
    if submitted:
        return ResponseForm(prefix=prefix)
    form = ResponseForm(formdata=None, prefix=prefix)
    if services.is_registered(invitation):
        form.answer.data, form.attendees.data = "register", invitation.attendees
    elif invitation.declined_at is not None:
        form.answer.data = "decline"
    return form


def _mine_page(association, failed=None, status=200):
    """The association's invitations; `failed` is (invitation id, form) of a refused answer."""
    invitations = services.invitations_for(g.organisation, association)
    now = utcnow()
    forms = {i.id: _response_form(i) for i in invitations}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "ami/network/essaimage/mine.html",
        association=association,
        upcoming=[i for i in invitations if i.day.ends_at >= now],
        past=[i for i in invitations if i.day.ends_at < now],
        forms=forms,
        now=now,
        closes=services.registration_closes,
        is_registered=services.is_registered,
    ), status


@bp.get("/reseau/<int:association_id>/essaimage")
@login_required
def essaimage_mine(association_id: int):
    return _mine_page(load_acting(association_id))


@bp.post("/reseau/<int:association_id>/essaimage/<int:day_id>/reponse")
@login_required
def essaimage_respond(association_id: int, day_id: int):
    association = load_acting(association_id)
    invitation = load_invitation(association, day_id)
    form = _response_form(invitation, submitted=True)
    if not form.validate_on_submit():
        return _mine_page(association, (invitation.id, form), 422)
    attending = form.answer.data == "register"
    attendees = form.attendees.data if attending else None
    attempt(
        lambda: services.respond(current_user, g.organisation, invitation, attending, attendees),
        lambda _none: _flash_response(invitation, attending),
    )
    return redirect(url_for("ami.essaimage_mine", association_id=association.id))


def _flash_response(invitation, attending: bool) -> None:
    day = invitation.day
    if attending:
        flash(
            ngettext(
                "Inscription enregistrée pour « %(title)s » : %(num)d personne.",
                "Inscription enregistrée pour « %(title)s » : %(num)d personnes.",
                invitation.attendees,
                title=day.title,
            ),
            "success",
        )
    else:
        flash(_("Vous avez décliné l'invitation à « %(title)s ».", title=day.title), "success")


@bp.get("/reseau/<int:association_id>/essaimage/<int:day_id>.ics")
@login_required
def essaimage_ics(association_id: int, day_id: int):
    association = load_acting(association_id)
    invitation = load_invitation(association, day_id)
    response = make_response(services.ics_for(g.organisation, invitation.day, association))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="essaimage.ics"'
    return response


@bp.get("/reseau/<int:association_id>/essaimage/<int:day_id>/plan")
@login_required
def essaimage_my_plan(association_id: int, day_id: int):
    association = load_acting(association_id)
    invitation = load_invitation(association, day_id)
    day = invitation.day
    stored = services.stored_plan(g.organisation, day, with_figures=False)
    return render_template(
        "ami/network/essaimage/my_plan.html",
        association=association,
        invitation=invitation,
        day=day,
        stored=stored,
        rows=stored.rows_of(association.id) if stored else [],
    )
