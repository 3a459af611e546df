"""The mayors' mailbox: the senders' pages and the EPCI's pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import submissions
from app.access import can, permission_required, require
from app.db import db, utcnow
from app.i18n import _
from app.organisations.queries import communes_of
from app.users.forms import ConfirmForm
from app.web import sort_key
from app.web.pagination import paginate
from consultations.mailbox import queries, services
from consultations.mailbox.forms import (
    AssignForm,
    FilterForm,
    FollowUpForm,
    NoteForm,
    QuestionForm,
    ReplyForm,
    ServiceForm,
    status_labels,
)
from consultations.mailbox.models import MessageStatus
from consultations.mailbox.permissions import SENDER_ROLES

bp = Blueprint("mailbox", __name__, url_prefix="/concertation/boite-aux-lettres")

PER_PAGE = 30


def error_message(exc: services.MailboxError) -> str:
    messages = {
        "empty": _("Le message est vide."),
        "not_your_commune": _(
            "Vous ne pouvez écrire qu'au nom d'une commune dont vous êtes maire ou élu(e)."
        ),
        "not_yours": _("Cette question n'est pas la vôtre."),
        "closed": _("Cette question est close."),
        "already_closed": _("Cette question est déjà close."),
        "not_closed": _("Cette question n'est pas close."),
        "unknown_service": _("Ce service n'existe pas."),
        "not_an_agent": _("Cette personne n'est pas un agent de l'EPCI."),
        "name_required": _("Indiquez le nom du service."),
        "service_name_taken": _("Un service porte déjà ce nom."),
        "service_in_use": _(
            "Ce service a reçu des questions : il ne peut pas être supprimé, seulement renommé."
        ),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


@bp.app_template_global("mailbox_status_label")
def status_label(status) -> str:
    return str(status_labels().get(MessageStatus(status), status))


@bp.app_template_filter("mailbox_duration")
def duration(value) -> str:
    """A reply time, to the minute: 2 j 5 h, 3 h 20 min, 12 min."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d j %(hours)d h", days=days, hours=hours)
    if hours:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    return _("%(minutes)d min", minutes=minutes)


# --- the senders' pages -----------------------------------------------------------------


def _sender_communes() -> list:
    """The communes the person may write for, each once, in alphabetical order."""
    found = {c.id: c for c in current_user.communes_for(*SENDER_ROLES)}
    return sorted(found.values(), key=lambda c: sort_key(c.name))


def _own(message_id: int):
    """The person's own question; anyone else's does not exist for them."""
    message = queries.own_message(g.organisation, current_user, message_id)
    if message is None or not can(current_user, "mailbox.read_own", message):
        abort(404)
    return message


@bp.get("/")
@permission_required("mailbox.write")
def mine():
    page = paginate(queries.sent_by(g.organisation, current_user), PER_PAGE)
    return render_template("consultations/mailbox/my_questions.html", page=page)


@bp.route("/nouvelle", methods=["GET", "POST"])
@permission_required("mailbox.write")
def new():
    communes = _sender_communes()
    form = QuestionForm()
    form.fill_choices(communes)
    if form.validate_on_submit():
        chosen = form.commune.data if "commune" in form else communes[0].id
        commune = next((c for c in communes if c.id == chosen), None)
        done = submissions.already_done(form.once.data, current_user.id)
        if done:
            return submissions.back_to_first_copy(done)
        try:
            message = services.send_question(
                current_user, g.organisation, commune, form.subject.data, form.body.data, utcnow()
            )
        except services.MailboxError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            target = url_for("mailbox.question", message_id=message.id)
            done = submissions.commit_once(form.once.data, current_user.id, target)
            if done:
                return submissions.back_to_first_copy(done)
            flash(
                _("Votre question est envoyée à l'EPCI. Sa réponse vous sera signalée par e-mail."),
                "success",
            )
            return redirect(target)
    return render_template("consultations/mailbox/question_form.html", form=form, communes=communes)


