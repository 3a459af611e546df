"""The members' pages: convocations and receipts, answers and proxies, live votes, minutes,
meeting requests and calendars."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import submissions
from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.i18n import _
from app.uploads import services as uploads
from app.users.forms import ConfirmForm
from app.web import sort_key
from app.web.urls import base_url
from consultations.bodies import calendar, queries, rules, services
from consultations.bodies import member_messages as labels
from consultations.bodies.member_forms import (
    VOTE_CHOICES,
    AnswerForm,
    VoteForm,
)
from consultations.bodies.member_messages import error_message
from consultations.bodies.models import (
    AttendanceAnswer,
    Body,
    BodyMember,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    VoteChoice,
    VoteStatus,
)
from consultations.bodies.routes import member_bp as bp
from consultations.bodies.services import BodyError
from consultations.bodies.services.common import current_members, member_of


@bp.context_processor
def _labels():
    return {
        "answer_label": labels.answer_label,
        "request_status_label": labels.request_status_label,
        "meeting_status_label": labels.meeting_status_label,
        "body_kind_label": labels.body_kind_label,
        "signatures_label": labels.signatures_label,
    }


# --- loading and checking --------------------------------------------------------------------


def load_body(body_id: int) -> Body:
    body = queries.body_in(g.organisation, body_id)
    if body is None:
        abort(404)
    require(can(current_user, "body.view", body))
    return body


def load_meeting(meeting_id: int) -> Meeting:
    meeting = queries.meeting_in(g.organisation, meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, "meeting.view", meeting))
    if meeting.status is MeetingStatus.PLANNED and not can(
        current_user, "bodies.manage", meeting.body
    ):
        abort(404)  # a meeting in preparation is the EPCI's draft until it is convened
    return meeting


def load_request(request_id: int) -> MeetingRequest:
    meeting_request = queries.request_in(g.organisation, request_id)
    if meeting_request is None:
        abort(404)
    require(can(current_user, "body.view", meeting_request.body))
    return meeting_request


def by_name(members: list[BodyMember]) -> list[BodyMember]:
    return sorted(
        members,
        key=lambda m: (
            sort_key(m.commune.name if m.commune else ""),
            sort_key(m.user.display_name),
        ),
    )


@dataclass
class RequestRow:
    """A meeting request as a member sees it: signatures against the threshold."""

    request: MeetingRequest
    needed: int
    signed: bool

    @property
    def count(self) -> int:
        return len(self.request.signatures)

    @property
    def missing(self) -> int:
        return max(self.needed - self.count, 0)


def request_row(meeting_request: MeetingRequest, user) -> RequestRow:
    needed = meeting_request.threshold or services.threshold(meeting_request.body)
    signed = any(s.member.user_id == user.id for s in meeting_request.signatures)
    return RequestRow(meeting_request, needed, signed)


def ics_response(meetings: list[Meeting], name: str, filename: str):
    domain = base_url(g.organisation).split("://", 1)[-1]
    pairs = [
        (m, url_for("bodies_member.meeting", meeting_id=m.id, _external=True)) for m in meetings
    ]
    response = make_response(calendar.calendar(pairs, domain, name))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- my bodies -------------------------------------------------------------------------------


@bp.get("/")
@permission_required("bodies.my_bodies")
def index():
    return render_template(
        "consultations/bodies/member_index.html",
        bodies=queries.bodies_of_user(current_user),
        convocations=queries.convocations_of_user(current_user),
        request_rows=[request_row(r, current_user) for r in queries.requests_of_user(current_user)],
    )


@bp.get("/<int:body_id>")
@login_required
def body(body_id: int):
    body = load_body(body_id)
    members = by_name(current_members(body))
    meetings = [
        m
        for m in queries.meetings_of(body)
        if m.status is not MeetingStatus.PLANNED or can(current_user, "bodies.manage", body)
    ]
    return render_template(
        "consultations/bodies/member_body.html",
        body=body,
        members=members,
        seat=member_of(body, current_user),
        upcoming=[
            m for m in meetings if m.status in (MeetingStatus.PLANNED, MeetingStatus.CONVENED)
        ][::-1],
        past=[
            m for m in meetings if m.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED)
        ],
        request_rows=[request_row(r, current_user) for r in queries.requests_of(body)],
        quorum=rules.quorum_required(
            len(members),
            rules.Fraction(body.quorum_numerator, body.quorum_denominator),
            body.quorum_strict,
        ),
        needed=services.threshold(body),
    )


# --- meetings: convocation, answer, agenda, live votes --------------------------------------


@dataclass
class Voice:
    member: BodyMember
    by_proxy: bool
    vote: object | None


@dataclass
class ItemView:
    item: object
    voices: list[Voice]
    result: rules.VoteResult | None


def holder_choices(meeting: Meeting, seat: BodyMember | None, proxies) -> list:
    """The other current members, each with a note when the rules would refuse them."""
    if seat is None:
        return []
    given = {p.giver_id: p.holder_id for p in proxies if p.giver_id != seat.id}
    held = Counter(given.values())
    choices = []
    for member in by_name(current_members(meeting.body)):
        if member.id == seat.id:
            continue
        note = ""
        if member.id in given:
            note = _("a donné pouvoir")
        elif held[member.id] >= meeting.body.max_proxies_held:
            note = _("détient déjà le nombre maximal de pouvoirs")
        choices.append((member, note))
    return choices


def item_views(meeting: Meeting) -> list[ItemView]:
    views = []
    for item in meeting.items:
        voices, result = [], None
        if item.vote_status is VoteStatus.OPEN:
            cast = {v.member_id: v for v in item.votes}
            voices = [
                Voice(member, by_proxy, cast.get(member.id))
                for member, by_proxy in services.voices_of(current_user, item)
            ]
        elif item.vote_status is VoteStatus.CLOSED:
            result = services.result_of(item)
        views.append(ItemView(item, voices, result))
    return views


def _answered(answer: AttendanceAnswer, holder: BodyMember | None) -> str:
    if answer is AttendanceAnswer.PRESENT:
        return _("Votre présence est enregistrée. Merci.")
    if answer is AttendanceAnswer.ABSENT:
        return _("Votre absence est enregistrée. Merci.")
    return _("Votre pouvoir est donné à %(name)s. Merci.", name=holder.user.display_name)


@bp.route("/seances/<int:meeting_id>", methods=["GET", "POST"])
@login_required
def meeting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    body = meeting.body
    seat = member_of(body, current_user)
    convocation = services.convocation_for(meeting, seat) if seat else None
    proxies = services.proxies_of(meeting)
    form = AnswerForm()
    form.fill_holders(holder_choices(meeting, seat, proxies))
    given = next((p for p in proxies if seat and p.giver_id == seat.id), None)
    if request.method == "GET" and convocation is not None:
        form.answer.data = convocation.answer.value if convocation.answer else None
        form.holder_id.data = given.holder_id if given else None
    elif request.method == "POST":
        require(convocation is not None)
        if form.validate_on_submit():
            reply = AttendanceAnswer(form.answer.data)
            holder = None
            if reply is AttendanceAnswer.REPRESENTED:
                holder = next((m for m in body.members if m.id == form.holder_id.data), None)
            try:
                if reply is AttendanceAnswer.REPRESENTED and holder is None:
                    raise BodyError("proxy_not_member")
                services.answer(seat, meeting, reply, holder, utcnow())
            except BodyError as exc:
                db.session.rollback()
                message = error_message(exc, body)
                if exc.code.startswith("proxy_") or exc.code == "holder_required":
                    form.holder_id.errors = [message]
                else:
                    flash(message, "error")
            else:
                db.session.commit()
                flash(_answered(reply, holder), "success")
                return redirect(url_for("bodies_member.meeting", meeting_id=meeting.id))
    attendance = services.attendance_of(meeting)
    return render_template(
        "consultations/bodies/member_meeting.html",
        meeting=meeting,
        body=body,
        seat=seat,
        convocation=convocation,
        form=form,
        ack_form=ConfirmForm(),
        given=given,
        held=[p for p in proxies if seat and p.holder_id == seat.id],
        present=bool(seat and seat.id in attendance and attendance[seat.id].present),
        items=item_views(meeting),
        vote_choices=VOTE_CHOICES,
        new_token=submissions.new_token,
    )


@bp.post("/seances/<int:meeting_id>/accuse-reception")
@login_required
def meeting_acknowledge(meeting_id: int):
    """The same receipt as the e-mail's link, from the meeting page."""
    meeting = load_meeting(meeting_id)
    seat = member_of(meeting.body, current_user)
    convocation = services.convocation_for(meeting, seat) if seat else None
    if convocation is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.acknowledge(convocation, utcnow())
        db.session.commit()
        flash(_("Réception de la convocation confirmée. Merci."), "success")
    return redirect(url_for("bodies_member.meeting", meeting_id=meeting.id))


