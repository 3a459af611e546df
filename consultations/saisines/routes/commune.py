"""The communes' pages: the inbox, the response form, signature delegations."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import submissions
from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.forms import options
from app.i18n import _
from app.organisations.queries import commune_by_insee
from app.uploads import services as uploads
from app.users.forms import ConfirmForm
from app.users.models import Role
from consultations.saisines import answers as answer_rules
from consultations.saisines import queries, rules, services
from consultations.saisines.forms import DelegationForm, ResponseForm
from consultations.saisines.messages import answer_error, error_message
from consultations.saisines.models import Opinion, QuestionType
from consultations.saisines.permissions import CommuneCase
from consultations.saisines.routes import commune_bp as bp
from consultations.saisines.routes.common import store_uploads


@bp.get("/")
@permission_required("saisines.commune_inbox")
def inbox():
    page = request.args.get("page", "1")
    current, past = queries.inbox(current_user, utcnow(), int(page) if page.isdigit() else 1)
    return render_template(
        "consultations/saisines/commune_inbox.html", current=current, past=past, now=utcnow()
    )


def _load_case(insee: str, saisine_id: int) -> CommuneCase:
    """The saisine seen from this commune, or 404 when the person may not see it."""
    commune = commune_by_insee(g.organisation, insee)
    saisine = queries.saisine_in(g.organisation, saisine_id)
    if commune is None or saisine is None:
        abort(404)
    now = utcnow()
    if services.close_if_due(saisine, now):
        db.session.commit()
    phase = rules.phase(saisine.status, saisine.opens_at, saisine.deadline, now)
    case = CommuneCase(
        saisine=saisine,
        commune=commune,
        targeted=queries.is_targeted(saisine, commune),
        visible=phase in (rules.Phase.OPEN, rules.Phase.CLOSED),
        open_now=phase is rules.Phase.OPEN,
        delegate_ids=queries.delegate_ids(commune),
    )
    if not can(current_user, "saisine.read_as_commune", case):
        # Not targeted, not visible yet, or another commune's: the saisine does not exist here.
        abort(404)
    return case


def _files_by_question(saisine, formdata_files, form) -> list:
    new_files = []
    for question in saisine.current_questions:
        if question.type is not QuestionType.FILE:
            continue
        upload = formdata_files.get(answer_rules.field_name(question))
        if upload and upload.filename:
            for stored in store_uploads([upload], form.attachments):
                new_files.append((question.key, stored))
    return new_files


@bp.route("/<insee>/saisines/<int:saisine_id>", methods=["GET", "POST"])
@login_required
def respond(insee: str, saisine_id: int):
    case = _load_case(insee, saisine_id)
    saisine, commune = case.saisine, case.commune
    response = queries.response_of(saisine, commune)
    form = ResponseForm(obj=response)
    form.fill_choices()
    questions = saisine.current_questions
    pending = (response.pending_changes or None) if response else None
    values = dict((pending or {}).get("answers") or (response.answers if response else {}))
    answer_errors: dict[str, str] = {}
    if request.method == "GET":
        services.mark_opened(saisine, commune, utcnow())
        db.session.commit()
        form.lock_version.data = response.lock_version if response else ""
        if pending is not None:
            form.opinion.data = pending.get("opinion")
            form.motivation.data = pending.get("motivation", "")
        elif response and response.opinion:
            form.opinion.data = response.opinion.value
    elif not case.open_now:
        # The deadline passed while the form was being filled in: say so, rather than a 403.
        flash(error_message(services.SaisineError("deadline_passed")), "error")
    elif form.validate_on_submit():
        require(can(current_user, "saisine.edit_response", case))
        signing = bool(form.sign.data)
        if signing:
            require(can(current_user, "saisine.sign_response", case))
        target = url_for("saisines_commune.respond", insee=insee, saisine_id=saisine.id)
        me = current_user.id  # read now: a failed flush would expire it
        done = submissions.already_done(form.once.data, me)
        if done:
            # the same click sent twice: the first copy was recorded, the second is not
            return submissions.back_to_first_copy(done)
        values, codes = answer_rules.parse_answers(questions, request.form)
        answer_errors = {key: answer_error(code) for key, code in codes.items()}
        removed = [int(v) for v in request.form.getlist("remove_attachment") if v.isdigit()]
        new_files = store_uploads(form.attachments.data, form.attachments)
        new_files = [(None, f) for f in new_files] + _files_by_question(
            saisine, request.files, form
        )
        if not answer_errors and not form.attachments.errors:
            data = services.ResponseData(
                opinion=Opinion(form.opinion.data) if form.opinion.data else None,
                motivation=form.motivation.data or "",
                answers=values,
                new_files=new_files,
                removed_attachment_ids=removed,
            )
            lock = str(form.lock_version.data or "").strip()  # the stored int when not sent
            # A form opened before the first draft existed expects none: a draft saved since
            # then, even a moment ago by a concurrent request, is newer than what the person
            # saw (versions start at 1), so 0 never matches it.
            expected = int(lock) if lock.isdigit() else 0
            try:
                if signing:
                    signed_as = (
                        "mayor" if current_user.has_role(Role.MAYOR, commune) else "delegation"
                    )
                    services.submit_response(
                        current_user, saisine, commune, data, expected, utcnow(), signed_as
                    )
                else:
                    services.save_draft(current_user, saisine, commune, data, expected)
                done = submissions.commit_once(form.once.data, me, target)
            except (services.SaisineError, IntegrityError, StaleDataError) as exc:
                # a copy of the same click, sent at the same moment, may have won
                done = submissions.winner_url(form.once.data, me)
                if done:
                    return submissions.back_to_first_copy(done)
                if not isinstance(exc, services.SaisineError):
                    # Someone saved at the very same moment (the first draft inserted twice,
                    # or the same version updated twice): the same case as a stale version.
                    latest = queries.response_of(saisine, commune)
                    editor = latest.edited_by if latest is not None else None
                    exc = services.SaisineError(
                        "edited_meanwhile", by=getattr(editor, "display_name", "")
                    )
                flash(error_message(exc), "error")
                if exc.code == "edited_meanwhile":
                    db.session.expire_all()
                    response = queries.response_of(saisine, commune)
                    form.lock_version.data = response.lock_version if response else ""
            else:
                if done:
                    return submissions.back_to_first_copy(done)
                flash(
                    _(
                        "Réponse signée et transmise à l'EPCI. Un accusé de réception vous est "
                        "envoyé par e-mail."
                    )
                    if signing
                    else (
                        _(
                            "Modification enregistrée en brouillon : la réponse transmise reste "
                            "en vigueur tant que la nouvelle version n'est pas signée."
                        )
                        if response is not None and response.status == "submitted"
                        else _("Brouillon enregistré.")
                    ),
                    "success",
                )
                return redirect(target)
        else:
            db.session.rollback()
    now = utcnow()
    return render_template(
        "consultations/saisines/commune_respond.html",
        case=case,
        saisine=saisine,
        commune=commune,
        response=response,
        form=form,
        questions=questions,
        values=values,
        answer_errors=answer_errors,
        field_name=answer_rules.field_name,
        can_edit=can(current_user, "saisine.edit_response", case),
        can_sign=can(current_user, "saisine.sign_response", case),
        phase=rules.phase(saisine.status, saisine.opens_at, saisine.deadline, now),
        now=now,
        QuestionType=QuestionType,
    )


@bp.get("/<insee>/saisines/<int:saisine_id>/documents/<int:document_id>")
@login_required
def document(insee: str, saisine_id: int, document_id: int):
    case = _load_case(insee, saisine_id)
    document = next((d for d in case.saisine.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    return uploads.send(document.file)


@bp.get("/<insee>/saisines/<int:saisine_id>/fichiers/<int:attachment_id>")
@login_required
def attachment(insee: str, saisine_id: int, attachment_id: int):
    case = _load_case(insee, saisine_id)
    response = queries.response_of(case.saisine, case.commune)
    found = next(
        (a for a in (response.attachments if response else []) if a.id == attachment_id), None
    )
    if found is None:
        abort(404)
    return uploads.send(found.file)


@bp.get("/<insee>/saisines/<int:saisine_id>/resultats")
@login_required
def results(insee: str, saisine_id: int):
    case = _load_case(insee, saisine_id)
    if not case.saisine.results_published:
        abort(404)
    rows = queries.dashboard(case.saisine, utcnow())
    tally = rules.tally([(r.status, r.opinion, r.commune.population) for r in rows])
    return render_template(
        "consultations/saisines/commune_results.html",
        saisine=case.saisine,
        commune=case.commune,
        rows=rows,
        tally=tally,
    )


@bp.route("/<insee>/delegations", methods=["GET", "POST"])
@login_required
def delegations(insee: str):
    commune = commune_by_insee(g.organisation, insee)
    if commune is None:
        abort(404)
    require(can(current_user, "commune.delegate_signature", commune))
    staff = [
        p
        for p in queries.commune_people(commune, roles=(Role.COMMUNE_STAFF,))
        if p.id != current_user.id
    ]
    form = DelegationForm()
    form.user_id.choices = options((p.id, f"{p.display_name} ({p.email})") for p in staff)
    if form.validate_on_submit():
        person = next((p for p in staff if p.id == form.user_id.data), None)
        if person is None:
            abort(404)
        try:
            services.grant_delegation(current_user, commune, person)
        except services.SaisineError as exc:
            flash(error_message(exc), "error")
        else:
            db.session.commit()
            flash(
                _("Délégation de signature donnée à %(name)s.", name=person.display_name), "success"
            )
            return redirect(url_for("saisines_commune.delegations", insee=insee))
    return render_template(
        "consultations/saisines/commune_delegations.html",
        commune=commune,
        form=form,
        delegations=queries.delegations_of(commune),
        confirm=ConfirmForm(),
    )


@bp.post("/<insee>/delegations/<int:delegation_id>/retirer")
@login_required
def revoke_delegation(insee: str, delegation_id: int):
    commune = commune_by_insee(g.organisation, insee)
    if commune is None:
        abort(404)
    require(can(current_user, "commune.delegate_signature", commune))
    delegation = next((d for d in queries.delegations_of(commune) if d.id == delegation_id), None)
    if delegation is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.revoke_delegation(current_user, delegation)
        db.session.commit()
        flash(_("Délégation retirée."), "success")
    return redirect(url_for("saisines_commune.delegations", insee=insee))