def _render_question(message, form):
    return render_template(
        "consultations/mailbox/question.html",
        message=message,
        replies=queries.thread(message, include_internal=False),
        form=form,
    )


@bp.get("/<int:message_id>")
@permission_required("mailbox.write")
def question(message_id: int):
    message = _own(message_id)
    return _render_question(message, FollowUpForm(formdata=None))


@bp.post("/<int:message_id>/complement")
@permission_required("mailbox.write")
def follow_up(message_id: int):
    message = _own(message_id)
    require(can(current_user, "mailbox.follow_up", message))
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.follow_up(current_user, message, form.body.data, utcnow())
        except services.MailboxError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Votre message est transmis à l'EPCI."), "success")
            return redirect(url_for("mailbox.question", message_id=message.id))
    return _render_question(message, form)


# --- the EPCI's pages -------------------------------------------------------------------


def _managed(message_id: int):
    message = queries.message_in(g.organisation, message_id)
    if message is None:
        abort(404)
    require(can(current_user, "mailbox.manage", message))
    return message


def _chosen(field):
    return None if field.errors or field.process_errors else (field.data or None)


@bp.get("/gestion/")
@permission_required("mailbox.manage")
def manage():
    form = FilterForm(request.args)
    form.fill_choices(queries.services_of(g.organisation), communes_of(g.organisation))
    form.validate()  # a value that is none of the choices (another organisation's) is dropped
    filters = queries.Filters(
        status=_chosen(form.status),
        service=_chosen(form.service),
        commune=_chosen(form.commune),
        sort=form.sort.data if form.sort.data in queries.SORTS else "recent",
    )
    page = paginate(queries.admin_list(g.organisation, filters), PER_PAGE)
    args = {
        "status": filters.status or "",
        "service": filters.service or "",
        "commune": filters.commune or "",
        "sort": filters.sort,
    }
    return render_template(
        "consultations/mailbox/manage_list.html",
        page=page,
        form=form,
        args=args,
        waiting=queries.count_waiting(g.organisation),
    )


def _render_manage(message, *, reply_form=None, note_form=None, assign_form=None):
    if assign_form is None:
        assign_form = AssignForm(
            formdata=None,
            service_id=message.service_id,
            assigned_to_id=message.assigned_to_id,
        )
    assign_form.fill_choices(queries.services_of(g.organisation), queries.admins_of(g.organisation))
    return render_template(
        "consultations/mailbox/manage_detail.html",
        message=message,
        replies=queries.thread(message, include_internal=True),
        reply_form=reply_form or ReplyForm(formdata=None),
        note_form=note_form or NoteForm(formdata=None),
        assign_form=assign_form,
        confirm=ConfirmForm(),
    )


@bp.get("/gestion/<int:message_id>")
@permission_required("mailbox.manage")
def manage_detail(message_id: int):
    return _render_manage(_managed(message_id))


def _attempt(message, action, success: str):
    """Run `action()`; on success commit and go back to the question with `success`, on a
    refused action roll back, flash why and return None (the caller shows the form again)."""
    try:
        action()
    except services.MailboxError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("mailbox.manage_detail", message_id=message.id))


@bp.post("/gestion/<int:message_id>/attribution")
@permission_required("mailbox.manage")
def assign(message_id: int):
    message = _managed(message_id)
    form = AssignForm()
    form.fill_choices(queries.services_of(g.organisation), queries.admins_of(g.organisation))
    if form.validate_on_submit():
        service = queries.service_in(g.organisation, form.service_id.data)
        person = queries.admin_in(g.organisation, form.assigned_to_id.data)
        done = _attempt(
            message,
            lambda: services.assign(current_user, message, service, person, utcnow()),
            _("Attribution enregistrée."),
        )
        if done:
            return done
    return _render_manage(message, assign_form=form)


