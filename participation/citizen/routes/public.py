"""The public pages of consultations (proposals, comments, supports, reports, moderation),
and the participant's own pages (terms, profile, personal data)."""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from sqlalchemy.exc import IntegrityError

from app import submissions
from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.extensions import limiter
from app.i18n import _
from app.organisations.queries import communes_of
from app.questionnaires.answers import field_name, parse_answers
from app.uploads import services as uploads
from app.users.forms import ConfirmForm
from app.web.routes import safe_next
from participation.citizen import privacy, queries, rules, services
from participation.citizen.forms import (
    CommentForm,
    DeleteAccountForm,
    ModerationForm,
    ParticipantForm,
    ProposalForm,
    QuestionnaireForm,
    ReportForm,
    TermsForm,
    answer_error,
    error_message,
)
from participation.citizen.models import Comment, ContentStatus, Proposal
from participation.citizen.routes import public_bp as bp

PER_PAGE = 20


# --- Rate limits: posting per account and per address, reporting per address ----------------


def _account_key() -> str:
    if current_user.is_authenticated:
        return f"participation-account:{current_user.id}"
    return f"participation-anonymous:{request.remote_addr}"


def _post_limit_account() -> str:
    return current_app.config["PARTICIPATION_POST_LIMIT_ACCOUNT"]


def _post_limit_address() -> str:
    return current_app.config["PARTICIPATION_POST_LIMIT_IP"]


def _report_limit() -> str:
    return current_app.config["PARTICIPATION_REPORT_LIMIT"]


#: proposals and comments share one budget per account and one per address
post_limit_per_account = limiter.shared_limit(
    _post_limit_account,
    scope="participation-post-account",
    key_func=_account_key,
    methods=["POST"],
)
post_limit_per_address = limiter.shared_limit(
    _post_limit_address, scope="participation-post-address", methods=["POST"]
)
report_limit_per_address = limiter.shared_limit(
    _report_limit, scope="participation-report", methods=["POST"]
)


def _ip() -> str:
    return request.remote_addr or ""


# --- Loading and the checks before contributing ---------------------------------------------


def _consultation(slug: str):
    consultation = queries.consultation_by_slug(g.organisation, slug, published_only=True)
    if consultation is None:
        abort(404)
    return consultation


def _may_moderate(consultation) -> bool:
    return can(current_user, "consultations.moderate", consultation)


def _proposal(consultation, proposal_id: int) -> Proposal:
    """A published proposal; moderators also reach pending and hidden ones."""
    proposal = queries.proposal_in(
        consultation, proposal_id, include_hidden=_may_moderate(consultation)
    )
    if proposal is None:
        abort(404)
    return proposal


def _contribution_gate(consultation, back: str):
    """None when the signed-in person may contribute now, else the redirect to follow."""
    require(can(current_user, "participation.contribute", consultation))
    if not services.has_accepted_terms(current_user):
        flash(_("Avant de contribuer, acceptez les conditions de participation."), "info")
        return redirect(url_for("citizen.terms", next=back))
    if not rules.open_for_contributions(consultation, utcnow()):
        flash(error_message(services.ParticipationError("closed")), "warning")
        return redirect(url_for("citizen.consultation", slug=consultation.slug))
    return None


def _proposal_url(consultation, proposal, anchor: str | None = None) -> str:
    return url_for(
        "citizen.proposal", slug=consultation.slug, proposal_id=proposal.id, _anchor=anchor
    )


def _published_message(status: ContentStatus, what: str) -> str:
    if status is ContentStatus.PENDING:
        return _("Merci ! Votre contribution sera publiée après validation par un modérateur.")
    return (
        _("Merci ! Votre proposition est publiée.")
        if what == "proposal"
        else _("Merci ! Votre commentaire est publié.")
    )


# --- Reading -------------------------------------------------------------------------------


@bp.get("/")
def index():
    now = utcnow()
    consultations = queries.consultations_of(g.organisation, published_only=True)
    return render_template(
        "participation/citizen/public_index.html",
        consultations=consultations,
        phases={c.id: rules.phase(c, now) for c in consultations},
    )


@bp.get("/<slug>")
def consultation(slug: str):
    consultation = _consultation(slug)
    filters = queries.filters_from(request.args)
    page = queries.proposals_page(consultation, per_page=PER_PAGE, **filters.as_kwargs())
    now = utcnow()
    return render_template(
        "participation/citizen/public_consultation.html",
        consultation=consultation,
        page=page,
        filters=filters,
        communes=services.proposal_communes(consultation),
        phase=rules.phase(consultation, now),
        open_now=rules.open_for_contributions(consultation, now),
    )


@bp.get("/<slug>/documents/<int:document_id>")
def document(slug: str, document_id: int):
    consultation = _consultation(slug)
    found = next((d for d in consultation.documents if d.id == document_id), None)
    if found is None:
        abort(404)
    return uploads.send(found.file)


