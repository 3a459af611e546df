"""iCalendar (RFC 5545) for hearings: the .ics an association receives with its invitation."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from app.db import utcnow
from app.paris import PARIS, paris_to_utc, to_paris  # noqa: F401  (used by the hearings)

PRODID = "-//Concerto//AMI cohésion sociale//FR"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def event(application, others: list[str], link: str, domain: str) -> Event:
    """The hearing of one application: its slot, place and the associations heard with it."""
    slot = application.hearing.slot
    item = Event()
    item.add("uid", f"ami-hearing-{application.id}@{domain}")
    item.add("summary", f"Audition — {application.call.title}")
    item.add("dtstart", _utc(slot.starts_at))
    item.add("dtend", _utc(slot.ends_at))
    item.add("dtstamp", utcnow())
    if slot.location:
        item.add("location", slot.location)
    lines = [f"{application.number or ''} {application.title}".strip()]
    if others:
        lines.append("Avec : " + ", ".join(others))
    if link:
        lines.append(link)
    item.add("description", "\n".join(lines))
    if link:
        item.add("url", link)
    item.add("status", "CONFIRMED")
    return item


def calendar(application, others: list[str], link: str, domain: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-timezone", "Europe/Paris")
    cal.add_component(event(application, others, link, domain))
    return cal.to_ical()