@bp.post("/gestion/<int:message_id>/reponse")
@permission_required("mailbox.manage")
def reply(message_id: int):
    message = _managed(message_id)
    form = ReplyForm()
    if form.validate_on_submit():
        done = _attempt(
            message,
            lambda: services.reply(current_user, message, form.reply.data, utcnow()),
            _("Réponse envoyée à l'auteur de la question."),
        )
        if done:
            return done
    return _render_manage(message, reply_form=form)


@bp.post("/gestion/<int:message_id>/note")
@permission_required("mailbox.manage")
def note(message_id: int):
    message = _managed(message_id)
    form = NoteForm()
    if form.validate_on_submit():
        done = _attempt(
            message,
            lambda: services.add_note(current_user, message, form.note.data, utcnow()),
            _("Note interne ajoutée."),
        )
        if done:
            return done
    return _render_manage(message, note_form=form)


@bp.post("/gestion/<int:message_id>/cloture")
@permission_required("mailbox.manage")
def close(message_id: int):
    message = _managed(message_id)
    if ConfirmForm().validate_on_submit():
        done = _attempt(
            message,
            lambda: services.close(current_user, message, utcnow()),
            _("Question close : son auteur en est informé."),
        )
        if done:
            return done
    return redirect(url_for("mailbox.manage_detail", message_id=message.id))


@bp.post("/gestion/<int:message_id>/reouverture")
@permission_required("mailbox.manage")
def reopen(message_id: int):
    message = _managed(message_id)
    if ConfirmForm().validate_on_submit():
        done = _attempt(
            message,
            lambda: services.reopen(current_user, message, utcnow()),
            _("Question rouverte."),
        )
        if done:
            return done
    return redirect(url_for("mailbox.manage_detail", message_id=message.id))


# --- services and reply times -----------------------------------------------------------


def _service(service_id: int):
    service = queries.service_in(g.organisation, service_id)
    if service is None:
        abort(404)
    require(can(current_user, "mailbox.manage", service))
    return service


@bp.route("/gestion/services", methods=["GET", "POST"])
@permission_required("mailbox.manage")
def service_list():
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            services.create_service(current_user, g.organisation, form.name.data, form.email.data)
        except services.MailboxError as exc:
            db.session.rollback()
            form.name.errors.append(error_message(exc))
        else:
            db.session.commit()
            flash(_("Service ajouté."), "success")
            return redirect(url_for("mailbox.service_list"))
    return render_template(
        "consultations/mailbox/service_list.html",
        form=form,
        services=queries.services_of(g.organisation),
        usage=queries.service_usage(g.organisation),
        confirm=ConfirmForm(),
    )


@bp.route("/gestion/services/<int:service_id>", methods=["GET", "POST"])
@permission_required("mailbox.manage")
def service_edit(service_id: int):
    service = _service(service_id)
    form = ServiceForm(obj=service)
    if form.validate_on_submit():
        try:
            services.update_service(current_user, service, form.name.data, form.email.data)
        except services.MailboxError as exc:
            db.session.rollback()
            form.name.errors.append(error_message(exc))
        else:
            db.session.commit()
            flash(_("Service mis à jour."), "success")
            return redirect(url_for("mailbox.service_list"))
    return render_template("consultations/mailbox/service_form.html", form=form, service=service)


@bp.post("/gestion/services/<int:service_id>/suppression")
@permission_required("mailbox.manage")
def service_delete(service_id: int):
    service = _service(service_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_service(current_user, service)
        except services.MailboxError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Service supprimé."), "success")
    return redirect(url_for("mailbox.service_list"))


@bp.get("/gestion/statistiques")
@permission_required("mailbox.manage")
def statistics():
    overall, by_service = queries.reply_statistics(g.organisation, utcnow())
    return render_template(
        "consultations/mailbox/statistics.html",
        overall=overall,
        by_service=by_service,
        quick_days=queries.QUICK_REPLY.days,
    )