def _render_proposal(consultation, proposal, comment_form=None, status: int = 200):
    now = utcnow()
    supported = current_user.is_authenticated and services.user_supports(current_user, proposal)
    if comment_form is None:
        comment_form = CommentForm()
        if current_user.is_authenticated:
            participant = services.participant_of(current_user)
            comment_form.show_name.data = bool(participant and participant.show_name)
    return (
        render_template(
            "participation/citizen/public_proposal.html",
            consultation=consultation,
            proposal=proposal,
            comments=services.published_comments(proposal),
            comment_form=comment_form,
            button=ConfirmForm(),
            supported=supported,
            phase=rules.phase(consultation, now),
            open_now=rules.open_for_contributions(consultation, now),
            may_moderate=_may_moderate(consultation),
        ),
        status,
    )


@bp.get("/<slug>/propositions/<int:proposal_id>")
def proposal(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    return _render_proposal(consultation, _proposal(consultation, proposal_id))


# --- Contributing --------------------------------------------------------------------------


@bp.route("/<slug>/proposer", methods=["GET", "POST"])
@post_limit_per_account
@post_limit_per_address
@login_required
def propose(slug: str):
    consultation = _consultation(slug)
    gate = _contribution_gate(consultation, url_for("citizen.propose", slug=slug))
    if gate is not None:
        return gate
    if not consultation.allow_proposals:
        flash(error_message(services.ParticipationError("not_allowed_here")), "warning")
        return redirect(url_for("citizen.consultation", slug=slug))
    form = ProposalForm()
    form.fill_choices(consultation.themes, services.proposal_communes(consultation))
    if request.method == "GET":
        participant = services.participant_of(current_user)
        form.show_name.data = participant.show_name
        form.commune_id.data = participant.commune_id
    elif form.validate_on_submit():
        if form.is_robot:
            flash(_("Merci ! Votre contribution a bien été reçue."), "success")
            return redirect(url_for("citizen.consultation", slug=slug))
        done = submissions.already_done(form.once.data, current_user.id)
        if done:
            return submissions.back_to_first_copy(done)
        data = services.ProposalData(
            title=form.title.data,
            body=form.body.data,
            theme_id=form.theme_id.data,
            commune_id=form.commune_id.data,
            show_name=form.show_name.data,
        )
        try:
            created = services.submit_proposal(current_user, consultation, data, utcnow(), _ip())
        except services.ParticipationError as exc:
            db.session.rollback()
            target = form.body if exc.code == "too_many_links" else form.title
            target.errors = [*target.errors, error_message(exc)]
        else:
            if created.status is ContentStatus.PUBLISHED:
                target = _proposal_url(consultation, created)
            else:
                target = url_for("citizen.consultation", slug=slug)
            done = submissions.commit_once(form.once.data, current_user.id, target)
            if done:
                return submissions.back_to_first_copy(done)
            flash(_published_message(created.status, "proposal"), "success")
            return redirect(target)
    return render_template(
        "participation/citizen/public_proposal_form.html", consultation=consultation, form=form
    )


@bp.post("/<slug>/propositions/<int:proposal_id>/commentaires")
@post_limit_per_account
@post_limit_per_address
@login_required
def comment(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    gate = _contribution_gate(consultation, _proposal_url(consultation, proposal))
    if gate is not None:
        return gate
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_proposal(consultation, proposal, form, 400)
    if form.is_robot:
        flash(_("Merci ! Votre contribution a bien été reçue."), "success")
        return redirect(_proposal_url(consultation, proposal))
    done = submissions.already_done(form.once.data, current_user.id)
    if done:
        return submissions.back_to_first_copy(done)
    try:
        created = services.add_comment(
            current_user, proposal, form.body.data, form.show_name.data, utcnow(), _ip()
        )
    except services.ParticipationError as exc:
        db.session.rollback()
        form.body.errors = [*form.body.errors, error_message(exc)]
        return _render_proposal(consultation, proposal, form, 400)
    target = _proposal_url(consultation, proposal, f"comment-{created.id}")
    done = submissions.commit_once(form.once.data, current_user.id, target)
    if done:
        return submissions.back_to_first_copy(done)
    flash(_published_message(created.status, "comment"), "success")
    return redirect(target)


@bp.post("/<slug>/propositions/<int:proposal_id>/soutien")
@login_required
def support(slug: str, proposal_id: int):
    return _change_support(slug, proposal_id, withdraw=False)


@bp.post("/<slug>/propositions/<int:proposal_id>/soutien/retrait")
@login_required
def withdraw_support(slug: str, proposal_id: int):
    return _change_support(slug, proposal_id, withdraw=True)


def _change_support(slug: str, proposal_id: int, withdraw: bool):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    back = _proposal_url(consultation, proposal)
    gate = _contribution_gate(consultation, back)
    if gate is not None:
        return gate
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if withdraw:
            services.withdraw_support(current_user, proposal, utcnow())
        else:
            services.support(current_user, proposal, utcnow())
        db.session.commit()
    except IntegrityError:
        # the same person's second click, committed a moment before this one
        db.session.rollback()
        flash(error_message(services.ParticipationError("already_supported")), "info")
    except services.ParticipationError as exc:
        db.session.rollback()
        flash(error_message(exc), "info")
    else:
        flash(
            _("Votre soutien est retiré.") if withdraw else _("Merci pour votre soutien !"),
            "success",
        )
    return redirect(back + "#support")


@bp.route("/<slug>/questionnaire", methods=["GET", "POST"])
@login_required
def questionnaire(slug: str):
    consultation = _consultation(slug)
    questions = services.questionnaire_questions(consultation)
    if not consultation.allow_questionnaire or not questions:
        abort(404)
    gate = _contribution_gate(consultation, url_for("citizen.questionnaire", slug=slug))
    if gate is not None:
        return gate
    form = QuestionnaireForm()
    existing = services.questionnaire_answer(consultation, current_user)
    values = dict(existing.answers) if existing else {}
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        values, codes = parse_answers(questions, request.form)
        codes.update({q.key: "required" for q in questions if q.required and q.key not in values})
        errors = {key: answer_error(code) for key, code in codes.items()}
        if not errors:
            try:
                services.save_answers(current_user, consultation, values, utcnow())
                db.session.commit()
            except (services.ParticipationError, IntegrityError) as exc:
                db.session.rollback()
                if isinstance(exc, IntegrityError):  # the first answers sent twice at once
                    exc = services.ParticipationError("retry")
                flash(error_message(exc), "error")
            else:
                flash(_("Vos réponses sont enregistrées. Vous pouvez les modifier."), "success")
                return redirect(url_for("citizen.questionnaire", slug=slug))
    return render_template(
        "participation/citizen/public_questionnaire.html",
        consultation=consultation,
        questions=questions,
        values=values,
        answer_errors=errors,
        answered=existing is not None,
        form=form,
        field_name=field_name,
    )


# --- Reports -------------------------------------------------------------------------------


@bp.route("/<slug>/propositions/<int:proposal_id>/signaler", methods=["GET", "POST"])
@report_limit_per_address
def report_proposal(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = queries.proposal_in(consultation, proposal_id)
    if proposal is None:
        abort(404)
    return _report(consultation, services.PROPOSAL, proposal, proposal)


@bp.route("/<slug>/commentaires/<int:comment_id>/signaler", methods=["GET", "POST"])
@report_limit_per_address
def report_comment(slug: str, comment_id: int):
    consultation = _consultation(slug)
    found = services.comment_in(consultation, comment_id)
    if (
        found is None
        or found.status is not ContentStatus.PUBLISHED
        or found.proposal.status is not ContentStatus.PUBLISHED
    ):
        abort(404)
    return _report(consultation, services.COMMENT, found, found.proposal)


def _report(consultation, target_type: str, target, proposal):
    form = ReportForm()
    back = _proposal_url(
        consultation, proposal, f"comment-{target.id}" if target_type == services.COMMENT else None
    )
    if form.validate_on_submit():
        if not form.is_robot:
            reporter = current_user if current_user.is_authenticated else None
            services.report(reporter, consultation, target_type, target, form.reason.data, _ip())
            db.session.commit()
        flash(_("Merci : votre signalement est transmis aux modérateurs."), "success")
        return redirect(back)
    return render_template(
        "participation/citizen/public_report.html",
        consultation=consultation,
        target_type=target_type,
        target=target,
        proposal=proposal,
        form=form,
        back=back,
    )


# --- Moderation ----------------------------------------------------------------------------


@bp.get("/moderation")
@permission_required("consultations.moderate")
def moderation():
    tab = request.args.get("tab", "pending")
    if tab not in services.QUEUE_TABS:
        tab = "pending"
    return render_template(
        "participation/citizen/public_moderation.html",
        tab=tab,
        items=services.moderation_queue(g.organisation, tab),
        counts=services.queue_counts(g.organisation),
    )


def _moderated(target_type: str, target_id: int):
    """(consultation, target, proposal) of the current organisation, else 404."""
    if target_type == services.PROPOSAL:
        target = db.session.get(Proposal, target_id)
        proposal = target
    elif target_type == services.COMMENT:
        target = db.session.get(Comment, target_id)
        proposal = target.proposal if target else None
    else:
        abort(404)
    if target is None or proposal.consultation.organisation_id != g.organisation.id:
        abort(404)
    return proposal.consultation, target, proposal


@bp.route("/moderation/<target_type>/<int:target_id>", methods=["GET", "POST"])
@permission_required("consultations.moderate")
def moderate(target_type: str, target_id: int):
    consultation, target, proposal = _moderated(target_type, target_id)
    require(can(current_user, "consultations.moderate", consultation))
    form = ModerationForm()
    if form.validate_on_submit() and form.chosen_action():
        action = form.chosen_action()
        try:
            services.moderate(
                current_user, consultation, target_type, target, action, form.reason.data, utcnow()
            )
        except services.ParticipationError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error_message(exc)]
        else:
            db.session.commit()
            flash(_("Décision de modération enregistrée."), "success")
            return redirect(
                url_for("citizen.moderate", target_type=target_type, target_id=target_id)
            )
    return render_template(
        "participation/citizen/public_moderation_item.html",
        consultation=consultation,
        target_type=target_type,
        target=target,
        proposal=proposal,
        reports=services.open_reports(target_type, [target.id]).get(target.id, []),
        log=services.moderation_log(target_type, target.id),
        form=form,
    )


# --- The participant: terms, profile, personal data ------------------------------------------


@bp.route("/conditions-de-participation", methods=["GET", "POST"])
def terms():
    """The terms, for everyone to read; signed-in people accept them here."""
    form = TermsForm(next=request.args.get("next", ""))
    signed_in = current_user.is_authenticated
    accepted = signed_in and services.has_accepted_terms(current_user)
    if request.method == "POST":
        if not signed_in:
            return redirect(url_for("auth.login", next=url_for("citizen.terms")))
        require(can(current_user, "participation.contribute"))
        if accepted:
            return redirect(url_for("citizen.profile"))
    may_accept = signed_in and not accepted and can(current_user, "participation.contribute")
    if may_accept:
        form.fill_choices(communes_of(g.organisation))
        participant = services.participant_of(current_user)
        if request.method == "GET" and participant is not None:
            form.commune_id.data = participant.commune_id
            form.show_name.data = participant.show_name
        elif form.validate_on_submit():
            services.save_participant(
                current_user,
                commune_id=form.commune_id.data,
                show_name=form.show_name.data,
                accept_terms_at=utcnow(),
            )
            db.session.commit()
            flash(_("Merci ! Vous pouvez maintenant contribuer."), "success")
            return redirect(safe_next(form.next.data) or url_for("citizen.index"))
    return render_template(
        "participation/citizen/public_terms.html",
        form=form,
        accepted=accepted,
        may_accept=may_accept,
    )


@bp.route("/mon-profil", methods=["GET", "POST"])
@login_required
def profile():
    participant = services.participant_of(current_user)
    form = ParticipantForm(obj=participant)
    form.fill_choices(communes_of(g.organisation))
    if form.validate_on_submit():
        services.save_participant(
            current_user, commune_id=form.commune_id.data, show_name=form.show_name.data
        )
        db.session.commit()
        flash(_("Vos choix sont enregistrés."), "success")
        return redirect(url_for("citizen.profile"))
    proposals, comments = services.contributions_of(current_user)
    return render_template(
        "participation/citizen/public_profile.html",
        participant=participant,
        form=form,
        proposals=proposals,
        comments=comments,
        button=ConfirmForm(),
    )


@bp.post("/mon-profil/<target_type>/<int:target_id>/nom")
@login_required
def name_shown(target_type: str, target_id: int):
    model = {services.PROPOSAL: Proposal, services.COMMENT: Comment}.get(target_type)
    target = db.session.get(model, target_id) if model else None
    if target is None:
        abort(404)
    require(can(current_user, "participation.edit_own", target))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_name_shown(current_user, target, request.form.get("show_name") == "1")
    db.session.commit()
    flash(
        _("Votre nom est affiché sur cette contribution.")
        if target.show_name
        else _("Cette contribution est désormais signée « Contributeur anonyme »."),
        "success",
    )
    return redirect(url_for("citizen.profile"))


@bp.get("/mon-profil/mes-donnees.json")
@login_required
def my_data():
    data = privacy.export_data(current_user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mes-donnees.json"'},
    )


@bp.route("/mon-profil/suppression", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_account_key)
@login_required
def delete_account():
    allowed = can(current_user, "participation.delete_account")
    form = DeleteAccountForm()
    if allowed and form.validate_on_submit():
        try:
            privacy.delete_account(current_user._get_current_object(), form.password.data)
        except services.ParticipationError as exc:
            db.session.rollback()
            form.password.errors = [*form.password.errors, error_message(exc)]
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Votre compte est supprimé. Vos contributions restent, anonymes."), "success")
            return redirect(url_for("web.home"))
    return render_template(
        "participation/citizen/public_delete_account.html", form=form, allowed=allowed
    )
