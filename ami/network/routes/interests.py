"""Mutual interest: mark, withdraw; an association's matches page and the message thread of
each match."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ami.messages import error_message
from ami.network.forms.interests import InterestForm, MessageForm
from ami.network.routes.common import association_or_404, attempt, load_acting
from ami.network.services import interests as services
from ami.network.services.common import NetworkError
from ami.routes import bp
from app.access import can, login_required, require
from app.db import db
from app.extensions import limiter
from app.i18n import _
from app.web.routes import safe_next


def _has_entry_page() -> bool:
    return "ami.directory_entry" in current_app.view_functions


def _back(association, other):
    target = safe_next(request.form.get("next"))
    if target:
        return redirect(target)
    if _has_entry_page():
        return redirect(url_for("ami.directory_entry", association_id=other.id))
    return redirect(url_for("ami.network_matches", association_id=association.id))


def _interest_action(association_id: int, other_id: int, action, message):
    """Run `action(actor, org, mine, other)` (mark or withdraw), flash `message(result, mine,
    other)` when it worked, and go back."""
    mine, other = load_acting(association_id), association_or_404(other_id)
    if not InterestForm().validate_on_submit():
        abort(400)
    attempt(
        lambda: action(current_user, g.organisation, mine, other),
        lambda result: flash(message(result, mine, other), "success"),
    )
    return _back(mine, other)


def _marked(match, mine, other) -> str:
    if match is not None:
        return _(
            "Intérêt réciproque : %(mine)s et %(other)s sont mises en relation. Vous voyez "
            "maintenant leurs coordonnées et pouvez échanger des messages.",
            mine=mine.name,
            other=other.name,
        )
    return _(
        "Votre intérêt pour %(name)s est enregistré. Si elle marque aussi son intérêt "
        "pour %(mine)s, vous serez mises en relation.",
        name=other.name,
        mine=mine.name,
    )


def _withdrawn(ended, mine, other) -> str:
    if ended is not None:
        return _("La mise en relation avec %(name)s a pris fin.", name=other.name)
    return _("Votre intérêt pour %(name)s est retiré.", name=other.name)


@bp.post("/reseau/<int:association_id>/interet/<int:other_id>")
@login_required
@limiter.limit("30 per minute;300 per day", methods=["POST"])
def network_interest(association_id: int, other_id: int):
    return _interest_action(association_id, other_id, services.mark_interest, _marked)


@bp.post("/reseau/<int:association_id>/interet/<int:other_id>/retirer")
@login_required
@limiter.limit("30 per minute;300 per day", methods=["POST"])
def network_interest_withdraw(association_id: int, other_id: int):
    return _interest_action(association_id, other_id, services.withdraw_interest, _withdrawn)


@bp.get("/reseau/<int:association_id>/mises-en-relation")
@login_required
def network_matches(association_id: int):
    mine = load_acting(association_id)
    return render_template(
        "ami/network/interests/matches.html",
        association=mine,
        page=services.matches_page(g.organisation, mine),
        form=InterestForm(),
        entry_page=_has_entry_page(),
    )


def _load_match(mine, match_id: int):
    """The match, if the person may use its thread (403) and it is `mine`'s (404)."""
    match = services.match_in(g.organisation, match_id)
    if match is None:
        abort(404)
    require(can(current_user, "network.thread", match))
    if mine.id not in (match.first_association_id, match.second_association_id):
        abort(404)
    return match


def _person_key() -> str:
    return f"network-message:{current_user.id}"


def _thread_page(mine, match, form, previous_read=None, status=200):
    return (
        render_template(
            "ami/network/interests/thread.html",
            association=mine,
            other=match.other(mine.id),
            match=match,
            messages=services.thread_messages(match),
            form=form,
            interest_form=InterestForm(),
            previous_read=previous_read,
        ),
        status,
    )


@bp.route("/reseau/<int:association_id>/mises-en-relation/<int:match_id>", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute;200 per day", methods=["POST"], key_func=_person_key)
def network_thread(association_id: int, match_id: int):
    mine = load_acting(association_id)
    match = _load_match(mine, match_id)
    here = url_for("ami.network_thread", association_id=mine.id, match_id=match.id)
    form = MessageForm()
    if request.method == "POST":
        if not match.active:
            flash(error_message(NetworkError("match_ended")), "error")
            return redirect(here)
        if form.validate_on_submit():
            try:
                services.post_message(current_user, g.organisation, match, mine, form.body.data)
                db.session.commit()
            except NetworkError as exc:
                db.session.rollback()
                form.body.errors.append(error_message(exc))
            else:
                flash(_("Votre message est envoyé."), "success")
                return redirect(here + "#dernier-message")
        return _thread_page(mine, match, form, services.read_at(match, mine.id), status=422)
    previous = services.mark_read(match, mine.id)
    db.session.commit()
    return _thread_page(mine, match, form, previous_read=previous)
