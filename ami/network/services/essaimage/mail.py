"""What an association receives about the essaimage day: the e-mails to its people and the
day's .ics."""

from __future__ import annotations

from ami.network import essaimage_calendar
from ami.network.models import EssaimageDay
from ami.services.applications import association_people
from app.mail.services import Attachment, queue_email
from app.web.urls import base_url, external_url


def _domain(org) -> str:
    return base_url(org).split("://", 1)[-1]


def tell(org, association, template: str, ics: bytes | None = None, **context) -> None:
    """E-mail `template` to each of the association's people, with the .ics `ics` attached
    when given."""
    attachments = [Attachment("essaimage.ics", "text/calendar", ics)] if ics is not None else []
    for person in association_people(association):
        queue_email(
            person.email,
            template,
            organisation=org,
            locale=person.locale,
            attachments=attachments,
            person=person,
            association=association,
            **context,
        )


def calendar_for(org, day: EssaimageDay, association, rounds) -> bytes:
    """The day's .ics for one association with its `rounds` (none before the plan is built),
    linking to its plan, or to its invitations while it has no rounds."""
    endpoint = "ami.essaimage_my_plan" if rounds else "ami.essaimage_mine"
    values = {"association_id": association.id}
    if rounds:
        values["day_id"] = day.id
    link = external_url(org, endpoint, **values)
    return essaimage_calendar.calendar(day, association, rounds, link, _domain(org))
