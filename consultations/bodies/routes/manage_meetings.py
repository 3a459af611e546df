"""The EPCI's pages of meetings: agendas, convocations, attendance and quorum, votes,
minutes."""

from __future__ import annotations

from collections import Counter, defaultdict

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import can, login_required
from app.db import db, utcnow
from app.i18n import _, ngettext
from app.organisations.queries import communes_of
from app.sanitize import text_to_html
from app.uploads import services as uploads
from app.users.forms import ConfirmForm
from app.web.converters import MAX_ID
from consultations.bodies import messages, queries, services
from consultations.bodies.forms import (
    AttendanceForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    PaperVotesForm,
    PublishForm,
)
from consultations.bodies.minutes_pdf import minutes_pdf
from consultations.bodies.models import MeetingStatus, VoteStatus
from consultations.bodies.routes import manage_bp as bp
from consultations.bodies.routes.manage import (
    attempt,
    load_body,
    load_item,
    load_meeting,
    member_order,
    sorted_members,
)
from consultations.saisines.routes.common import store_uploads
from consultations.saisines.rules import paris_to_utc, to_paris

SECRETARY = "meeting.secretary"
HELD = (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED)


def _meeting_data(form, communes) -> services.MeetingData:
    day = form.starts_on.data
    return services.MeetingData(
        title=form.title.data,
        starts_at=paris_to_utc(day, form.starts_time.data),
        ends_at=paris_to_utc(day, form.ends_time.data) if form.ends_time.data else None,
        host_commune=next((c for c in communes if c.id == form.host_commune_id.data), None),
        venue=form.venue.data or "",
        online_url=form.online_url.data or "",
    )


def _request_for(body):
    """The meeting request named by ?demande=, which must belong to the body."""
    value = request.args.get("demande", "")
    if not value:
        return None
    number = int(value) if value.isdigit() else 0
    meeting_request = queries.request_in(g.organisation, number) if 0 < number <= MAX_ID else None
    if meeting_request is None or meeting_request.body_id != body.id:
        abort(404)
    return meeting_request


@bp.route("/<int:body_id>/seances/nouvelle", methods=["GET", "POST"])
@login_required
def meeting_create(body_id: int):
    body = load_body(body_id)
    meeting_request = _request_for(body)
    communes = communes_of(g.organisation)
    form = MeetingForm()
    form.fill_choices(communes)
    suggested = services.suggested_host(body)
    if request.method == "GET":
        form.host_commune_id.data = suggested.id if suggested else None
        if meeting_request is not None:
            form.title.data = _("Séance demandée : %(subject)s", subject=meeting_request.subject)
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(
                current_user, body, _meeting_data(form, communes), request=meeting_request
            )
        except services.BodyError as exc:
            db.session.rollback()
            flash(messages.error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Séance créée : composez son ordre du jour, puis convoquez."), "success")
            return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id))
    return render_template(
        "consultations/bodies/manage_meeting_form.html",
        form=form,
        body=body,
        meeting=None,
        meeting_request=meeting_request,
        suggested=suggested,
        history=services.hosting_history(body) if body.rotating_host else [],
    )


@bp.route("/seances/<int:meeting_id>/modifier", methods=["GET", "POST"])
@login_required
def meeting_edit(meeting_id: int):
    meeting = load_meeting(meeting_id)
    communes = communes_of(g.organisation)
    form = MeetingForm(obj=meeting)
    form.fill_choices(communes)
    if request.method == "GET":
        starts = to_paris(meeting.starts_at)
        form.starts_on.data, form.starts_time.data = starts.date(), starts.time()
        form.ends_time.data = to_paris(meeting.ends_at).time() if meeting.ends_at else None
    if form.validate_on_submit():
        if attempt(
            lambda: services.update_meeting(current_user, meeting, _meeting_data(form, communes)),
            _("Séance mise à jour."),
        ):
            return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id))
    return render_template(
        "consultations/bodies/manage_meeting_form.html",
        form=form,
        body=meeting.body,
        meeting=meeting,
        meeting_request=None,
        suggested=None,
        history=services.hosting_history(meeting.body) if meeting.body.rotating_host else [],
    )