@bp.route("/convocations/<token>", methods=["GET", "POST"])
def acknowledge(token: str):
    """The link of the convocation e-mail: the token itself proves who received it."""
    convocation = queries.convocation_by_token(token)
    if convocation is None or convocation.meeting.body.organisation_id != g.organisation.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.acknowledge(convocation, utcnow())
        db.session.commit()
        flash(_("Réception de la convocation confirmée. Merci."), "success")
        return redirect(url_for("bodies_member.acknowledge", token=token))
    return render_template(
        "consultations/bodies/member_acknowledge.html",
        convocation=convocation,
        meeting=convocation.meeting,
        form=form,
    )


@bp.post("/seances/<int:meeting_id>/points/<int:item_id>/vote")
@login_required
def vote(meeting_id: int, item_id: int):
    """One voice on an item with an open vote; a form per voice, no JavaScript needed."""
    meeting = load_meeting(meeting_id)
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    back = url_for("bodies_member.meeting", meeting_id=meeting.id, _anchor=f"point-{item.id}")
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("Choisissez votre vote : pour, contre, abstention ou ne prend pas part."), "error")
        return redirect(back)
    member = next((m for m in meeting.body.members if str(m.id) == form.member_id.data), None)
    me = current_user.id  # read now: a failed flush would expire it
    done = submissions.already_done(form.once.data, me)
    if done:
        return submissions.back_to_first_copy(done)
    try:
        if member is None:
            raise BodyError("no_voice")
        cast = services.cast_vote(
            current_user, item, member, VoteChoice(form.choice.data), utcnow()
        )
        done = submissions.commit_once(form.once.data, me, back)
    except (BodyError, IntegrityError) as exc:
        # the same form sent twice at once: the copy that won is the answer
        done = submissions.winner_url(form.once.data, me)
        if done:
            return submissions.back_to_first_copy(done)
        if isinstance(exc, IntegrityError):  # the same voice sent twice at once
            exc = BodyError("already_voted")
        flash(error_message(exc, meeting.body), "error")
    else:
        if done:
            return submissions.back_to_first_copy(done)
        flash(
            _("Vote enregistré pour %(name)s, par pouvoir.", name=member.user.display_name)
            if cast.by_proxy
            else _("Vote enregistré."),
            "success",
        )
    return redirect(back)


@bp.get("/seances/<int:meeting_id>/documents/<int:document_id>")
@login_required
def document(meeting_id: int, document_id: int):
    meeting = load_meeting(meeting_id)
    found = next((d for item in meeting.items for d in item.documents if d.id == document_id), None)
    if found is None:
        abort(404)
    return uploads.send(found.file)


@bp.get("/seances/<int:meeting_id>/seance.ics")
@login_required
def meeting_ics(meeting_id: int):
    meeting = load_meeting(meeting_id)
    return ics_response([meeting], meeting.body.name, f"seance-{meeting.id}.ics")


@bp.get("/seances/<int:meeting_id>/proces-verbal")
def minutes(meeting_id: int):
    """The published minutes; without logging in when the EPCI made them public."""
    meeting = queries.meeting_in(g.organisation, meeting_id)
    if meeting is None or meeting.status is not MeetingStatus.MINUTES_PUBLISHED:
        abort(404)
    if not (meeting.minutes_public or can(current_user, "meeting.minutes_public", meeting)):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        abort(404)
    return render_template(
        "consultations/bodies/member_minutes.html",
        meeting=meeting,
        record=queries.MeetingRecord(meeting),
    )
