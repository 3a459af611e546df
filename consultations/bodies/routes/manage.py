"""The EPCI's pages of bodies: bodies and members, meetings, agendas, convocations,
attendance and quorum, votes, minutes, meeting requests."""

from __future__ import annotations

from collections import Counter

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import can, login_required, permission_required, require
from app.db import db, utcnow
from app.i18n import _, ngettext
from app.organisations.queries import communes_of
from app.users.forms import ConfirmForm
from app.web import sort_key
from consultations.bodies import messages, queries, rules, services
from consultations.bodies.forms import (
    BodyCreateForm,
    BodyRulesForm,
    MemberAddForm,
    MemberUpdateForm,
)
from consultations.bodies.models import BodyKind, MeetingStatus
from consultations.bodies.routes import manage_bp as bp
from consultations.saisines.rules import to_paris

SECRETARY = "meeting.secretary"
HELD = (MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED)


# --- labels for every template ------------------------------------------------------------


@bp.app_template_global("body_kind_label")
def kind_label(kind) -> str:
    return messages.label(messages.kind_labels(), kind)


@bp.app_template_global("meeting_status_label")
def meeting_status_label(status) -> str:
    return messages.label(messages.meeting_status_labels(), status)


@bp.app_template_global("request_status_label")
def request_status_label(status) -> str:
    return messages.label(messages.request_status_labels(), status)


@bp.app_template_global("attendance_answer_label")
def answer_label(answer) -> str:
    return messages.label(messages.answer_labels(), answer)


@bp.app_template_global("vote_status_label")
def vote_status_label(status) -> str:
    return messages.label(messages.vote_status_labels(), status)


# --- loading -------------------------------------------------------------------------------


def load_body(body_id: int):
    body = queries.body_in(g.organisation, body_id)
    if body is None:
        abort(404)
    require(can(current_user, "bodies.manage", body))
    return body


def load_meeting(meeting_id: int, action: str = "bodies.manage"):
    meeting = queries.meeting_in(g.organisation, meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, action, meeting if action == SECRETARY else meeting.body))
    return meeting


def load_item(meeting, item_id: int):
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def load_member(body, member_id: int):
    member = next((m for m in body.members if m.id == member_id and m.current), None)
    if member is None:
        abort(404)
    return member


def member_order(member):
    return (
        sort_key(member.commune.name if member.commune else "~"),
        sort_key(member.user.display_name),
    )


def sorted_members(body) -> list:
    return sorted(services.current_members(body), key=member_order)


def attempt(action, success) -> bool:
    """Run a service call: commit and flash `success` (text, or function of the result), or
    roll back and flash the refusal."""
    try:
        result = action()
    except services.BodyError as exc:
        db.session.rollback()
        flash(messages.error_message(exc), "error")
        return False
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return True


# --- bodies --------------------------------------------------------------------------------


@bp.get("/")
@permission_required("bodies.manage")
def index():
    bodies = queries.bodies_of(g.organisation)
    next_meeting = {}
    for meeting in queries.upcoming_meetings(g.organisation, utcnow()):
        next_meeting.setdefault(meeting.body_id, meeting)
    admissible = Counter(r.body_id for r in queries.admissible_requests(g.organisation))
    return render_template(
        "consultations/bodies/manage_index.html",
        bodies=bodies,
        next_meeting=next_meeting,
        admissible=admissible,
        has_conference=any(b.auto_mayors for b in bodies),
        confirm=ConfirmForm(),
    )


@bp.post("/conference-des-maires")
@permission_required("bodies.manage")
def mayors_conference():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("bodies.index"))
    body = services.ensure_mayors_conference(current_user, g.organisation)
    db.session.commit()
    count = len(services.current_members(body))
    flash(
        ngettext(
            "Conférence des maires à jour : %(num)d maire.",
            "Conférence des maires à jour : %(num)d maires.",
            count,
        ),
        "success",
    )
    return redirect(url_for("bodies.detail", body_id=body.id))