def _render_meeting(meeting, item_form=None):
    convocations = sorted(services.convocations_of(meeting), key=lambda c: member_order(c.member))
    return render_template(
        "consultations/bodies/manage_meeting.html",
        meeting=meeting,
        body=meeting.body,
        convocations=convocations,
        proxies={p.giver_id: p.holder for p in services.proxies_of(meeting)},
        acknowledged=sum(1 for c in convocations if c.acknowledged_at),
        answers=Counter(c.answer for c in convocations if c.answer),
        item_form=item_form or ItemForm(formdata=None),
        confirm=ConfirmForm(),
        editable=meeting.status not in HELD,
    )


@bp.get("/seances/<int:meeting_id>")
@login_required
def meeting_manage(meeting_id: int):
    return _render_meeting(load_meeting(meeting_id))


def _save_item(meeting, form, item=None):
    """Create or update the item and attach the uploaded documents; None if refused."""
    stored = store_uploads(form.documents.data, form.documents)
    if form.documents.errors:
        db.session.rollback()
        return None
    args = (
        form.title.data,
        text_to_html(form.description.data or ""),
        form.calls_for_vote.data,
        form.opinion_text.data or "",
    )
    try:
        if item is None:
            item = services.add_item(current_user, meeting, *args)
        else:
            services.update_item(current_user, item, *args)
        for file in stored:
            services.add_item_document(current_user, item, file)
    except services.BodyError as exc:
        db.session.rollback()
        flash(messages.error_message(exc), "error")
        return None
    db.session.commit()
    return item


@bp.post("/seances/<int:meeting_id>/points")
@login_required
def item_add(meeting_id: int):
    meeting = load_meeting(meeting_id)
    form = ItemForm()
    if form.validate_on_submit() and _save_item(meeting, form) is not None:
        flash(_("Point ajouté à l'ordre du jour."), "success")
        return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id, _anchor="ordre"))
    return _render_meeting(meeting, item_form=form)


@bp.route("/seances/<int:meeting_id>/points/<int:item_id>/modifier", methods=["GET", "POST"])
@login_required
def item_edit(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    form = ItemForm(obj=item)
    if request.method == "GET":
        form.calls_for_vote.data = item.vote_status is not VoteStatus.NONE
    if form.validate_on_submit() and _save_item(meeting, form, item) is not None:
        flash(_("Point mis à jour."), "success")
        return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id, _anchor="ordre"))
    return render_template(
        "consultations/bodies/manage_item_form.html", form=form, meeting=meeting, item=item
    )


@bp.post("/seances/<int:meeting_id>/points/<int:item_id>/supprimer")
@login_required
def item_delete(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    if ConfirmForm().validate_on_submit():
        attempt(lambda: services.delete_item(current_user, item), _("Point retiré."))
    return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id, _anchor="ordre"))


@bp.post("/seances/<int:meeting_id>/points/<int:item_id>/deplacer")
@login_required
def item_move(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    if ConfirmForm().validate_on_submit() and meeting.status not in HELD:
        offset = -1 if request.form.get("direction") == "up" else 1
        services.move_item(current_user, item, offset)
        db.session.commit()
    return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id, _anchor="ordre"))


