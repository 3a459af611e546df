"""The EPCI pages of consultations (creation, questionnaire, synthesis, feedback, exports)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import can, permission_required, require
from app.db import db, utcnow
from app.i18n import _
from app.organisations.queries import communes_of
from app.questionnaires import QuestionType
from app.sanitize import text_to_html
from app.uploads import services as uploads
from app.uploads.messages import upload_message
from app.users.forms import ConfirmForm
from app.web import sort_key
from participation.citizen import exports, queries, rules
from participation.citizen import manage_services as services
from participation.citizen.manage_forms import (
    ConsultationForm,
    ConsultationQuestionForm,
    FeedbackForm,
    SynthesisForm,
    citizen_question_labels,
    error_message,
    label,
)
from participation.citizen.models import ContentStatus, Moderation, PublicConsultation
from participation.citizen.routes import manage_bp as bp

PER_PAGE = 30


@bp.app_template_global("citizen_label")
def citizen_label(kind: str, value) -> str:
    """{{ citizen_label("status", p.status) }}: phase, status, feedback or moderation."""
    return label(kind, value)


def _load(consultation_id: int) -> PublicConsultation:
    consultation = queries.consultation_in(g.organisation, consultation_id)
    if consultation is None:
        abort(404)
    require(can(current_user, "consultations.manage", consultation))
    return consultation


def _to_detail(consultation: PublicConsultation, anchor: str | None = None):
    return redirect(
        url_for("citizen_manage.detail", consultation_id=consultation.id, _anchor=anchor)
    )


def _refused(exc: services.ConsultationError, field=None) -> None:
    db.session.rollback()
    if field is not None:
        field.errors.append(error_message(exc))
    else:
        flash(error_message(exc), "error")


# --- list, creation, edition -----------------------------------------------------------------


@bp.get("/")
@permission_required("consultations.manage")
def index():
    return render_template(
        "participation/citizen/manage_list.html",
        rows=queries.admin_rows(g.organisation),
        now=utcnow(),
        phase=rules.phase,
    )


def _store_documents(form: ConsultationForm) -> list:
    stored = []
    for upload in form.new_documents.data or []:
        if not upload or not upload.filename:
            continue
        try:
            stored.append(uploads.store(upload, g.organisation.id, current_user.id))
        except uploads.UploadError as exc:
            name = uploads.safe_name(upload.filename)
            form.new_documents.errors.append(f"{name} : {upload_message(exc)}")
    return stored


def _save(form: ConsultationForm, communes, consultation=None):
    """Store the documents and create or update; the consultation, or None if refused."""
    stored = _store_documents(form)
    if form.new_documents.errors:
        db.session.rollback()
        return None
    field = form.information_starts_at
    try:
        data = form.consultation_data(communes, text_to_html)
        if consultation is None:
            consultation = services.create_consultation(current_user, g.organisation, data)
        else:
            services.update_consultation(current_user, consultation, data)
        for file in stored:
            services.add_document(current_user, consultation, file)
    except services.ConsultationError as exc:
        fields = {"no_commune": form.commune_ids, "dates_order": field}
        _refused(exc, fields.get(exc.code, form.theme_names))
        return None
    db.session.commit()
    return consultation


def _form_page(form, consultation=None):
    return render_template(
        "participation/citizen/manage_form.html",
        form=form,
        consultation=consultation,
        confirm=ConfirmForm(),
    )


@bp.route("/nouvelle", methods=["GET", "POST"])
@permission_required("consultations.manage")
def create():
    communes = communes_of(g.organisation)
    form = ConsultationForm()
    form.fill_choices(communes)
    if request.method == "GET":
        form.moderation.data = Moderation.POST.value
        form.allow_proposals.data = form.allow_comments.data = form.allow_supports.data = True
    if form.validate_on_submit():
        consultation = _save(form, communes)
        if consultation is not None:
            flash(_("Consultation enregistrée, non publiée."), "success")
            return _to_detail(consultation)
    return _form_page(form)


@bp.route("/<int:consultation_id>/modifier", methods=["GET", "POST"])
@permission_required("consultations.manage")
def edit(consultation_id: int):
    consultation = _load(consultation_id)
    communes = communes_of(g.organisation)
    form = ConsultationForm(obj=consultation if request.method == "GET" else None)
    form.fill_choices(communes)
    if request.method == "GET":
        chosen = {c.id for c in consultation.communes}
        form.commune_mode.data = "all" if chosen >= {c.id for c in communes} else "list"
        form.commune_ids.data = sorted(chosen)
        form.theme_names.data = "\n".join(t.name for t in consultation.themes)
        form.moderation.data = consultation.moderation.value
    if form.validate_on_submit():
        if _save(form, communes, consultation) is not None:
            flash(_("Consultation mise à jour."), "success")
            return _to_detail(consultation)
    return _form_page(form, consultation)


@bp.get("/<int:consultation_id>")
@permission_required("consultations.manage")
def detail(consultation_id: int):
    consultation = _load(consultation_id)
    now = utcnow()
    return render_template(
        "participation/citizen/manage_detail.html",
        consultation=consultation,
        phase=rules.phase(consultation, now),
        statuses=queries.status_counts(consultation),
        frozen=services.questionnaire_frozen(consultation),
        all_communes=len(consultation.communes) >= len(communes_of(g.organisation)),
        confirm=ConfirmForm(),
    )


@bp.post("/<int:consultation_id>/publication")
@permission_required("consultations.manage")
def publish(consultation_id: int):
    consultation = _load(consultation_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_published(current_user, consultation, request.form.get("publish") == "1")
        except services.ConsultationError as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(
                _("Consultation publiée : les habitants peuvent la voir.")
                if consultation.published
                else _("Consultation retirée de la publication."),
                "success",
            )
    return _to_detail(consultation)


def _document_of(consultation: PublicConsultation, document_id: int):
    document = next((d for d in consultation.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    return document


@bp.get("/<int:consultation_id>/documents/<int:document_id>")
@permission_required("consultations.manage")
def document(consultation_id: int, document_id: int):
    return uploads.send(_document_of(_load(consultation_id), document_id).file)


@bp.post("/<int:consultation_id>/documents/<int:document_id>/supprimer")
@permission_required("consultations.manage")
def remove_document(consultation_id: int, document_id: int):
    consultation = _load(consultation_id)
    document = _document_of(consultation, document_id)
    if ConfirmForm().validate_on_submit():
        services.remove_document(current_user, consultation, document)
        db.session.commit()
        flash(_("Document retiré."), "success")
    return redirect(url_for("citizen_manage.edit", consultation_id=consultation.id))


# --- questionnaire -------------------------------------------------------------------------


def _question_of(consultation: PublicConsultation, question_id: int):
    question = next((q for q in consultation.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


def _save_question(form: ConsultationQuestionForm, service, target) -> bool:
    try:
        service(current_user, target, **form.question_data())
    except services.ConsultationError as exc:
        _refused(exc, form.choices if exc.code == "two_choices_needed" else None)
        return False
    db.session.commit()
    return True


def _to_questions(consultation: PublicConsultation, question=None):
    anchor = f"question-{question.id}" if question is not None else None
    return redirect(
        url_for("citizen_manage.questions", consultation_id=consultation.id, _anchor=anchor)
    )


@bp.route("/<int:consultation_id>/questions", methods=["GET", "POST"])
@permission_required("consultations.manage")
def questions(consultation_id: int):
    consultation = _load(consultation_id)
    form = ConsultationQuestionForm()
    form.fill_choices()
    if request.method == "GET":
        form.type.data = QuestionType.SHORT_TEXT.value
    if form.validate_on_submit() and _save_question(form, services.add_question, consultation):
        flash(_("Question ajoutée."), "success")
        return _to_questions(consultation)
    return render_template(
        "participation/citizen/manage_questions.html",
        consultation=consultation,
        questions=sorted(consultation.questions, key=lambda q: q.position),
        form=form,
        frozen=services.questionnaire_frozen(consultation),
        type_labels=citizen_question_labels(),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:consultation_id>/questions/<int:question_id>", methods=["GET", "POST"])
@permission_required("consultations.manage")
def question_edit(consultation_id: int, question_id: int):
    consultation = _load(consultation_id)
    question = _question_of(consultation, question_id)
    form = ConsultationQuestionForm(obj=question if request.method == "GET" else None)
    form.fill_choices()
    if request.method == "GET":
        form.type.data = question.type.value
        form.choices.data = "\n".join(question.choices or [])
    if form.validate_on_submit() and _save_question(form, services.update_question, question):
        flash(_("Question modifiée."), "success")
        return _to_questions(consultation, question)
    return render_template(
        "participation/citizen/manage_question_form.html",
        consultation=consultation,
        question=question,
        form=form,
        frozen=services.questionnaire_frozen(consultation),
    )


def _question_action(consultation_id: int, question_id: int, action, done: str):
    consultation = _load(consultation_id)
    question = _question_of(consultation, question_id)
    if ConfirmForm().validate_on_submit():
        try:
            action(question)
        except services.ConsultationError as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(done, "success")
    return _to_questions(consultation)


@bp.post("/<int:consultation_id>/questions/<int:question_id>/supprimer")
@permission_required("consultations.manage")
def question_delete(consultation_id: int, question_id: int):
    def delete(question):
        services.delete_question(current_user, question)

    return _question_action(consultation_id, question_id, delete, _("Question supprimée."))


@bp.post("/<int:consultation_id>/questions/<int:question_id>/monter")
@permission_required("consultations.manage")
def question_up(consultation_id: int, question_id: int):
    def up(question):
        services.move_question(current_user, question, -1)

    return _question_action(consultation_id, question_id, up, _("Question déplacée."))


@bp.post("/<int:consultation_id>/questions/<int:question_id>/descendre")
@permission_required("consultations.manage")
def question_down(consultation_id: int, question_id: int):
    def down(question):
        services.move_question(current_user, question, 1)

    return _question_action(consultation_id, question_id, down, _("Question déplacée."))


# --- proposals, feedback, synthesis ------------------------------------------------------------


@bp.get("/<int:consultation_id>/propositions")
@permission_required("consultations.manage")
def proposals(consultation_id: int):
    consultation = _load(consultation_id)
    filters = queries.filters_from(request.args)
    status = request.args.get("status") or None
    if status not in {s.value for s in ContentStatus}:
        status = None
    feedback = request.args.get("feedback") or None
    if feedback not in queries.FEEDBACK_FILTERS:
        feedback = None
    page = queries.proposals_page(
        consultation,
        **filters.as_kwargs(),
        per_page=PER_PAGE,
        include_hidden=True,
        status=status,
        feedback=feedback,
    )
    args = {**filters.as_args(), "status": status, "feedback": feedback}
    return render_template(
        "participation/citizen/manage_proposals.html",
        consultation=consultation,
        page=page,
        filters=filters,
        communes=sorted(consultation.communes, key=lambda c: sort_key(c.name)),
        status=status,
        feedback=feedback,
        args={k: v for k, v in args.items() if v},
    )


@bp.route("/<int:consultation_id>/propositions/<int:proposal_id>", methods=["GET", "POST"])
@permission_required("consultations.manage")
def proposal(consultation_id: int, proposal_id: int):
    consultation = _load(consultation_id)
    item = queries.proposal_in(consultation, proposal_id, include_hidden=True)
    if item is None:
        abort(404)
    form = FeedbackForm()
    form.fill_choices()
    if request.method == "GET":
        form.feedback_status.data = item.feedback_status or ""
        form.feedback.data = item.feedback
    if form.validate_on_submit():
        try:
            services.give_feedback(
                current_user,
                item,
                form.feedback_status.data or None,
                text_to_html(form.feedback.data or ""),
            )
        except services.ConsultationError as exc:
            _refused(exc, form.feedback_status)
        else:
            db.session.commit()
            flash(_("Réponse à la proposition enregistrée."), "success")
            return redirect(request.path)
    return render_template(
        "participation/citizen/manage_proposal.html",
        consultation=consultation,
        proposal=item,
        comments=queries.comment_counts([item.id], include_hidden=True).get(item.id, 0),
        phase=rules.phase(consultation, utcnow()),
        form=form,
    )


@bp.route("/<int:consultation_id>/synthese", methods=["GET", "POST"])
@permission_required("consultations.manage")
def synthesis(consultation_id: int):
    consultation = _load(consultation_id)
    form = SynthesisForm()
    if request.method == "GET":
        form.synthesis.data = consultation.synthesis
    if form.validate_on_submit():
        services.save_synthesis(current_user, consultation, text_to_html(form.synthesis.data))
        db.session.commit()
        flash(_("Synthèse enregistrée."), "success")
        return redirect(request.path)
    return render_template(
        "participation/citizen/manage_synthesis.html",
        consultation=consultation,
        summary=queries.synthesis_of(consultation),
        phase=rules.phase(consultation, utcnow()),
        form=form,
    )


# --- exports -----------------------------------------------------------------------------------


@bp.get("/<int:consultation_id>/propositions.<any(csv, xlsx):kind>")
@permission_required("consultations.manage")
def export_proposals(consultation_id: int, kind: str):
    consultation = _load(consultation_id)
    headers, rows = exports.proposal_table(consultation)
    return exports.download(consultation, headers, rows, kind, "propositions", _("Propositions"))


@bp.get("/<int:consultation_id>/questionnaire.<any(csv, xlsx):kind>")
@permission_required("consultations.manage")
def export_answers(consultation_id: int, kind: str):
    consultation = _load(consultation_id)
    headers, rows = exports.answer_table(consultation)
    return exports.download(consultation, headers, rows, kind, "questionnaire", _("Réponses"))