@bp.route("/nouvelle", methods=["GET", "POST"])
@permission_required("bodies.manage")
def create():
    kinds = messages.kind_labels()
    if services.auto_mayor_bodies(g.organisation.id):
        kinds.pop(BodyKind.MAYORS_CONFERENCE)
    form = BodyCreateForm()
    form.fill_choices(kinds)
    if form.validate_on_submit():
        try:
            body = services.create_body(
                current_user,
                g.organisation,
                BodyKind(form.kind.data),
                form.name.data,
                form.description.data or "",
            )
        except services.BodyError as exc:
            db.session.rollback()
            form.name.errors.append(messages.error_message(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "Instance créée avec les règles habituelles de ce type d'instance : "
                    "vérifiez-les ci-dessous."
                ),
                "success",
            )
            return redirect(url_for("bodies.detail", body_id=body.id))
    return render_template("consultations/bodies/manage_body_form.html", form=form, body=None)


def _president_choices(body) -> list[tuple[int, str]]:
    people = {
        m.user_id: f"{m.user.display_name} ({m.commune.name})" if m.commune else m.user.display_name
        for m in sorted_members(body)
    }
    for admin in queries.admins_of(g.organisation):
        people.setdefault(admin.id, _("%(name)s (agent de l'EPCI)", name=admin.display_name))
    return list(people.items())


def _rules_from(form) -> services.BodyRules:
    return services.BodyRules(
        quorum_numerator=form.quorum_numerator.data,
        quorum_denominator=form.quorum_denominator.data,
        quorum_strict=form.quorum_strict.data != "at_least",
        quorum_counts_proxies=form.quorum_counts_proxies.data,
        request_numerator=form.request_numerator.data,
        request_denominator=form.request_denominator.data,
        request_yearly_cap=form.request_yearly_cap.data,
        max_proxies_held=form.max_proxies_held.data,
        public_votes=form.public_votes.data,
        rotating_host=form.rotating_host.data,
    )


