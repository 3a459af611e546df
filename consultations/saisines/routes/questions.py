"""The questionnaire builder of a saisine: questions, their order, versions and a preview."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import permission_required
from app.db import db
from app.i18n import _
from app.users.forms import ConfirmForm
from consultations.saisines import services
from consultations.saisines.forms import QuestionForm, question_type_labels
from consultations.saisines.messages import error_message
from consultations.saisines.models import Question, QuestionType, Saisine, SaisineStatus
from consultations.saisines.routes import manage_bp as bp
from consultations.saisines.routes.common import load_managed

#: refusals shown next to a field rather than at the top of the page
FIELD_ERRORS = {"two_choices_needed": "choices"}


def _question_of(saisine: Saisine, question_id: int) -> Question:
    question = next((q for q in saisine.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


def _is_old(saisine: Saisine, question: Question) -> bool:
    """Flash why a question of a previous version cannot change; True if it is one."""
    if question.version == saisine.questionnaire_version:
        return False
    flash(error_message(services.SaisineError("old_version")), "error")
    return True


def _lock(saisine: Saisine) -> str | None:
    """Why the current questions cannot change, as an error code, or None if they can."""
    if saisine.status is SaisineStatus.CLOSED:
        return "closed"
    if services.questionnaire_frozen(saisine):
        return "questionnaire_frozen"
    return None


def _question_data(form: QuestionForm) -> dict:
    lines = (form.choices.data or "").splitlines()
    return {
        "label": form.label.data,
        "type": QuestionType(form.type.data),
        "required": bool(form.required.data),
        "help_text": form.help_text.data or "",
        "unit": form.unit.data or "",
        "choices": [line.strip() for line in lines if line.strip()],
    }


def _save(form: QuestionForm, service, target) -> bool:
    """Call the service on `target` with the form's data and commit.

    A refusal goes next to its field or, when it concerns the whole questionnaire, to a flash.
    """
    try:
        service(current_user, target, **_question_data(form))
    except services.SaisineError as exc:
        db.session.rollback()
        field = FIELD_ERRORS.get(exc.code)
        if field:
            form[field].errors.append(error_message(exc))
        else:
            flash(error_message(exc), "error")
        return False
    db.session.commit()
    return True


def _to_list(saisine: Saisine, question: Question | None = None):
    anchor = f"question-{question.id}" if question is not None else None
    return redirect(url_for("saisines.questions", saisine_id=saisine.id, _anchor=anchor))


@bp.route("/<int:saisine_id>/questions", methods=["GET", "POST"])
@permission_required("saisines.manage")
def questions(saisine_id: int):
    saisine = load_managed(saisine_id)
    form = QuestionForm()
    form.fill_choices()
    if request.method == "GET":
        form.type.data = QuestionType.SHORT_TEXT.value
    if form.validate_on_submit():
        if _save(form, services.add_question, saisine):
            flash(_("Question ajoutée."), "success")
            return _to_list(saisine)
    lock = _lock(saisine)
    return render_template(
        "consultations/saisines/question_list.html",
        saisine=saisine,
        questions=sorted(saisine.current_questions, key=lambda q: q.position),
        form=form,
        lock=lock,
        lock_message=error_message(services.SaisineError(lock)) if lock else None,
        type_labels=question_type_labels(),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:saisine_id>/questions/<int:question_id>", methods=["GET", "POST"])
@permission_required("saisines.manage")
def question_edit(saisine_id: int, question_id: int):
    saisine = load_managed(saisine_id)
    question = _question_of(saisine, question_id)
    if _is_old(saisine, question):
        return _to_list(saisine)
    form = QuestionForm(obj=question if request.method == "GET" else None)
    form.fill_choices()
    if request.method == "GET":
        form.type.data = question.type.value
        form.choices.data = "\n".join(question.choices or [])
    if form.validate_on_submit():
        if _save(form, services.update_question, question):
            flash(_("Question modifiée."), "success")
            return _to_list(saisine, question)
    lock = _lock(saisine)
    return render_template(
        "consultations/saisines/question_form.html",
        saisine=saisine,
        question=question,
        form=form,
        lock=lock,
        lock_message=error_message(services.SaisineError(lock)) if lock else None,
        confirm=ConfirmForm(),
    )


@bp.post("/<int:saisine_id>/questions/<int:question_id>/supprimer")
@permission_required("saisines.manage")
def question_delete(saisine_id: int, question_id: int):
    saisine = load_managed(saisine_id)
    question = _question_of(saisine, question_id)
    if ConfirmForm().validate_on_submit() and not _is_old(saisine, question):
        try:
            services.delete_question(current_user, question)
        except services.SaisineError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Question supprimée."), "success")
    return _to_list(saisine)


def _move(saisine_id: int, question_id: int, offset: int):
    saisine = load_managed(saisine_id)
    question = _question_of(saisine, question_id)
    if ConfirmForm().validate_on_submit() and not _is_old(saisine, question):
        try:
            services.move_question(current_user, question, offset)
        except services.SaisineError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Question déplacée."), "success")
    return _to_list(saisine, question)


@bp.post("/<int:saisine_id>/questions/<int:question_id>/monter")
@permission_required("saisines.manage")
def question_up(saisine_id: int, question_id: int):
    return _move(saisine_id, question_id, -1)


@bp.post("/<int:saisine_id>/questions/<int:question_id>/descendre")
@permission_required("saisines.manage")
def question_down(saisine_id: int, question_id: int):
    return _move(saisine_id, question_id, 1)


@bp.post("/<int:saisine_id>/questions/nouvelle-version")
@permission_required("saisines.manage")
def questionnaire_new_version(saisine_id: int):
    saisine = load_managed(saisine_id)
    if ConfirmForm().validate_on_submit():
        try:
            version = services.new_questionnaire_version(current_user, saisine)
        except services.SaisineError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Version %(version)d du questionnaire créée : ses questions peuvent de "
                    "nouveau être modifiées.",
                    version=version,
                ),
                "success",
            )
    return _to_list(saisine)
