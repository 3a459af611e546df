"""iCalendar (RFC 5545) for hearings: the .ics an association receives with its invitation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from app.db import utcnow

PRODID = "-//Concerto//AMI cohésion sociale//FR"
PARIS = ZoneInfo("Europe/Paris")


def paris_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in Paris as a UTC datetime (the first occurrence of a repeated hour;
    a skipped hour moves forward by the gap): the same rule as the saisines' deadlines."""
    return datetime.combine(day, at).replace(tzinfo=PARIS, fold=0).astimezone(UTC)


def to_paris(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


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
