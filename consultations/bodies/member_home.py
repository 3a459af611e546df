"""Home-page panel of a body member: convocations to confirm, open votes, requests to sign."""

from __future__ import annotations

from flask import url_for

from app.i18n import _
from app.users.models import Role
from app.web import local_datetime
from app.web.home import HomePanel, home_panel, menu_badge
from consultations.bodies import queries, services
from consultations.bodies.member_messages import signatures_label
from consultations.bodies.models import RequestStatus

#: the people who may sit in a body; others are spared the queries
SEATED_ROLES = {
    Role.MAYOR,
    Role.COMMUNE_STAFF,
    Role.VICE_PRESIDENT,
    Role.DEVELOPMENT_COUNCIL_MEMBER,
    Role.ADMIN,
}


@menu_badge("bodies_member.index")
def convocations_to_confirm(user, organisation, now) -> int:
    if not (user.roles & SEATED_ROLES):
        return 0
    return queries.unacknowledged_count(user, now)


@home_panel
def my_bodies(user, organisation) -> list[HomePanel]:
    if not (user.roles & SEATED_ROLES) or not queries.bodies_of_user(user):
        return []
    items: list[tuple[str, str | None]] = []
    for convocation in queries.convocations_of_user(user):
        meeting = convocation.meeting
        items.append(
            (
                _(
                    "%(body)s — %(title)s, %(date)s : %(state)s",
                    body=meeting.body.name,
                    title=meeting.title,
                    date=local_datetime(meeting.starts_at, "short"),
                    state=_("confirmée") if convocation.acknowledged_at else _("à confirmer"),
                ),
                url_for("bodies_member.meeting", meeting_id=meeting.id),
            )
        )
    for item in queries.open_votes_of_user(user):
        items.append(
            (
                _(
                    "Vote ouvert : %(item)s (%(body)s)",
                    item=item.title,
                    body=item.meeting.body.name,
                ),
                url_for(
                    "bodies_member.meeting", meeting_id=item.meeting_id, _anchor=f"point-{item.id}"
                ),
            )
        )
    for request in queries.requests_of_user(user):
        if request.status is not RequestStatus.COLLECTING:
            continue
        count = len(request.signatures)
        items.append(
            (
                _(
                    "Demande de réunion « %(subject)s » : %(signatures)s",
                    subject=request.subject,
                    signatures=signatures_label(count, services.threshold(request.body)),
                ),
                url_for("bodies_member.request", request_id=request.id),
            )
        )
    return [
        HomePanel(
            title=_("Mes instances"),
            items=items,
            empty=_("Aucune convocation, aucun vote ni aucune demande en cours."),
            action=(_("Mes instances"), url_for("bodies_member.index")),
            order=6,
        )
    ]