@bp.get("/seances/<int:meeting_id>/points/<int:item_id>/documents/<int:document_id>")
@login_required
def item_document(meeting_id: int, item_id: int, document_id: int):
    item = load_item(load_meeting(meeting_id), item_id)
    document = next((d for d in item.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    return uploads.send(document.file)


@bp.post("/seances/<int:meeting_id>/convoquer")
@login_required
def meeting_convene(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if ConfirmForm().validate_on_submit():
        attempt(
            lambda: services.convene(current_user, meeting, utcnow()),
            lambda sent: ngettext(
                "Convocation envoyée à %(num)d membre.",
                "Convocations envoyées aux %(num)d membres.",
                sent,
            ),
        )
    return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id))


@bp.post("/seances/<int:meeting_id>/relancer")
@login_required
def meeting_remind(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if ConfirmForm().validate_on_submit():
        attempt(
            lambda: services.remind_unacknowledged(current_user, meeting, utcnow()),
            lambda sent: (
                ngettext(
                    "Rappel envoyé à %(num)d membre qui n'avait pas accusé réception.",
                    "Rappel envoyé aux %(num)d membres qui n'avaient pas accusé réception.",
                    sent,
                )
                if sent
                else _("Tous les membres ont accusé réception : aucun rappel envoyé.")
            ),
        )
    return redirect(url_for("bodies.meeting_manage", meeting_id=meeting.id, _anchor="convocations"))


# --- during the meeting: attendance, quorum, votes ------------------------------------------


def _attendance_changes(form, members, attendance) -> list:
    """(member, present) to record: the row of the button pressed, or every checkbox."""
    by_id = {m.id: m for m in members}
    member_id, _sep, state = (form.mark.data or "").partition(":")
    if member_id:
        member = by_id.get(int(member_id)) if member_id.isdigit() else None
        return [(member, state == "1")] if member is not None else []
    chosen = set(form.present.data or [])
    changes = []
    for member in members:
        row = attendance.get(member.id)
        wanted = member.id in chosen
        if (row is None and wanted) or (row is not None and row.present != wanted):
            changes.append((member, wanted))
    return changes


def _record_attendance(meeting, changes) -> None:
    now = utcnow()
    for member, present in changes:
        services.record_attendance(current_user, meeting, member, present, now)


@bp.route("/seances/<int:meeting_id>/presences", methods=["GET", "POST"])
@login_required
def meeting_attendance(meeting_id: int):
    meeting = load_meeting(meeting_id, SECRETARY)
    members = sorted_members(meeting.body)
    form = AttendanceForm()
    form.present.choices = [(m.id, m.user.display_name) for m in members]
    if form.validate_on_submit():
        changes = _attendance_changes(form, members, services.attendance_of(meeting))
        attempt(lambda: _record_attendance(meeting, changes), _("Présences enregistrées."))
        return redirect(url_for("bodies.meeting_attendance", meeting_id=meeting.id))
    convocations = {c.member_id: c for c in services.convocations_of(meeting)}
    proxies = services.proxies_of(meeting)
    held = defaultdict(list)
    for proxy in proxies:
        held[proxy.holder_id].append(proxy.giver)
    return render_template(
        "consultations/bodies/manage_attendance.html",
        meeting=meeting,
        members=members,
        attendance=services.attendance_of(meeting),
        convocations=convocations,
        given={p.giver_id: p.holder for p in proxies},
        held=held,
        quorum=services.quorum_state(meeting),
        results={i.id: services.result_of(i) for i in meeting.items if i.votes},
        form=form,
        confirm=ConfirmForm(),
        manager=can(current_user, "bodies.manage", meeting.body),
    )


@bp.post("/seances/<int:meeting_id>/points/<int:item_id>/vote/ouvrir")
@login_required
def item_open_vote(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, SECRETARY)
    item = load_item(meeting, item_id)
    if ConfirmForm().validate_on_submit():
        attempt(
            lambda: services.open_vote(current_user, item),
            _("Vote ouvert sur le point « %(title)s ».", title=item.title),
        )
    return redirect(url_for("bodies.meeting_attendance", meeting_id=meeting.id, _anchor="votes"))


def _paper_form(item, members) -> PaperVotesForm:
    if request.method == "POST":
        return PaperVotesForm()
    existing = {v.member_id: v.choice.value for v in item.votes}
    rows = [{"member_id": str(m.id), "choice": existing.get(m.id, "")} for m in members]
    return PaperVotesForm(data={"votes": rows})


@bp.route("/seances/<int:meeting_id>/points/<int:item_id>/vote/papier", methods=["GET", "POST"])
@login_required
def item_paper_votes(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, SECRETARY)
    item = load_item(meeting, item_id)
    if item.vote_status is VoteStatus.NONE:
        abort(404)
    members = sorted_members(meeting.body)
    form = _paper_form(item, members)
    if form.validate_on_submit():
        if attempt(
            lambda: services.enter_paper_votes(current_user, item, form.entered(), utcnow()),
            lambda n: ngettext("%(num)d vote enregistré.", "%(num)d votes enregistrés.", n),
        ):
            return redirect(
                url_for("bodies.item_paper_votes", meeting_id=meeting.id, item_id=item.id)
            )
    by_id = {m.id: m for m in members}
    rows = [
        (entry, by_id[int(entry.member_id.data)])
        for entry in form.votes
        if str(entry.member_id.data or "").isdigit() and int(entry.member_id.data) in by_id
    ]
    attendance = services.attendance_of(meeting)
    return render_template(
        "consultations/bodies/manage_paper_votes.html",
        meeting=meeting,
        item=item,
        form=form,
        rows=rows,
        present={m for m, a in attendance.items() if a.present},
        recorded=set(attendance),
        given={p.giver_id: p.holder for p in services.proxies_of(meeting)},
        result=services.result_of(item) if item.votes else None,
        confirm=ConfirmForm(),
    )


@bp.post("/seances/<int:meeting_id>/points/<int:item_id>/vote/clore")
@login_required
def item_close_vote(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, SECRETARY)
    item = load_item(meeting, item_id)
    if ConfirmForm().validate_on_submit():

        def outcome(result) -> str:
            counts = {
                "yes": result.counts["for"],
                "no": result.counts["against"],
                "abstain": result.counts["abstain"],
            }
            if result.adopted:
                return _(
                    "Avis adopté : %(yes)d pour, %(no)d contre, %(abstain)d abstentions.", **counts
                )
            return _(
                "Avis rejeté : %(yes)d pour, %(no)d contre, %(abstain)d abstentions.", **counts
            )

        attempt(lambda: services.close_vote(current_user, item, utcnow()), outcome)
    return redirect(url_for("bodies.meeting_attendance", meeting_id=meeting.id, _anchor="votes"))


@bp.post("/seances/<int:meeting_id>/tenue")
@login_required
def meeting_mark_held(meeting_id: int):
    meeting = load_meeting(meeting_id, SECRETARY)
    if ConfirmForm().validate_on_submit() and attempt(
        lambda: services.mark_held(current_user, meeting),
        _("Séance déclarée tenue : le procès-verbal peut être rédigé."),
    ):
        if can(current_user, "bodies.manage", meeting.body):
            return redirect(url_for("bodies.meeting_minutes", meeting_id=meeting.id))
    return redirect(url_for("bodies.meeting_attendance", meeting_id=meeting.id))


# --- minutes ---------------------------------------------------------------------------------


@bp.route("/seances/<int:meeting_id>/proces-verbal", methods=["GET", "POST"])
@login_required
def meeting_minutes(meeting_id: int):
    meeting = load_meeting(meeting_id)
    form = MinutesForm(obj=meeting)
    if form.validate_on_submit():
        if attempt(
            lambda: services.write_minutes(
                current_user, meeting, text_to_html(form.minutes.data or "")
            ),
            _("Procès-verbal enregistré."),
        ):
            return redirect(url_for("bodies.meeting_minutes", meeting_id=meeting.id))
    return render_template(
        "consultations/bodies/manage_minutes.html",
        meeting=meeting,
        record=queries.MeetingRecord(meeting),
        form=form,
        publish_form=PublishForm(formdata=None, public=meeting.minutes_public),
        confirm=ConfirmForm(),
        held=meeting.status in HELD,
    )


@bp.post("/seances/<int:meeting_id>/proces-verbal/publier")
@login_required
def meeting_publish(meeting_id: int):
    meeting = load_meeting(meeting_id)
    form = PublishForm()
    if form.validate_on_submit():
        first = meeting.status is MeetingStatus.HELD
        public = bool(form.public.data)
        if first:
            done = _("Procès-verbal publié : les membres en sont informés par e-mail.")
        else:
            done = _("Publication du procès-verbal mise à jour.")
        attempt(lambda: services.publish_minutes(current_user, meeting, public, utcnow()), done)
    return redirect(url_for("bodies.meeting_minutes", meeting_id=meeting.id))


@bp.get("/seances/<int:meeting_id>/proces-verbal.pdf")
@login_required
def meeting_minutes_pdf(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if meeting.status not in HELD:
        abort(404)
    content = minutes_pdf(meeting, queries.MeetingRecord(meeting), g.organisation.name)
    response = make_response(content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="proces-verbal-seance-{meeting.id}.pdf"'
    )
    return response