@bp.route("/<int:body_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(body_id: int):
    body = load_body(body_id)
    form = BodyRulesForm(obj=body)
    form.fill_choices(_president_choices(body))
    if request.method == "GET":
        form.quorum_strict.data = "strict" if body.quorum_strict else "at_least"
    if form.validate_on_submit():
        try:
            services.update_body(
                current_user,
                body,
                form.name.data,
                form.description.data or "",
                _rules_from(form),
                president_id=form.president_id.data,
            )
        except services.BodyError as exc:
            db.session.rollback()
            flash(messages.error_message(exc), "error")
        else:
            db.session.commit()
            flash(_("Instance mise à jour."), "success")
            return redirect(url_for("bodies.detail", body_id=body.id))
    return render_template("consultations/bodies/manage_body_form.html", form=form, body=body)


def _add_member_form(body, form=None) -> MemberAddForm:
    form = form or MemberAddForm(formdata=None)
    seated = {m.user_id for m in services.current_members(body)}
    candidates = [u for u in queries.possible_members(g.organisation) if u.id not in seated]
    form.fill_choices(candidates, communes_of(g.organisation))
    return form


def _render_detail(body, add_form=None):
    members = sorted_members(body)
    quorum_required = rules.quorum_required(
        len(members),
        rules.Fraction(body.quorum_numerator, body.quorum_denominator),
        body.quorum_strict,
    )
    threshold = services.threshold(body)
    return render_template(
        "consultations/bodies/manage_body.html",
        body=body,
        members=members,
        weighted=any(m.weight != 1 for m in members),
        quorum_words=messages.quorum_words(body, len(members), quorum_required),
        request_words=messages.request_words(body, len(members), threshold),
        meetings=queries.body_meetings(body),
        meeting_requests=queries.requests_of(body),
        add_form=add_form or _add_member_form(body),
        confirm=ConfirmForm(),
        now=utcnow(),
    )


@bp.get("/<int:body_id>")
@login_required
def detail(body_id: int):
    return _render_detail(load_body(body_id))


def _auto_members_message() -> str:
    return _(
        "Les membres de la conférence des maires suivent les maires des communes : ils ne "
        "s'ajoutent ni ne se retirent à la main."
    )


@bp.post("/<int:body_id>/membres")
@login_required
def member_add(body_id: int):
    body = load_body(body_id)
    if body.auto_mayors:
        flash(_auto_members_message(), "error")
        return redirect(url_for("bodies.detail", body_id=body.id))
    form = _add_member_form(body, MemberAddForm())
    if not form.validate_on_submit():
        return _render_detail(body, add_form=form)
    user = next(u for u in queries.possible_members(g.organisation) if u.id == form.user_id.data)
    commune = next((c for c in communes_of(g.organisation) if c.id == form.commune_id.data), None)
    if attempt(
        lambda: services.add_member(
            current_user,
            body,
            user,
            commune=commune,
            weight=form.weight.data,
            is_secretary=form.is_secretary.data,
        ),
        _("%(name)s est membre de l'instance.", name=user.display_name),
    ):
        return redirect(url_for("bodies.detail", body_id=body.id, _anchor="membres"))
    return redirect(url_for("bodies.detail", body_id=body.id))


@bp.post("/<int:body_id>/membres/<int:member_id>")
@login_required
def member_update(body_id: int, member_id: int):
    body = load_body(body_id)
    member = load_member(body, member_id)
    form = MemberUpdateForm()
    if form.validate_on_submit():
        attempt(
            lambda: services.update_member(
                current_user, member, form.weight.data, form.is_secretary.data
            ),
            _("Membre mis à jour : %(name)s.", name=member.user.display_name),
        )
    else:
        flash(_("Le nombre de voix doit être un entier d'au moins 1."), "error")
    return redirect(url_for("bodies.detail", body_id=body.id, _anchor="membres"))


@bp.post("/<int:body_id>/membres/<int:member_id>/retirer")
@login_required
def member_remove(body_id: int, member_id: int):
    body = load_body(body_id)
    member = load_member(body, member_id)
    if body.auto_mayors:
        flash(_auto_members_message(), "error")
    elif ConfirmForm().validate_on_submit():
        name = member.user.display_name
        attempt(
            lambda: services.remove_member(current_user, member),
            _("%(name)s ne fait plus partie de l'instance.", name=name),
        )
    return redirect(url_for("bodies.detail", body_id=body.id, _anchor="membres"))


@bp.post("/<int:body_id>/maires")
@login_required
def sync_mayors(body_id: int):
    body = load_body(body_id)
    if not body.auto_mayors:
        abort(404)
    if ConfirmForm().validate_on_submit():
        added, removed = services.sync_mayors(body)
        db.session.commit()
        flash(
            _(
                "Membres mis à jour d'après les maires des communes : %(added)d ajouté(s), "
                "%(removed)d retiré(s).",
                added=added,
                removed=removed,
            ),
            "success",
        )
    return redirect(url_for("bodies.detail", body_id=body.id, _anchor="membres"))


# --- meeting requests ------------------------------------------------------------------------


@bp.get("/<int:body_id>/demandes")
@login_required
def requests(body_id: int):
    body = load_body(body_id)
    members = len(services.current_members(body))
    year = to_paris(utcnow()).year
    return render_template(
        "consultations/bodies/manage_requests.html",
        body=body,
        meeting_requests=queries.requests_of(body),
        counts=services.requests_count_by_status(body),
        used=services.admissible_in_year(body, year),
        year=year,
        request_words=messages.request_words(body, members, services.threshold(body)),
    )


@bp.get("/demandes/<int:request_id>")
@login_required
def request_detail(request_id: int):
    meeting_request = queries.request_in(g.organisation, request_id)
    if meeting_request is None:
        abort(404)
    body = meeting_request.body
    require(can(current_user, "body.view", body))
    collecting = meeting_request.threshold is None
    return render_template(
        "consultations/bodies/request_detail.html",
        meeting_request=meeting_request,
        body=body,
        threshold=services.threshold(body) if collecting else meeting_request.threshold,
        members=len(services.current_members(body)),
        meeting=queries.meeting_of_request(meeting_request),
        manager=can(current_user, "bodies.manage", body),
    )


# --- meetings --------------------------------------------------------------------------------
