"""Contributions: co-writing with versions, the members' vote, transmission, the EPCI's
answer."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import submissions
from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.i18n import _
from app.sanitize import text_to_html
from app.users.forms import ConfirmForm
from app.voting import VoteChoice
from app.web.converters import db_int
from participation.council import queries, rules, services
from participation.council.forms import (
    CoAuthorForm,
    ContributionForm,
    EditForm,
    FollowUpForm,
    VoteForm,
)
from participation.council.messages import error_message
from participation.council.models import ContributionStatus
from participation.council.routes import bp
from participation.council.routes.common import back, case_of, load_contribution

# --- writing --------------------------------------------------------------------------------


@bp.route("/espace/contributions/nouvelle", methods=["GET", "POST"])
@permission_required("council.contribute")
def contribution_create():
    form = ContributionForm()
    referrals = [row.referral for row in queries.referrals_of(g.organisation)]
    form.fill_choices(referrals)
    if request.method == "GET":
        form.referral_id.data = request.args.get("saisine", type=db_int)
    if form.validate_on_submit():
        referral = next((r for r in referrals if r.id == form.referral_id.data), None)
        contribution = services.start_contribution(
            current_user,
            g.organisation,
            form.title.data,
            text_to_html(form.body.data or ""),
            referral,
            _("Première version"),
        )
        db.session.commit()
        flash(_("Contribution créée : ajoutez vos co-auteurs et écrivez ensemble."), "success")
        return back(contribution)
    return render_template("participation/council/contribution_new.html", form=form)


@bp.get("/espace/contributions/<int:contribution_id>")
@login_required
def contribution(contribution_id: int):
    contribution = load_contribution(contribution_id)
    author_ids = {a.user_id for a in contribution.authors}
    co_author_form = CoAuthorForm()
    co_author_form.fill_choices(
        [m for m in queries.members_of(g.organisation) if m.id not in author_ids]
    )
    votes = queries.votes_of(contribution)
    return render_template(
        "participation/council/contribution_detail.html",
        contribution=contribution,
        case=case_of(contribution),
        co_author_form=co_author_form,
        vote_form=VoteForm(),
        my_vote=next((v for v in votes if v.user_id == current_user.id), None),
        votes=votes,
        result=services.result_of(contribution)
        if contribution.status is ContributionStatus.VOTING
        else None,
        confirm=ConfirmForm(),
        now=utcnow(),
    )


@bp.route("/espace/contributions/<int:contribution_id>/modifier", methods=["GET", "POST"])
@login_required
def contribution_edit(contribution_id: int):
    contribution = load_contribution(contribution_id, "council.contribution.edit")
    form = EditForm(obj=contribution if request.method == "GET" else None)
    if request.method == "GET":
        if contribution.status is not ContributionStatus.DRAFT:
            flash(error_message(services.CouncilError("not_draft")), "error")
            return back(contribution)
        form.lock_version.data = contribution.lock_version
    latest = None
    if form.validate_on_submit():
        try:
            services.save_text(
                current_user,
                contribution,
                form.title.data,
                text_to_html(form.body.data or ""),
                form.note.data or "",
                form.expected_version(),
            )
            db.session.commit()
        except (services.CouncilError, StaleDataError, IntegrityError) as exc:
            db.session.rollback()
            if not isinstance(exc, services.CouncilError):
                exc = services.CouncilError("edited_meanwhile")
            flash(error_message(exc), "error")
            if exc.code == "edited_meanwhile":
                db.session.expire_all()
                contribution = load_contribution(contribution_id, "council.contribution.edit")
                form.lock_version.data = contribution.lock_version
                latest = contribution.versions[-1] if contribution.versions else None
        else:
            flash(_("Nouvelle version enregistrée."), "success")
            return back(contribution)
    return render_template(
        "participation/council/contribution_edit.html",
        form=form,
        contribution=contribution,
        latest=latest,
    )


@bp.post("/espace/contributions/<int:contribution_id>/co-auteurs")
@login_required
def add_author(contribution_id: int):
    contribution = load_contribution(contribution_id, "council.contribution.edit")
    form = CoAuthorForm()
    members = queries.members_of(g.organisation)
    form.fill_choices(members)
    if form.validate_on_submit():
        person = next(m for m in members if m.id == form.user_id.data)
        try:
            services.add_author(current_user, contribution, person)
        except services.CouncilError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(
                _("%(name)s est co-auteur de la contribution.", name=person.display_name), "success"
            )
    else:
        flash(_("Choisissez un membre du conseil."), "error")
    return back(contribution)


@bp.get("/espace/contributions/<int:contribution_id>/historique")
@login_required
def history(contribution_id: int):
    contribution = load_contribution(contribution_id)
    versions = contribution.versions
    last = versions[-1].number if versions else None
    old = queries.version_of(contribution, request.args.get("de", type=db_int))
    new = queries.version_of(contribution, request.args.get("a", type=db_int) or last)
    if old is None and new is not None:
        old = queries.version_of(contribution, new.number - 1)
    changes = rules.text_diff(old.body, new.body) if old and new else []
    return render_template(
        "participation/council/contribution_history.html",
        contribution=contribution,
        versions=versions,
        old=old,
        new=new,
        changes=changes,
    )


# --- adoption and transmission --------------------------------------------------------------


def _action(contribution_id: int, rule_name: str, call, success: str):
    contribution = load_contribution(contribution_id)
    require(can(current_user, rule_name, case_of(contribution)))
    if ConfirmForm().validate_on_submit():
        try:
            outcome = call(contribution)
        except services.CouncilError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(success if isinstance(success, str) else success(outcome), "success")
    return back(contribution)


@bp.post("/espace/contributions/<int:contribution_id>/vote/ouverture")
@login_required
def open_vote(contribution_id: int):
    return _action(
        contribution_id,
        "council.contribution.steer",
        lambda c: services.open_vote(current_user, c, utcnow()),
        _("Vote ouvert : les membres du conseil sont prévenus par e-mail."),
    )


@bp.post("/espace/contributions/<int:contribution_id>/vote/cloture")
@login_required
def close_vote(contribution_id: int):
    def outcome(result):
        return (
            _("Vote clos : la contribution est adoptée.")
            if result.adopted
            else _("Vote clos : la contribution est rejetée.")
        )

    return _action(
        contribution_id,
        "council.contribution.steer",
        lambda c: services.close_vote(current_user, c, utcnow()),
        outcome,
    )


@bp.post("/espace/contributions/<int:contribution_id>/transmission")
@login_required
def transmit(contribution_id: int):
    months = current_app.config.get("COUNCIL_FOLLOW_UP_MONTHS", rules.DEFAULT_FOLLOW_UP_MONTHS)
    return _action(
        contribution_id,
        "council.contribution.transmit",
        lambda c: services.transmit(current_user, c, utcnow(), int(months)),
        lambda follow_up: _(
            "Contribution transmise à l'EPCI, qui y répond au plus tard le %(date)s.",
            date=follow_up.due_on.strftime("%d/%m/%Y"),
        ),
    )


@bp.post("/espace/contributions/<int:contribution_id>/vote")
@login_required
def vote(contribution_id: int):
    contribution = load_contribution(contribution_id, "council.contribution.vote")
    form = VoteForm()
    if form.validate_on_submit():
        me = current_user.id  # read now: a failed flush would expire it
        done = submissions.already_done(form.once.data, me)
        if done:
            return submissions.back_to_first_copy(done)
        try:
            services.cast_vote(current_user, contribution, VoteChoice(form.choice.data), utcnow())
            target = url_for("council.contribution", contribution_id=contribution.id)
            done = submissions.commit_once(form.once.data, me, target)
        except (services.CouncilError, IntegrityError) as exc:
            # the same form sent twice at once: the copy that won is the answer
            done = submissions.winner_url(form.once.data, me)
            if done:
                return submissions.back_to_first_copy(done)
            if not isinstance(exc, services.CouncilError):
                exc = services.CouncilError("already_voted")
            flash(error_message(exc), "error")
        else:
            if done:
                return submissions.back_to_first_copy(done)
            flash(_("Votre vote est enregistré."), "success")
    else:
        flash(_("Choisissez votre vote."), "error")
    return back(contribution)


# --- the EPCI's answer ----------------------------------------------------------------------


@bp.route("/espace/contributions/<int:contribution_id>/suite", methods=["GET", "POST"])
@login_required
def follow_up(contribution_id: int):
    contribution = load_contribution(contribution_id, "council.contribution.answer")
    follow_up = contribution.follow_up
    if follow_up is None:
        abort(404)
    form = FollowUpForm(obj=follow_up if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.answer_follow_up(
                current_user,
                contribution,
                text_to_html(form.retained.data or ""),
                text_to_html(form.not_retained.data or ""),
                utcnow(),
            )
        except services.CouncilError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Réponse de l'EPCI publiée."), "success")
            return redirect(url_for("council.public_contribution", contribution_id=contribution.id))
    return render_template(
        "participation/council/follow_up_form.html",
        form=form,
        contribution=contribution,
        follow_up=follow_up,
        now=utcnow(),
    )
