"""iCalendar (RFC 5545) for meetings: one .ics per meeting and a private feed per person."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from consultations.bodies.models import Meeting, MeetingStatus

PRODID = "-//Concerto//Concertation intercommunale//FR"
DEFAULT_LENGTH = timedelta(hours=2)


def _location(meeting: Meeting) -> str:
    parts = [meeting.venue]
    if meeting.host_commune is not None:
        parts.append(meeting.host_commune.name)
    if meeting.online_url:
        parts.append(meeting.online_url)
    return ", ".join(p for p in parts if p)


def event(meeting: Meeting, link: str, domain: str) -> Event:
    item = Event()
    item.add("uid", f"{meeting.uid}@{domain}")
    item.add("summary", f"{meeting.body.name} — {meeting.title}")
    item.add("dtstart", meeting.starts_at)
    item.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    item.add("dtstamp", meeting.updated_at)
    item.add("sequence", meeting.sequence)
    item.add("location", _location(meeting))
    agenda = "\n".join(f"{i.position}. {i.title}" for i in meeting.items)
    item.add("description", f"{agenda}\n\n{link}".strip())
    item.add("url", link)
    item.add("status", "CONFIRMED" if meeting.status is not MeetingStatus.PLANNED else "TENTATIVE")
    return item


def calendar(meetings: list[tuple[Meeting, str]], domain: str, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    for meeting, link in meetings:
        cal.add_component(event(meeting, link, domain))
    return cal.to_ical()
