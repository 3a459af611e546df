"""Home-page panel of the EPCI's agents: the next meetings and the admissible requests."""

from __future__ import annotations

from flask import url_for

from app.access import can
from app.db import utcnow
from app.i18n import _
from app.web.home import HomePanel, home_panel
from consultations.bodies import queries
from consultations.bodies.messages import label, meeting_status_labels

SHOWN = 5


@home_panel
def admin_bodies(user, organisation) -> list[HomePanel]:
    if not can(user, "bodies.manage"):
        return []
    statuses = meeting_status_labels()
    items = [
        (
            _(
                "Demande de réunion recevable : %(subject)s (%(body)s)",
                subject=r.subject,
                body=r.body.name,
            ),
            url_for("bodies.request_detail", request_id=r.id),
        )
        for r in queries.admissible_requests(organisation)
    ]
    items += [
        (
            _(
                "%(body)s — %(title)s, %(date)s (%(status)s)",
                body=m.body.name,
                title=m.title,
                date=_date(m.starts_at),
                status=label(statuses, m.status),
            ),
            url_for("bodies.meeting_manage", meeting_id=m.id),
        )
        for m in queries.upcoming_meetings(organisation, utcnow(), limit=SHOWN)
    ]
    return [
        HomePanel(
            title=_("Instances et séances"),
            items=items,
            empty=_("Aucune séance à venir."),
            action=(_("Toutes les instances"), url_for("bodies.index")),
            order=13,
        )
    ]


def _date(moment) -> str:
    from app.web import local_datetime

    return local_datetime(moment, "short")
